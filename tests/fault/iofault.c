/* iofault.c -- an LD_PRELOAD shim that makes the k-th call of one I/O
 * function fail, for the I/O fault-injection tests (tests/fault/io.sh).
 *
 *   LODE_IOFAULT=FUNC:K:WHAT      e.g. write:3:EIO, fsync:1:EINTR, read:2:short
 *   LODE_IOFAULT_LOG=FILE         a line "FUNC K WHAT" is appended when the
 *                                 fault was injected (so a driver knows when
 *                                 K has passed the last call)
 *
 * FUNC is one of read write open close fsync fdatasync syncfs rename fstat
 * fchmod.  Calls are counted per FUNC, only on descriptors >= 3 (standard
 * input, output and error are the test driver's) and, for open and rename,
 * on every call.  WHAT is
 *   EIO, ENOSPC     the call is not made; -1 with that errno;
 *   EINTR           the call is not made; -1 with EINTR -- except close,
 *                   which on Linux has closed the descriptor even when it
 *                   reports EINTR, so the shim closes it too;
 *   short           read/write only: the call is made for half the bytes
 *                   (at least 1) and returns what it did, a legal short
 *                   count.
 * Only the calls that cross the PLT are seen: lode's own and zlib's, not
 * those that glibc makes internally (stdio's buffers, mkstemp).  That is why
 * the CLI's record sinks write through a cookie stream (core/cli/sinks.c).
 *
 * Built as build/tests/iofault.so by the Makefile. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct {
    int ready;
    char func[16];
    long k;
    int err;      /* errno to give, or 0 for a short count */
    long count;   /* calls of func so far */
    const char *log;
} cfg;

static void setup(void)
{
    if (cfg.ready)
        return;
    cfg.ready = 1;
    const char *spec = getenv("LODE_IOFAULT");
    cfg.log = getenv("LODE_IOFAULT_LOG");
    if (!spec)
        return;
    char what[16] = "";
    if (sscanf(spec, "%15[a-z]:%ld:%15s", cfg.func, &cfg.k, what) != 3) {
        cfg.func[0] = '\0';
        return;
    }
    if (!strcmp(what, "EIO"))
        cfg.err = EIO;
    else if (!strcmp(what, "ENOSPC"))
        cfg.err = ENOSPC;
    else if (!strcmp(what, "EINTR"))
        cfg.err = EINTR;
    else if (!strcmp(what, "short"))
        cfg.err = 0;
    else
        cfg.func[0] = '\0';
}

/* Non-zero if this call of func is the one to fail. */
static int hit(const char *func)
{
    setup();
    if (!cfg.func[0] || strcmp(func, cfg.func) != 0)
        return 0;
    if (++cfg.count != cfg.k)
        return 0;
    if (cfg.log) {
        /* raw syscalls: no recursion into the wrappers below */
        int fd = (int)syscall(SYS_openat, AT_FDCWD, cfg.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            char line[64];
            int n = snprintf(line, sizeof line, "%s %ld %s\n", func, cfg.k,
                             cfg.err == EIO ? "EIO" : cfg.err == ENOSPC ? "ENOSPC" : cfg.err == EINTR ? "EINTR" : "short");
            if (syscall(SYS_write, fd, line, (size_t)n) < 0) {
                /* nothing to do: the driver then sees no hit */
            }
            syscall(SYS_close, fd);
        }
    }
    return 1;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t read(int fd, void *p, size_t n)
{
    if (fd >= 3 && hit("read")) {
        if (cfg.err) {
            errno = cfg.err;
            return -1;
        }
        if (n > 1)
            n /= 2;
    }
    return NEXT(read)(fd, p, n);
}

ssize_t write(int fd, const void *p, size_t n)
{
    if (fd >= 3 && hit("write")) {
        if (cfg.err) {
            errno = cfg.err;
            return -1;
        }
        if (n > 1)
            n /= 2;
    }
    return NEXT(write)(fd, p, n);
}

/* The 64-bit variants are what a build with _FILE_OFFSET_BITS=64 calls. */
static int open_common(const char *name, const char *path, int flags, mode_t mode)
{
    if (hit(name) && cfg.err) {
        errno = cfg.err;
        return -1;
    }
    return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return open_common("open", path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return open_common("open", path, flags, mode);
}

int close(int fd)
{
    if (fd >= 3 && hit("close")) {
        if (cfg.err == EINTR)
            NEXT(close)(fd); /* Linux: the descriptor is gone anyway */
        if (cfg.err) {
            errno = cfg.err;
            return -1;
        }
    }
    return NEXT(close)(fd);
}

#define FAIL_FD(func, fd)                                                                                     \
    do {                                                                                                      \
        if ((fd) >= 3 && hit(func) && cfg.err) {                                                              \
            errno = cfg.err;                                                                                  \
            return -1;                                                                                        \
        }                                                                                                     \
    } while (0)

int fsync(int fd)
{
    FAIL_FD("fsync", fd);
    return NEXT(fsync)(fd);
}

int fdatasync(int fd)
{
    FAIL_FD("fdatasync", fd);
    return NEXT(fdatasync)(fd);
}

int syncfs(int fd)
{
    FAIL_FD("syncfs", fd);
    return NEXT(syncfs)(fd);
}

int fchmod(int fd, mode_t mode)
{
    FAIL_FD("fchmod", fd);
    return NEXT(fchmod)(fd, mode);
}

int fstat(int fd, struct stat *st)
{
    FAIL_FD("fstat", fd);
    return NEXT(fstat)(fd, st);
}

int rename(const char *from, const char *to)
{
    if (hit("rename") && cfg.err) {
        errno = cfg.err;
        return -1;
    }
    return NEXT(rename)(from, to);
}
