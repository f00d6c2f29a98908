/* inputs.h -- the documents a run works on, in a deterministic order.
 *
 * Sources, in the order they are added: files (any name), folders (every
 * file below them whose extension is a known input format, .gz included,
 * recursively, in sorted order, filtered by --include/--exclude globs),
 * --files-from lists (one path a line, "-" for stdin), "-" (one document on
 * stdin), and -- with --from jsonl -- JSON Lines files (or "-") holding one
 * document a line: {"id": ..., "text"|"html"|"xml": "...", other fields}.
 *
 * Files are listed when added (so a run knows its total); JSON Lines files
 * are read lazily by inputs_next, one line per item, through zlib (plain or
 * gzip-compressed alike).  --shard I/N keeps the items whose shard key (the
 * relative path of a file, the id of a JSON Lines document) hashes to I.
 * Not thread-safe: the caller serialises inputs_next. */
#ifndef LODE_INPUTS_H
#define LODE_INPUTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct input {
    char *path; /* as given or found; "-" for stdin */
    char *rel;  /* path relative to the folder argument it came from (for --write) */
    uint64_t size; /* bytes (0 if unknown: stdin) */
    int jsonl;  /* a JSON Lines file: read lazily by inputs_next */
    int list;   /* a --files-from list: read lazily by inputs_next */
    int split;  /* an XML file streamed with --split: read lazily */
    char *error; /* non-NULL: a listed path that cannot be read ("PATH: No
                    such file or directory"); handed out as input_item.error */
} input;

/* One document to process, as inputs_next hands it out. */
typedef struct input_item {
    char *path;        /* file to load (lode_doc_load), "-" for stdin; NULL for
                          a JSON Lines document (data holds it) */
    char *rel;         /* relative output path for --write (JSON Lines: the id
                          made safe as a file name) */
    char *name;        /* name for messages and records: the path, or the
                          JSON Lines document's id */
    char *data;        /* JSON Lines document: its content (owned), else NULL */
    size_t len;
    const char *format; /* JSON Lines document: "text", "html" or "xml" */
    char *meta;        /* JSON Lines document: a JSON object of its other fields
                          (owned), or NULL */
    size_t meta_len;
    char *error;       /* non-NULL: this item failed before parsing (a bad JSON
                          line, ...): the message, naming FILE:LINE */
    void *xml;         /* --split: the element as a libxml2 document (owned;
                          lode_doc_adopt takes it), else NULL */
    uint64_t bytes;    /* input bytes this item accounts for (progress) */
} input_item;

typedef struct inputs {
    input *v;
    size_t n, cap;
    /* configuration, set before the first inputs_add */
    const char **include, **exclude; /* NULL-terminated glob lists (fnmatch on
                                        the relative path and the base name) */
    int jsonl;                       /* --from jsonl */
    const char *split;               /* --split ELEMENT: stream XML files, one
                                        document per ELEMENT */
    void *split_engine;              /* the lode_engine the splitter reports to
                                        (used under the caller's lock only) */
    unsigned shard, nshards;         /* --shard I/N (nshards 0: no sharding) */
    /* In folders, files with an extension of the built-in readers are
     * taken; with --include, accept_file (may be NULL) is asked about the
     * others (e.g. a plugin's .md), by base name: non-zero takes the file
     * if the globs keep it.  (Without --include a folder's README.md is
     * not a document just because a plugin could read it.) */
    int (*accept_file)(void *ud, const char *name);
    void *accept_ud;
    /* iteration state (private) */
    size_t next;
    void *gz;
    long line;
    char *linebuf;
    size_t linecap;
    void *listfp;      /* the --files-from list being read */
    char *listbuf;     /* its current line */
    size_t listcap;
    struct input *pv;  /* entries of the list line being handed out */
    size_t pn, pcap, pnext;
    size_t listed;     /* non-blank lines of the regular-file lists (an
                          estimate of their documents, for progress) */
    int inexact;       /* a list is read lazily: inputs_count is an estimate */
    void *splitter;    /* the lode_split being read */
    char *split_rel;   /* its entry's rel without extension */
    char *split_path;
    long split_n;
} inputs;

/* Adds arg: a file, a folder or "-".  Returns 0, or -1 with errno set when
 * arg cannot be read. */
int inputs_add(inputs *in, const char *arg);

/* The extensions of the files a folder gives ("." included; NULL ends the
 * array): what inputs_add takes from a folder, and what `lode run --help`
 * lists. */
extern const char *const inputs_folder_ext[];
/* Adds every path listed in the file at list ("-": stdin), one a line
 * (blank lines skipped; trailing CR dropped).  The list is read lazily, as
 * inputs_next gets to it, so a list of a million paths costs no memory of
 * its own: a run's memory does not grow with its number of documents.  0,
 * or -1 with errno set when list cannot be opened. */
int inputs_add_list(inputs *in, const char *list);
/* Number of documents known in advance (JSON Lines documents are not;
 * documents of --files-from lists are estimated by their non-blank lines,
 * see inputs_count_exact) and the total bytes of all inputs (for progress;
 * JSON Lines files counted whole, list entries not at all). */
size_t inputs_count(const inputs *in);
/* Whether inputs_count is exact (no list, no JSON Lines). */
int inputs_count_exact(const inputs *in);
uint64_t inputs_bytes(const inputs *in);
/* The next item: 1 with *it filled (clear it with input_item_clear), 0 at
 * the end, -1 on a fatal error (errno set; e.g. out of memory). */
int inputs_next(inputs *in, input_item *it);
void input_item_clear(input_item *it);
void inputs_free(inputs *in);

/* The shard an item with this key falls in (FNV-1a 64, modulo nshards). */
unsigned inputs_shard_of(const char *key, size_t len, unsigned nshards);

#endif
