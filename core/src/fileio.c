/* fileio.c -- capped whole-file reads and atomic writes (see fileio.h). */
/* for madvise(MADV_HUGEPAGE), a Linux extension */
#define _DEFAULT_SOURCE
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_fd(lode_engine *e, int fd, const char *name, size_t max, size_t hint, buf *out)
{
    if (buf_reserve(out, hint ? hint : 65536) < 0)
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
#ifdef MADV_HUGEPAGE
    /* A big input is read into fresh memory, one page fault per 4 KiB
     * (12-30 us each on some VMs: most of the time of reading a 50 MB text).
     * Transparent huge pages cut that 512-fold where the kernel allows them
     * on request (mode "madvise"); elsewhere the call is a harmless no-op. */
    if (hint >= ((size_t)4 << 20)) {
        uintptr_t start = ((uintptr_t)out->ptr + 0x1FFFFF) & ~(uintptr_t)0x1FFFFF;
        uintptr_t stop = ((uintptr_t)out->ptr + out->cap) & ~(uintptr_t)0x1FFFFF;
        if (stop > start)
            madvise((void *)start, stop - start, MADV_HUGEPAGE);
    }
#endif
    for (;;) {
        if (out->cap - out->len < 2 && buf_reserve(out, out->cap) < 0)
            return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
        size_t room = out->cap - out->len - 1;
        ssize_t n = read(fd, out->ptr + out->len, room);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return engine_error(e, LODE_EIO, "%s: read failed: %s", name, strerror(errno));
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        out->ptr[out->len] = '\0';
        if (out->len > max)
            return engine_error(e, LODE_ELIMIT, "%s: larger than the input limit of %zu bytes", name,
                                max);
    }
    return LODE_OK;
}

int fileio_read_path(lode_engine *e, const char *path, size_t max, buf *out)
{
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return engine_error(e, LODE_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int err = errno;
        close(fd);
        return engine_error(e, LODE_EIO, "%s: cannot stat: %s", path, strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return engine_error(e, LODE_EIO, "%s: is a folder, not a document", path);
    }
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
        close(fd);
        return engine_error(e, LODE_ELIMIT, "%s: %lld bytes is larger than the input limit of %zu bytes",
                            path, (long long)st.st_size, max);
    }
    /* One read into a buffer of the right size for regular files. */
    size_t hint = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 0;
    int rc = read_fd(e, fd, path, max, hint, out);
    close(fd);
    return rc;
}

/* Through the stream, not its descriptor: bytes the host already pulled into
 * the stream's buffer count, and streams without a descriptor (fmemopen)
 * work. */
int fileio_read_fp(lode_engine *e, FILE *fp, const char *name, size_t max, buf *out)
{
    for (;;) {
        if (buf_reserve(out, 65536) < 0)
            return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
        size_t room = out->cap - out->len - 1;
        size_t n = fread(out->ptr + out->len, 1, room, fp);
        out->len += n;
        out->ptr[out->len] = '\0';
        if (out->len > max)
            return engine_error(e, LODE_ELIMIT, "%s: larger than the input limit of %zu bytes", name, max);
        if (n < room) {
            if (ferror(fp))
                return engine_error(e, LODE_EIO, "%s: read failed: %s", name, strerror(errno));
            return LODE_OK;
        }
    }
}

/* Writes all of data, retrying short writes and EINTR. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int fileio_write_atomic(lode_engine *e, const char *path, const void *data, size_t len)
{
    size_t n = strlen(path);
    char *tmp = mem_alloc(&e->mem, n + 16);
    if (!tmp)
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", path);
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int err = errno;
        mem_free(&e->mem, tmp);
        return engine_error(e, LODE_EIO, "%s: cannot create a temporary file: %s", path, strerror(err));
    }
    /* mkstemp makes 0600 files; output files get the usual 0666 & ~umask. */
    mode_t um = umask(0);
    umask(um);
    int err = 0;
    if (fchmod(fd, 0666 & ~um) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
        err = errno;
    if (close(fd) < 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) < 0)
        err = errno;
    if (err) {
        unlink(tmp);
        mem_free(&e->mem, tmp);
        return engine_error(e, LODE_EIO, "%s: cannot write: %s", path, strerror(err));
    }
    mem_free(&e->mem, tmp);
    return LODE_OK;
}
