/* isolate.c -- one document's work in a child process under limits (see
 * isolate.h). */
#define _GNU_SOURCE /* pipe2 */
#include "isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

int isolate_write(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The address space the process maps now, in bytes (0 if unknown). */
static unsigned long long mapped_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long long pages = 0;
    if (fscanf(f, "%llu", &pages) != 1)
        pages = 0;
    fclose(f);
    long ps = sysconf(_SC_PAGESIZE);
    return pages * (unsigned long long)(ps > 0 ? ps : 4096);
}

/* The child's CPU time limit: the wall-clock limit rounded up to seconds,
 * plus one. */
static unsigned long cpu_seconds(const isolate_limits *lim)
{
    return (lim->ms + 999) / 1000 + 1;
}

/* In the child, before the work: the limits, no core files, and death
 * with the parent. */
static void limit_child(const isolate_limits *lim, unsigned long long base)
{
    /* the worker thread blocks SIGINT, SIGTERM and SIGPIPE (the committing
     * thread handles them); the child takes them with the handlers it
     * inherited, so that an interrupted run lets the child finish its
     * document, as a worker would */
    if (lim->default_handlers) {
        for (int sig = 1; sig < 65; sig++) {
            struct sigaction sa;
            if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &sa) != 0)
                continue;
            if ((sa.sa_flags & SA_SIGINFO) || (sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN)) {
                sa.sa_handler = SIG_DFL;
                sa.sa_flags = 0;
                sigemptyset(&sa.sa_mask);
                sigaction(sig, &sa, NULL);
            }
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
    if (lim->ms) {
        /* a second above the parent's wall-clock timer, which normally
         * ends the child first; SIGXCPU, then SIGKILL a second later */
        rl.rlim_cur = (rlim_t)cpu_seconds(lim);
        rl.rlim_max = rl.rlim_cur + 1;
        setrlimit(RLIMIT_CPU, &rl);
    }
    if (lim->bytes && base) {
        /* relative to what the worker maps already: its Lua state, the
         * other threads' stacks and the allocator's reserves are inherited */
        rl.rlim_cur = rl.rlim_max = (rlim_t)(base + lim->bytes);
        setrlimit(RLIMIT_AS, &rl);
    }
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void rd_lock(pthread_rwlock_t *l)
{
    if (l)
        pthread_rwlock_rdlock(l);
}

static void rw_unlock(pthread_rwlock_t *l)
{
    if (l)
        pthread_rwlock_unlock(l);
}

/* Reads fd to its end into *buf, until the deadline (0: none).  Returns 0
 * at the end of the data, 1 at the deadline, -1 on an error (errno). */
static int read_all(int fd, double deadline, char **buf, size_t *len, size_t *cap, pthread_rwlock_t *lock,
                    const mem *m)
{
    for (;;) {
        if (*cap - *len < 65536) {
            size_t c = *cap ? *cap * 2 : 65536 * 2;
            rd_lock(lock);
            char *p = m ? mem_realloc(m, *buf, c + 1) : realloc(*buf, c + 1);
            rw_unlock(lock);
            if (!p) {
                errno = ENOMEM;
                return -1;
            }
            *buf = p;
            *cap = c;
        }
        if (deadline > 0) {
            double left = deadline - now();
            if (left <= 0)
                return 1;
            struct pollfd pf = {fd, POLLIN, 0};
            int ms = left > 3600 ? 3600000 : (int)(left * 1000) + 1;
            int k = poll(&pf, 1, ms);
            if (k < 0 && errno != EINTR)
                return -1;
            if (k <= 0)
                continue;
        }
        ssize_t k = read(fd, *buf + *len, *cap - *len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            return 0;
        *len += (size_t)k;
    }
}

int isolate_run(const isolate_limits *lim, pthread_rwlock_t *fork_lock, const mem *m, isolate_fn work, void *ud,
                char **out, size_t *len, char *why, size_t whyn)
{
    *out = NULL;
    *len = 0;
    why[0] = '\0';
    rd_lock(fork_lock);
    unsigned long long base = lim->bytes ? mapped_bytes() : 0; /* fopen allocates */
    rw_unlock(fork_lock);
    /* The pipe is made, and its writing end closed in the parent, while
     * no other worker forks: a child forked by another worker in between
     * would inherit that end (O_CLOEXEC closes it at exec, not at fork),
     * and this worker would see the end of its child's data only when
     * that other child ends -- a document waiting for a looping neighbour
     * to be killed, and killed at the time limit with it. */
    if (fork_lock)
        pthread_rwlock_wrlock(fork_lock);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        int e = errno;
        rw_unlock(fork_lock);
        snprintf(why, whyn, "could not start (pipe: %s)", strerror(e));
        return -1;
    }
    /* Standard output and error, as the child gets them: not in the middle
     * of another thread's write (their locks are held across the fork), and
     * without what the committing thread had buffered, which the child would
     * write a second time when a handler's print() flushes. */
    flockfile(stdout);
    flockfile(stderr);
    pid_t pid = fork();
    int fork_errno = errno;
    if (pid != 0) {
        funlockfile(stderr);
        funlockfile(stdout);
        close(fds[1]);
        rw_unlock(fork_lock);
    }
    if (pid < 0) {
        close(fds[0]);
        snprintf(why, whyn, "could not start (fork: %s)", strerror(fork_errno));
        return -1;
    }
    if (pid == 0) {
        __fpurge(stdout);
        __fpurge(stderr);
        /* line-buffered: the child's lines and the parent's records share
         * the file, so a line must go out in one write, never half of it
         * at a full buffer's flush */
        setvbuf(stdout, NULL, _IOLBF, BUFSIZ);
        funlockfile(stderr);
        funlockfile(stdout);
        close(fds[0]);
        limit_child(lim, base);
        int rc = work(ud, fds[1]);
        fflush(stdout); /* what a handler wrote with io.write; _exit would drop it */
        fflush(stderr);
        _exit(rc ? 1 : 0);
    }
    size_t cap = 0;
    double deadline = lim->ms ? now() + (double)lim->ms / 1000 : 0;
    int got = read_all(fds[0], deadline, out, len, &cap, fork_lock, m);
    int read_errno = errno;
    close(fds[0]);
    if (got != 0)
        kill(pid, SIGKILL);
    int st = 0;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (w < 0)
        st = 0; /* ECHILD: a host that ignores SIGCHLD has no status to
                   collect; the result tells whether the work was done */
    if (*out)
        (*out)[*len] = '\0';
    if (got == 1) {
        if (lim->ms % 1000)
            snprintf(why, whyn, "was killed after the time limit of %lu ms", lim->ms);
        else
            snprintf(why, whyn, "was killed after the time limit of %lu s", lim->ms / 1000);
        return -1;
    }
    if (got < 0) {
        snprintf(why, whyn, "could not be read (%s)", strerror(read_errno));
        return -1;
    }
    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        if (sig == SIGXCPU)
            snprintf(why, whyn, "was stopped at the CPU time limit of %lu s", cpu_seconds(lim));
        else if (sig == SIGKILL)
            snprintf(why, whyn, "was killed (signal 9): out of memory, or by another process");
        else
            snprintf(why, whyn, "crashed: signal %d (%s)", sig, strsignal(sig));
        return -1;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
        snprintf(why, whyn, "ended with status %d", WEXITSTATUS(st));
        return -1;
    }
    return 0;
}
