/* rusage.c -- runs a command and reports its CPU time and peak memory.
 *
 *   rusage REPORT_FILE TIMEOUT_SECONDS COMMAND [ARGS...]
 *
 * Runs COMMAND (stdin, stdout and stderr inherited) and, when it ends,
 * writes one line to REPORT_FILE (created or truncated):
 *
 *   status=N cpu=SECONDS maxrss_kb=N wall=SECONDS
 *
 * status is the exit status, 128 + the signal for a killed command, or
 * "timeout" when it used more than TIMEOUT_SECONDS of CPU time (RLIMIT_CPU)
 * or five times that in wall-clock time (a loaded shared machine stretches
 * wall time; a hang without CPU use is still caught); it is then killed.  CPU time is user + system of the command alone.  The point
 * of a separate small process: on Linux, a child's peak RSS includes the
 * memory of the process it was forked from (the high-water mark survives
 * exec), so measuring from a big interpreter inflates the figure. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: rusage REPORT_FILE TIMEOUT_SECONDS COMMAND [ARGS...]\n");
        return 2;
    }
    int report = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (report < 0) {
        perror(argv[1]);
        return 2;
    }
    double limit = atof(argv[2]);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("rusage: fork");
        return 2;
    }
    if (pid == 0) {
        struct rlimit rl;
        rl.rlim_cur = (rlim_t)(limit + 1);
        rl.rlim_max = (rlim_t)(limit + 2);
        setrlimit(RLIMIT_CPU, &rl); /* SIGXCPU past the CPU limit */
        execvp(argv[3], argv + 3);
        perror("rusage: exec");
        _exit(127);
    }
    int status = 0, timed_out = 0;
    struct rusage ru;
    for (;;) {
        pid_t r = wait4(pid, &status, WNOHANG, &ru);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            perror("rusage: wait4");
            return 2;
        }
        if (!timed_out && now() - t0 > 5 * limit) {
            kill(pid, SIGKILL);
            timed_out = 1;
        }
        usleep(2000);
    }
    double wall = now() - t0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
        timed_out = 1;
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    char line[160];
    int n;
    if (timed_out)
        n = snprintf(line, sizeof line, "status=timeout cpu=%.4f maxrss_kb=%ld wall=%.4f\n", cpu, ru.ru_maxrss,
                     wall);
    else
        n = snprintf(line, sizeof line, "status=%d cpu=%.4f maxrss_kb=%ld wall=%.4f\n",
                     WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status), cpu, ru.ru_maxrss,
                     wall);
    if (write(report, line, (size_t)n) != n || close(report) < 0)
        return 2;
    return 0;
}
