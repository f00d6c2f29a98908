/* inputs.c -- collecting input documents (see inputs.h). */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const known_ext[] = {".xml", ".xhtml", ".html", ".htm", ".txt", ".text", ".json",
                                        ".tei", ".jats", ".dbk", NULL};

static int known(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (const char *const *e = known_ext; *e; e++)
        if (strcasecmp(dot, *e) == 0)
            return 1;
    return 0;
}

static int push(inputs *in, const char *path, const char *rel)
{
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 64;
        input *v = realloc(in->v, cap * sizeof *v);
        if (!v)
            return -1;
        in->v = v;
        in->cap = cap;
    }
    input *it = &in->v[in->n];
    it->path = strdup(path);
    it->rel = strdup(rel);
    if (!it->path || !it->rel) {
        free(it->path);
        free(it->rel);
        errno = ENOMEM;
        return -1;
    }
    in->n++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks dir (rel: its path below the argument folder) in sorted order. */
static int walk(inputs *in, const char *dir, const char *rel, int depth)
{
    if (depth > 64)
        return 0; /* a symlink loop or an absurd tree: stop descending */
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* hidden files, . and .. */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **g = realloc(names, cap * sizeof *g);
            if (!g)
                break;
            names = g;
        }
        names[n] = strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t pl = strlen(dir) + strlen(names[i]) + 2, rl = strlen(rel) + strlen(names[i]) + 2;
        char *path = malloc(pl), *r = malloc(rl);
        if (!path || !r) {
            free(path);
            free(r);
            rc = -1;
            break;
        }
        snprintf(path, pl, "%s/%s", dir, names[i]);
        snprintf(r, rl, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        struct stat st;
        if (stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                walk(in, path, r, depth + 1);
            else if (S_ISREG(st.st_mode) && known(names[i]) && push(in, path, r) < 0)
                rc = -1;
        }
        free(path);
        free(r);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int inputs_add(inputs *in, const char *arg)
{
    if (strcmp(arg, "-") == 0)
        return push(in, "-", "stdin");
    struct stat st;
    if (stat(arg, &st) < 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(arg);
        char *dir = strdup(arg);
        if (!dir)
            return -1;
        while (n > 1 && dir[n - 1] == '/')
            dir[--n] = '\0';
        int rc = walk(in, dir, "", 0);
        free(dir);
        return rc;
    }
    const char *slash = strrchr(arg, '/');
    return push(in, arg, slash ? slash + 1 : arg);
}

void inputs_free(inputs *in)
{
    for (size_t i = 0; i < in->n; i++) {
        free(in->v[i].path);
        free(in->v[i].rel);
    }
    free(in->v);
    in->v = NULL;
    in->n = in->cap = 0;
}
