/* corpus_sweep.c -- every document of a corpus through every writer.
 *
 * usage: corpus_sweep [--expect-fail LIST] DIR...
 *
 * For each file under DIR (recursively; formats by extension: .xml .html
 * .htm .txt .json; other files skipped): parse it, check the tree invariants,
 * write it in all five formats (output must be valid UTF-8 without NUL),
 * check that json -> tree -> json gives the same bytes, and for text inputs
 * that text -> html -> tree -> text keeps every paragraph.  Prints one TAP
 * line per DIR and check, listing the files that failed.  Files named in
 * LIST (one relative path per line, '#' comments) are expected to be refused
 * by the reader; they count as passing only if they are. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lode.h"
#include "tree_check.h"
#include "utf8.h"

enum { C_PARSE, C_TREE, C_XML, C_HTML, C_TEXT, C_MD, C_JSON, C_ROUNDTRIP, C_TEXTRT, C_ENTITIES, NCHECK };
static const char *check_name[NCHECK] = {"parse",        "tree invariants", "write xml",
                                         "write html",   "write text",      "write markdown",
                                         "write json",   "json round trip", "text->html->text keeps paragraphs",
                                         "xml with --entities: parse, invariants, json round trip"};
static const char *out_fmt[] = {"xml", "html", "text", "markdown", "json"};

typedef struct sweep {
    lode_engine *e;
    char **expect_fail;
    size_t nexpect;
    long files;
    long fails[NCHECK];
    char *first_fail[NCHECK];
    const char *root;
} sweep;

static sweep S; /* nftw has no user pointer */

static void fail(int check, const char *path, const char *why)
{
    if (S.fails[check]++ < 5)
        printf("#   %s: %s: %s\n", check_name[check], path, why);
}

static int expected_failure(const char *path)
{
    for (size_t i = 0; i < S.nexpect; i++) {
        size_t n = strlen(S.expect_fail[i]);
        size_t m = strlen(path);
        if (m >= n && strcmp(path + m - n, S.expect_fail[i]) == 0)
            return 1;
    }
    return 0;
}

static int readable(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return 0;
    return !strcmp(dot, ".xml") || !strcmp(dot, ".html") || !strcmp(dot, ".htm") || !strcmp(dot, ".txt") ||
           (!strcmp(dot, ".json") && strstr(path, "lode-tree"));
}

static int valid_output(const char *s, size_t n)
{
    return memchr(s, 0, n) == NULL && utf8_validate((const unsigned char *)s, n, NULL) == 0;
}

static size_t count_blocks(const char *s)
{
    size_t n = 0;
    int in_block = 0;
    const char *line = s;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        int blank = 1;
        for (size_t i = 0; i < len; i++)
            if (line[i] != ' ' && line[i] != '\t')
                blank = 0;
        if (!blank && !in_block)
            n++;
        in_block = !blank;
        line = nl ? nl + 1 : line + len;
    }
    return n;
}

static void one_file(const char *path)
{
    S.files++;
    lode_doc *doc = NULL;
    int rc = lode_doc_load(S.e, path, NULL, &doc);
    int expect = expected_failure(path);
    if (rc != LODE_OK) {
        if (!expect)
            fail(C_PARSE, path, lode_errmsg(S.e));
        return;
    }
    if (expect) {
        fail(C_PARSE, path, "expected to be refused, but was read");
        lode_doc_free(doc);
        return;
    }
    char err[256];
    if (tree_check(lode_doc_xml(doc), err, sizeof err) != 0)
        fail(C_TREE, path, err);
    char *json = NULL;
    size_t json_len = 0;
    char *text = NULL, *html = NULL;
    for (int i = 0; i < 5; i++) {
        lode_write_options wo = {out_fmt[i], 0};
        char *out = NULL;
        size_t n = 0;
        rc = lode_doc_write_buffer(S.e, doc, &wo, &out, &n);
        if (rc != LODE_OK)
            fail(C_XML + i, path, lode_errmsg(S.e));
        else if (!valid_output(out, n))
            fail(C_XML + i, path, "output is not valid UTF-8 or holds NUL");
        if (i == 4) {
            json = out;
            json_len = n;
        } else if (i == 2) {
            text = out;
        } else if (i == 1) {
            html = out;
        } else {
            lode_free(S.e, out);
        }
    }
    if (json) {
        lode_parse_options po = {"json", NULL, 0};
        lode_doc *back = NULL;
        rc = lode_doc_parse(S.e, json, json_len, path, &po, &back);
        if (rc != LODE_OK) {
            fail(C_ROUNDTRIP, path, lode_errmsg(S.e));
        } else {
            lode_write_options wo = {"json", 0};
            char *json2 = NULL;
            size_t n2 = 0;
            if (tree_check(lode_doc_xml(back), err, sizeof err) != 0)
                fail(C_TREE, path, err);
            if (lode_doc_write_buffer(S.e, back, &wo, &json2, &n2) != LODE_OK)
                fail(C_ROUNDTRIP, path, lode_errmsg(S.e));
            else if (n2 != json_len || memcmp(json, json2, n2) != 0)
                fail(C_ROUNDTRIP, path, "json -> tree -> json differs");
            lode_free(S.e, json2);
            lode_doc_free(back);
        }
    }
    if (text && html && strcmp(lode_doc_format(doc), "text") == 0) {
        lode_parse_options po = {"html", NULL, 0};
        lode_doc *back = NULL;
        if (lode_doc_parse(S.e, html, strlen(html), path, &po, &back) != LODE_OK) {
            fail(C_TEXTRT, path, lode_errmsg(S.e));
        } else {
            lode_write_options wo = {"text", 0};
            char *text2 = NULL;
            size_t n2;
            if (lode_doc_write_buffer(S.e, back, &wo, &text2, &n2) != LODE_OK)
                fail(C_TEXTRT, path, lode_errmsg(S.e));
            else if (strcmp(text, text2) != 0 || count_blocks(text) != count_blocks(text2))
                fail(C_TEXTRT, path, "text differs after html round trip");
            lode_free(S.e, text2);
            lode_doc_free(back);
        }
    }
    if (strcmp(lode_doc_format(doc), "xml") == 0) {
        /* Entity substitution (under its budget) must give a sound tree that
         * round-trips too. */
        lode_parse_options po = {NULL, NULL, LODE_PARSE_ENTITIES};
        lode_doc *ex = NULL;
        if (lode_doc_load(S.e, path, &po, &ex) != LODE_OK) {
            fail(C_ENTITIES, path, lode_errmsg(S.e));
        } else {
            lode_write_options wo = {"json", 0};
            char *j1 = NULL, *j2 = NULL;
            size_t n1 = 0, n2 = 0;
            lode_doc *back = NULL;
            lode_parse_options jp = {"json", NULL, 0};
            if (tree_check(lode_doc_xml(ex), err, sizeof err) != 0)
                fail(C_ENTITIES, path, err);
            else if (lode_doc_write_buffer(S.e, ex, &wo, &j1, &n1) != LODE_OK ||
                     lode_doc_parse(S.e, j1, n1, path, &jp, &back) != LODE_OK ||
                     lode_doc_write_buffer(S.e, back, &wo, &j2, &n2) != LODE_OK)
                fail(C_ENTITIES, path, lode_errmsg(S.e));
            else if (n1 != n2 || memcmp(j1, j2, n1) != 0)
                fail(C_ENTITIES, path, "json round trip differs");
            lode_free(S.e, j1);
            lode_free(S.e, j2);
            lode_doc_free(back);
            lode_doc_free(ex);
        }
    }
    lode_free(S.e, json);
    lode_free(S.e, text);
    lode_free(S.e, html);
    lode_doc_free(doc);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_F && readable(path))
        one_file(path);
    return 0;
}

static void load_expect(const char *list)
{
    FILE *fp = fopen(list, "r");
    if (!fp) {
        perror(list);
        exit(2);
    }
    char line[4096];
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = 0;
        char *h = strchr(line, '#');
        if (h)
            *h = 0;
        size_t n = strlen(line);
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
            line[--n] = 0;
        if (!n)
            continue;
        S.expect_fail = realloc(S.expect_fail, (S.nexpect + 1) * sizeof *S.expect_fail);
        S.expect_fail[S.nexpect++] = strdup(line);
    }
    fclose(fp);
}

int main(int argc, char **argv)
{
    int i = 1, tap = 0, failed = 0;
    if (i + 1 < argc && strcmp(argv[i], "--expect-fail") == 0) {
        load_expect(argv[i + 1]);
        i += 2;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: corpus_sweep [--expect-fail LIST] DIR...\n");
        return 2;
    }
    S.e = lode_engine_new(NULL);
    for (; i < argc; i++) {
        memset(S.fails, 0, sizeof S.fails);
        S.files = 0;
        S.root = argv[i];
        nftw(argv[i], visit, 32, FTW_PHYS);
        for (int c = 0; c < NCHECK; c++) {
            if (c == C_TEXTRT && !strstr(argv[i], "news") && !strstr(argv[i], "seed") && !strstr(argv[i], "text"))
                continue;
            if (c == C_ENTITIES && !strstr(argv[i], "xml"))
                continue;
            tap++;
            if (S.fails[c]) {
                failed++;
                printf("not ok %d - corpus %s: %s (%ld of %ld files failed)\n", tap, argv[i], check_name[c],
                       S.fails[c], S.files);
            } else {
                printf("ok %d - corpus %s: %s (%ld files)\n", tap, argv[i], check_name[c], S.files);
            }
        }
        fflush(stdout);
    }
    lode_engine_free(S.e);
    for (size_t k = 0; k < S.nexpect; k++)
        free(S.expect_fail[k]);
    free(S.expect_fail);
    printf("# %d passed, %d failed\n", tap - failed, failed);
    return failed ? 1 : 0;
}
