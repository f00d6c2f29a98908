/* fileio.c -- capped whole-file reads, gzip and atomic writes (see fileio.h). */
/* for madvise(MADV_HUGEPAGE), a Linux extension */
#define _DEFAULT_SOURCE
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

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

int fileio_is_gzip(const void *data, size_t len)
{
    const unsigned char *p = data;
    return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* zlib's allocator hooks: the engine's allocator, so the host's allocator
 * (and the fault injection of the tests) sees zlib's memory too. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    return mem_alloc(opaque, (size_t)items * size); /* uInt * uInt fits in size_t */
}

static void z_free(voidpf opaque, voidpf ptr)
{
    mem_free(opaque, ptr);
}

/* Inflates in place of a whole-buffer decompression so that the output cap
 * is checked as bytes come out: a bomb (a few KiB that inflate to GiB) costs
 * at most max + 1 bytes of memory before it is refused. */
int fileio_gunzip(lode_engine *e, const char *name, const void *data, size_t len, size_t max, buf *out)
{
    const unsigned char *in = data;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    zs.opaque = (voidpf)&e->mem;
    int zrc = inflateInit2(&zs, 15 + 16); /* 15-bit window, gzip wrapper only */
    if (zrc != Z_OK)
        return zrc == Z_MEM_ERROR ? engine_error(e, LODE_ENOMEM, "%s: out of memory", name)
                                  : engine_error(e, LODE_ERROR, "%s: cannot start zlib (%d)", name, zrc);
    /* A first guess at the size: compressed text is usually 3-10x smaller. */
    size_t guess = len < max / 4 ? len * 4 : max;
    if (guess < 65536)
        guess = 65536;
    int rc = LODE_OK;
    size_t fed = 0; /* bytes of data handed to zlib so far */
    if (buf_reserve(out, guess > max ? max + 1 : guess) < 0)
        rc = engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
    while (rc == LODE_OK) {
        if (zs.avail_in == 0 && fed < len) {
            size_t n = len - fed > UINT_MAX ? UINT_MAX : len - fed;
            zs.next_in = (Bytef *)(uintptr_t)(in + fed); /* zlib does not write through it */
            zs.avail_in = (uInt)n;
            fed += n;
        }
        if (out->cap - out->len < 2) {
            size_t more = out->cap > max + 1 - out->len ? max + 1 - out->len : out->cap;
            if (buf_reserve(out, more) < 0) {
                rc = engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
                break;
            }
        }
        /* Never more than max + 1 bytes out: one past the cap proves it is
         * exceeded. */
        size_t room = out->cap - out->len - 1;
        if (room > max + 1 - out->len)
            room = max + 1 - out->len;
        if (room > UINT_MAX)
            room = UINT_MAX;
        zs.next_out = (Bytef *)out->ptr + out->len;
        zs.avail_out = (uInt)room;
        zrc = inflate(&zs, Z_NO_FLUSH);
        out->len += room - zs.avail_out;
        out->ptr[out->len] = '\0';
        size_t at = fed - zs.avail_in; /* compressed bytes consumed */
        if (out->len > max) {
            rc = engine_error(e, LODE_ELIMIT,
                              "%s: larger than the input limit of %zu bytes once decompressed (gzip data)", name,
                              max);
        } else if (zrc == Z_STREAM_END) {
            /* Another member may follow (gzip allows concatenation). */
            if (!fileio_is_gzip(in + at, len - at))
                break;
            zrc = inflateReset(&zs);
            if (zrc != Z_OK)
                rc = engine_error(e, LODE_ERROR, "%s: zlib reset failed (%d)", name, zrc);
        } else if (zrc == Z_MEM_ERROR) {
            rc = engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
        } else if (zrc == Z_DATA_ERROR || zrc == Z_NEED_DICT || zrc == Z_STREAM_ERROR) {
            rc = engine_error(e, LODE_EPARSE, "%s: corrupt gzip data at byte %zu: %s", name, at,
                              zs.msg ? zs.msg : "invalid data");
        } else if (zrc == Z_BUF_ERROR) {
            /* No progress possible.  There is always output room here, so
             * the input ended before the stream did. */
            rc = engine_error(e, LODE_EPARSE, "%s: corrupt gzip data at byte %zu: %s", name, at,
                              zs.avail_in == 0 && fed == len ? "unexpected end of data (truncated)" : "no progress");
        }
    }
    inflateEnd(&zs);
    return rc;
}

/* fchmod, fsync and rename made again while they fail with EINTR (an
 * interrupted call did nothing, or nothing that doing it again undoes). */
static int fchmod_retry(int fd, mode_t mode)
{
    int r;
    do
        r = fchmod(fd, mode);
    while (r < 0 && errno == EINTR);
    return r;
}

static int fsync_retry(int fd)
{
    int r;
    do
        r = fsync(fd);
    while (r < 0 && errno == EINTR);
    return r;
}

static int rename_retry(const char *from, const char *to)
{
    int r;
    do
        r = rename(from, to);
    while (r < 0 && errno == EINTR);
    return r;
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

/* Opens the target itself (write_in_place): for one that exists and is not
 * a regular file (/dev/null, /dev/stdout, a named pipe), as renaming a
 * temporary file over it would replace the device with a file (as root,
 * even /dev/null); create: also a dangling link's target. */
static int open_in_place(lode_engine *e, const char *path, int create, fileio_out *o)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0666);
    if (fd < 0)
        return engine_error(e, LODE_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *name = mem_alloc(&e->mem, strlen(path) + 1);
    if (!name) {
        close(fd);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", path);
    }
    strcpy(name, path);
    o->path = name;
    o->fd = fd;
    return LODE_OK;
}

int fileio_out_open(lode_engine *e, const char *path, fileio_out *o)
{
    memset(o, 0, sizeof *o);
    o->e = e;
    o->fd = -1;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* A symbolic link: replace the file it points to, keeping the link
         * (renaming over it would replace the link, e.g. /dev/stdout). */
        char *real = realpath(path, NULL);
        if (real) {
            int rc = fileio_out_open(e, real, o);
            free(real);
            return rc;
        }
        /* a dangling link, or one to a pipe (/dev/stdout): through the link */
        return open_in_place(e, path, 1, o);
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode))
            return engine_error(e, LODE_EIO, "%s: is a folder, not a file", path);
        return open_in_place(e, path, 0, o);
    }
    size_t n = strlen(path);
    char *name = mem_alloc(&e->mem, n + 1), *tmp = mem_alloc(&e->mem, n + 16);
    if (!name || !tmp) {
        mem_free(&e->mem, name);
        mem_free(&e->mem, tmp);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", path);
    }
    memcpy(name, path, n + 1);
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int err = errno;
        mem_free(&e->mem, name);
        mem_free(&e->mem, tmp);
        return engine_error(e, LODE_EIO, "%s: cannot create a temporary file: %s", path, strerror(err));
    }
    o->path = name;
    o->tmp = tmp;
    o->fd = fd;
    /* mkstemp makes 0600 files; output files get the usual 0666 & ~umask. */
    mode_t um = umask(0);
    umask(um);
    if (fchmod_retry(fd, 0666 & ~um) < 0)
        o->err = errno;
    return LODE_OK;
}

int fileio_out_write(fileio_out *o, const void *data, size_t len)
{
    if (o->err)
        return -1;
    if (write_all(o->fd, data, len) < 0) {
        o->err = errno;
        return -1;
    }
    return 0;
}

static void out_release(fileio_out *o)
{
    mem_free(&o->e->mem, o->path);
    mem_free(&o->e->mem, o->tmp);
    o->path = o->tmp = NULL;
    o->fd = -1;
}

int fileio_out_commit(fileio_out *o, int sync)
{
    int err = o->err;
    if (!err && o->tmp && sync && fsync_retry(o->fd) < 0)
        err = errno;
    /* Linux closes the descriptor even when close reports EINTR, and the
     * data was handed over by then: not an error, and never retried (the
     * number may already name another thread's file). */
    if (close(o->fd) < 0 && errno != EINTR && !err)
        err = errno;
    if (!err && o->tmp && rename_retry(o->tmp, o->path) < 0)
        err = errno;
    int rc = LODE_OK;
    if (err) {
        if (o->tmp)
            unlink(o->tmp);
        rc = engine_error(o->e, LODE_EIO, "%s: cannot write: %s", o->path, strerror(err));
    }
    out_release(o);
    return rc;
}

void fileio_out_abort(fileio_out *o)
{
    if (o->fd < 0)
        return;
    close(o->fd);
    if (o->tmp)
        unlink(o->tmp);
    out_release(o);
}

int fileio_write_atomic(lode_engine *e, const char *path, const void *data, size_t len)
{
    return fileio_write_atomic_sync(e, path, data, len, 1);
}

int fileio_write_atomic_sync(lode_engine *e, const char *path, const void *data, size_t len, int sync)
{
    fileio_out o;
    int rc = fileio_out_open(e, path, &o);
    if (rc != LODE_OK)
        return rc;
    fileio_out_write(&o, data, len);
    return fileio_out_commit(&o, sync);
}
