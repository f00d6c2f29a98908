/* sink.c -- the sink's lifecycle.  A run builds a new database under a
 * temporary name next to the target (PATH.lode-PID-XXXX), in WAL mode with
 * a COMMIT every SQ_BATCH records; close with commit makes it the target
 * (a hard link, so an existing target is never replaced) or, when the
 * target exists, adds its tables to the target in one transaction
 * (publish.c); close without commit deletes it.  So the target is only
 * ever changed by one short transaction or one link, and a failed or
 * killed run leaves it as it was.  README.md explains the choice. */
#include "sqlite_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Records per transaction while building. */
#define SQ_BATCH 10000

typedef struct sq_sink {
    char *path;  /* the target */
    char *tmp;   /* the database being built */
    char *label; /* default table name */
    sqlite3 *db; /* on tmp */
    sq_inserter in;
    long long pending; /* records since the last COMMIT */
} sq_sink;

int sq_fail(lode_engine *e, sqlite3 *db, int rc, const char *path, const char *what)
{
    if (rc == SQLITE_NOMEM)
        return sq_api->error(e, LODE_ENOMEM, "%s: %s: out of memory", path, what);
    /* db's message when it is about rc (not one set by this plugin) */
    const char *msg = db && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return sq_api->error(e, LODE_EIO, "%s: %s: %s", path, what, msg ? msg : sqlite3_errstr(rc));
}

/* Removes the database file f and what SQLite keeps beside it. */
static void remove_db(const char *f)
{
    static const char *const side[] = {"-wal", "-shm", "-journal"};
    size_t n = strlen(f);
    char *s = malloc(n + 16);
    if (s)
        for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
            snprintf(s, n + 16, "%s%s", f, side[i]);
            unlink(s);
        }
    free(s);
    unlink(f);
}

/* Creates the temporary file beside path (mode 0666 less the umask, as the
 * target would get) and stores its name in s->tmp. */
static int tmp_create(sq_sink *s)
{
    size_t n = strlen(s->path) + 48;
    if (!(s->tmp = malloc(n)))
        return -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long seed = (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20) ^ (unsigned long)(uintptr_t)s;
    for (int tries = 0; tries < 100; tries++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        snprintf(s->tmp, n, "%s.lode-%ld-%06lx", s->path, (long)getpid(), (seed >> 40) & 0xFFFFFF);
        int fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        if (errno != EEXIST)
            break;
    }
    return -1;
}

/* Checks that an existing target is an SQLite database this process can
 * write, so that a run fails at its start rather than at its end. */
static int target_check(lode_engine *e, const char *path)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, SQ_BUSY_MS);
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
        if (rc == SQLITE_OK && sqlite3_db_readonly(db, "main") == 1)
            rc = SQLITE_READONLY; /* opened read-only: the file is */
    }
    int status = rc == SQLITE_OK ? LODE_OK : sq_fail(e, db, rc, path, "cannot append to it");
    sqlite3_close(db);
    return status;
}

static void sink_free(sq_sink *s)
{
    sq_inserter_free(&s->in);
    sqlite3_close(s->db);
    free(s->path);
    free(s->tmp);
    free(s->label);
    free(s);
}

int sq_sink_open(void *ud, lode_engine *e, const char *path, const char *label, void **state)
{
    (void)ud;
    if (!*path || strcmp(path, "-") == 0)
        return sq_api->error(e, LODE_EIO, "%s: the sqlite sink writes a file: give its path",
                             *path ? path : "(empty path)");
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return sq_api->error(e, LODE_EIO, "%s: not a regular file", path);
        int rc = target_check(e, path);
        if (rc != LODE_OK)
            return rc;
    } else if (errno != ENOENT) {
        return sq_api->error(e, LODE_EIO, "%s: %s", path, strerror(errno));
    }
    sq_sink *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path)) || !(s->label = strdup(label && *label ? label : "records"))) {
        if (s)
            sink_free(s);
        return sq_api->error(e, LODE_ENOMEM, "%s: out of memory", path);
    }
    if (tmp_create(s) < 0) {
        int err = errno;
        sink_free(s);
        return sq_api->error(e, LODE_EIO, "%s: cannot create a file beside it: %s", path, strerror(err));
    }
    /* WAL with synchronous=NORMAL: commits do not wait for the disk; the
     * checkpoint at close syncs the whole database once (README.md). */
    int rc = sqlite3_open_v2(s->tmp, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int status = sq_fail(e, s->db, rc, path, "cannot start a database");
        remove_db(s->tmp);
        sink_free(s);
        return status;
    }
    s->in.sc.db = s->db;
    s->in.e = e;
    s->in.label = s->label;
    s->in.path = s->path;
    *state = s;
    return LODE_OK;
}

int sq_sink_write(void *state, lode_engine *e, const char *json, size_t len)
{
    sq_sink *s = state;
    s->in.e = e;
    int rc = sq_insert(&s->in, json, len);
    if (rc != LODE_OK)
        return rc;
    if (++s->pending >= SQ_BATCH) {
        s->pending = 0;
        int src = sqlite3_exec(s->db, "COMMIT; BEGIN", NULL, NULL, NULL);
        if (src != SQLITE_OK)
            return sq_fail(e, s->db, src, s->path, "cannot commit");
    }
    return LODE_OK;
}

/* Makes the file f durable (its data, or its folder's entry: f a folder). */
static int sync_path(const char *f, int folder)
{
    int fd = open(f, (folder ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int sync_folder_of(const char *path)
{
    char *d = strdup(path);
    if (!d)
        return -1;
    char *slash = strrchr(d, '/');
    if (slash)
        slash[slash == d] = '\0'; /* "/x" -> "/" */
    int rc = sync_path(slash ? d : ".", 1);
    free(d);
    return rc;
}

/* Ends the finished database s->tmp and makes it the target. */
static int publish(sq_sink *s, lode_engine *e)
{
    int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    sq_inserter_free(&s->in);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(e, s->db, rc, s->path, "cannot commit");
    /* the last connection's close moves the WAL into the database file
     * (synced: synchronous=NORMAL syncs at checkpoints) and deletes it */
    rc = sqlite3_close(s->db);
    s->db = NULL;
    if (rc != SQLITE_OK)
        return sq_fail(e, NULL, rc, s->path, "cannot close the new database");
    size_t n = strlen(s->tmp) + 8;
    char *wal = malloc(n);
    struct stat st;
    int wal_left = 1; /* unknown counts as left */
    if (wal) {
        snprintf(wal, n, "%s-wal", s->tmp);
        wal_left = stat(wal, &st) == 0 && st.st_size > 0;
        free(wal);
    }
    if (wal_left) /* its pages are not in the database file */
        return sq_api->error(e, LODE_EIO, "%s: the new database's WAL was not checkpointed", s->tmp);
    if (sync_path(s->tmp, 0) < 0)
        return sq_api->error(e, LODE_EIO, "%s: cannot sync the new database: %s", s->tmp, strerror(errno));
    if (link(s->tmp, s->path) == 0) {
        unlink(s->tmp);
        if (sync_folder_of(s->path) < 0)
            return sq_api->error(e, LODE_EIO, "%s: cannot sync its folder: %s", s->path, strerror(errno));
        return LODE_OK;
    }
    int err = errno;
    if (err != EEXIST && lstat(s->path, &st) < 0 && errno == ENOENT) {
        /* a file system without hard links: rename (which would replace a
         * target created meanwhile by another process; README.md) */
        if (rename(s->tmp, s->path) < 0)
            return sq_api->error(e, LODE_EIO, "%s: cannot put the new database in place: %s", s->path,
                                 strerror(errno));
        if (sync_folder_of(s->path) < 0)
            return sq_api->error(e, LODE_EIO, "%s: cannot sync its folder: %s", s->path, strerror(errno));
        return LODE_OK;
    }
    /* the target exists (before the run, or made meanwhile): append */
    return sq_merge(e, s->path, s->tmp);
}

int sq_sink_close(void *state, lode_engine *e, int commit)
{
    sq_sink *s = state;
    int status = LODE_OK;
    if (commit) {
        status = publish(s, e);
    } else {
        sq_inserter_free(&s->in);
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_close(s->db);
    s->db = NULL;
    remove_db(s->tmp); /* gone already after a link or rename */
    sink_free(s);
    return status;
}
