/* progress.c -- the progress line (see progress.h). */
#include "progress.h"

#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_init(progress *p, FILE *fp, int mode, size_t total, uint64_t total_bytes)
{
    p->fp = fp;
    p->on = mode < 0 ? isatty(fileno(fp)) : mode;
    p->shown = 0;
    p->start = now();
    p->last = 0;
    p->done = p->failed = 0;
    p->total = total;
    p->bytes = 0;
    p->total_bytes = total_bytes;
}

void progress_doc(progress *p, uint64_t bytes, int failed)
{
    p->done++;
    p->bytes += bytes;
    if (failed)
        p->failed++;
}

static void clock_text(char *out, size_t n, double s)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(out, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
}

void progress_tick(progress *p)
{
    if (!p->on)
        return;
    double t = now();
    if (t - p->last < 0.1)
        return;
    p->last = t;
    double el = t - p->start;
    char elapsed[32], eta[48] = "";
    clock_text(elapsed, sizeof elapsed, el);
    double mbs = el > 0 ? (double)p->bytes / 1e6 / el : 0;
    /* ETA from bytes when their total is known (documents vary in size),
     * else from documents */
    double frac = 0;
    if (p->total_bytes && p->bytes)
        frac = (double)p->bytes / (double)p->total_bytes;
    else if (p->total && p->done)
        frac = (double)p->done / (double)p->total;
    if (frac > 0 && frac < 1 && el > 0.5) {
        char c[32];
        clock_text(c, sizeof c, el / frac - el);
        snprintf(eta, sizeof eta, "  ETA %s", c);
    }
    char docs[64];
    if (p->total)
        snprintf(docs, sizeof docs, "%zu/%zu docs", p->done, p->total);
    else
        snprintf(docs, sizeof docs, "%zu docs", p->done);
    char failed[40] = "";
    if (p->failed)
        snprintf(failed, sizeof failed, "  %zu failed", p->failed);
    fprintf(p->fp, "\r\033[Klode: %s  %.1f MB/s  %s elapsed%s%s", docs, mbs, elapsed, eta, failed);
    fflush(p->fp);
    p->shown = 1;
}

void progress_clear(progress *p)
{
    if (!p->shown)
        return;
    fputs("\r\033[K", p->fp);
    fflush(p->fp);
    p->shown = 0;
}

double progress_elapsed(const progress *p)
{
    return now() - p->start;
}
