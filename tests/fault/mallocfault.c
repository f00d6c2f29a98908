/* mallocfault.c -- an LD_PRELOAD shim that makes the K-th allocation of a
 * process fail, for the CLI-level allocation loop (tests/fault/oom_cli.sh).
 *
 *   LODE_MALLOCFAULT=K[:persistent]   fail the K-th malloc/calloc/realloc
 *                                     growth (and, persistent, every later
 *                                     one)
 *   LODE_MALLOCFAULT_LOG=FILE         "K" is appended when it was reached
 *
 * Counted are the calls made after main's process has started (the shim's
 * constructor) by lode itself, Lua (lode's allocator), zlib and the C
 * library -- not those made by libxml2, which are passed through: libxml2
 * 2.9.14 is not malloc-failure safe (HARDENING 1.3; tests/unit/
 * test_oom_paths.c measures it with LODE_OOM_XML=1).  The caller is told
 * apart by the return address (libxml2's segments, from dl_iterate_phdr).
 *
 * Not for sanitizer builds: ASan owns malloc there.  Built as
 * build/tests/mallocfault.so by the Makefile. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

/* the C library's malloc_usable_size (it exports no __libc_ name for it) */
static size_t (*libc_usable)(void *);

static long fail_at, calls;
static int persistent, ready;
static const char *log_path;
static int logged;

/* libxml2's code, found once by the constructor */
static uintptr_t xml_lo, xml_hi;

static int find_libxml2(struct dl_phdr_info *info, size_t size, void *ud)
{
    (void)size;
    (void)ud;
    if (!info->dlpi_name || !strstr(info->dlpi_name, "libxml2"))
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (!xml_lo || lo < xml_lo)
            xml_lo = lo;
        if (hi > xml_hi)
            xml_hi = hi;
    }
    return 1;
}

__attribute__((constructor)) static void setup(void)
{
    const char *spec = getenv("LODE_MALLOCFAULT");
    log_path = getenv("LODE_MALLOCFAULT_LOG");
    if (spec) {
        fail_at = strtol(spec, NULL, 10);
        persistent = strstr(spec, ":persistent") != NULL;
    }
    dl_iterate_phdr(find_libxml2, NULL);
    void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    if (libc)
        *(void **)&libc_usable = dlsym(libc, "malloc_usable_size");
    ready = 1;
}

static int refuse(const void *ret)
{
    if (!ready || !fail_at)
        return 0;
    if ((uintptr_t)ret >= xml_lo && (uintptr_t)ret < xml_hi)
        return 0;
    calls++;
    if (calls < fail_at || (calls > fail_at && !persistent))
        return 0;
    if (log_path && !logged) {
        logged = 1;
        int fd = (int)syscall(SYS_openat, AT_FDCWD, log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            char line[32];
            int n = snprintf(line, sizeof line, "%ld\n", fail_at);
            if (syscall(SYS_write, fd, line, (size_t)n) < 0) {
                /* the driver then sees no hit */
            }
            syscall(SYS_close, fd);
        }
    }
    errno = ENOMEM;
    return 1;
}

void *malloc(size_t n)
{
    if (refuse(__builtin_return_address(0)))
        return NULL;
    return __libc_malloc(n);
}

void *calloc(size_t k, size_t n)
{
    if (refuse(__builtin_return_address(0)))
        return NULL;
    return __libc_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
    /* frees and shrinks never fail (Lua's allocator contract) */
    if (n && (!p || (libc_usable && n > libc_usable(p))) && refuse(__builtin_return_address(0)))
        return NULL;
    return __libc_realloc(p, n);
}

/* The rest of the malloc family, never failed: every block comes from and
 * goes back to the C library's malloc even when the program links another
 * allocator ahead of it (as the lode command may: jemalloc).  Otherwise a
 * block from one allocator would be freed by the other. */
void *reallocarray(void *p, size_t k, size_t n)
{
    if (n && k > SIZE_MAX / n) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, k * n);
}

void *memalign(size_t align, size_t n)
{
    return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = __libc_memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t n)
{
    return __libc_valloc(n);
}

void *pvalloc(size_t n)
{
    return __libc_pvalloc(n);
}

size_t malloc_usable_size(void *p)
{
    return p && libc_usable ? libc_usable(p) : 0;
}

void free(void *p)
{
    __libc_free(p);
}
