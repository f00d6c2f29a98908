/* inputs.h -- the documents a command works on: files, folders walked
 * recursively (sorted, so runs are deterministic), and "-" for stdin. */
#ifndef LODE_INPUTS_H
#define LODE_INPUTS_H

#include <stddef.h>

typedef struct input {
    char *path; /* as given or found; "-" for stdin */
    char *rel;  /* path relative to the folder argument it came from (for --write) */
} input;

typedef struct inputs {
    input *v;
    size_t n, cap;
} inputs;

/* Adds arg: a file (any name), a folder (every file below it whose
 * extension is a known input format, recursively, in sorted order) or "-".
 * Returns 0, or -1 with errno set when arg cannot be read. */
int inputs_add(inputs *in, const char *arg);
void inputs_free(inputs *in);

#endif
