/* test_gzip.c -- gzip-compressed documents through lode_doc_load and
 * lode_doc_read_file, and format detection through a trailing ".gz".
 *
 * A .xml.gz must load to the same tree as the plain file; truncated and
 * corrupt data give LODE_EPARSE naming the file and the byte offset; a
 * gzip bomb stops at max_input_bytes of decompressed output with
 * LODE_ELIMIT (the boundary is exact); every allocation zlib makes comes
 * from the engine's allocator, and failing any of them gives LODE_ENOMEM
 * with nothing leaked.  Run from the project root (tests/run.sh does): a few
 * cases read examples/documents/. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "harness.h"
#include "test_alloc.h"
#include "lode.h"

#define SEED "examples/documents/putin-kim-wladiwostok.txt"

static char root[256];

static const char *at(const char *rel)
{
    static char path[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(path[i], sizeof path[i], "%s/%s", root, rel);
    return path[i];
}

static void put_bytes(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(data, 1, len, fp);
        fclose(fp);
    }
}

/* Writes len bytes of data gzip-compressed to path (appending a member
 * with mode "ab"). */
static void put_gz(const char *path, const char *mode, const void *data, size_t len)
{
    gzFile gz = gzopen(path, mode);
    if (!gz)
        return;
    const char *p = data;
    while (len) {
        unsigned n = len > (1u << 30) ? 1u << 30 : (unsigned)len;
        gzwrite(gz, p, n);
        p += n;
        len -= n;
    }
    gzclose(gz);
}

/* The whole file at path (malloc'ed), its size in *len. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *s = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *g = realloc(s, cap);
            if (!g)
                break;
            s = g;
        }
        size_t got = fread(s + n, 1, 4096, fp);
        n += got;
        if (got < 4096)
            break;
    }
    fclose(fp);
    if (s)
        s[n] = '\0';
    *len = n;
    return s;
}

/* Serialises d as fmt into a malloc'ed string. */
static char *write_str(lode_engine *e, const lode_doc *d, const char *fmt)
{
    lode_write_options wo = {.format = fmt};
    char *out = NULL;
    size_t n = 0;
    if (!d || lode_doc_write_buffer(e, d, &wo, &out, &n) != LODE_OK)
        return NULL;
    char *copy = strdup(out);
    lode_free(e, out);
    return copy;
}

static int contains(const char *s, const char *needle)
{
    int ok = s && strstr(s, needle) != NULL;
    if (!ok)
        printf("#   \"%s\" not found in \"%s\"\n", needle, s ? s : "(null)");
    return ok;
}

/* Loads path and returns its serialisation as fmt (or NULL). */
static char *load_as(lode_engine *e, const char *path, const char *fmt, const char **format)
{
    lode_doc *d = NULL;
    int rc = lode_doc_load(e, path, NULL, &d);
    if (rc != LODE_OK)
        printf("# load %s: %s\n", path, lode_errmsg(e));
    if (format)
        *format = d ? lode_doc_format(d) : NULL;
    char *s = write_str(e, d, fmt);
    lode_doc_free(d);
    return s;
}

static const char small_xml[] = "<?xml version=\"1.0\"?>\n<r>\n<p id=\"a\">one</p>\n<p>two &amp; three</p>\n</r>\n";

/* ---- cases ------------------------------------------------------------- */

static void detect(void)
{
    lode_engine *e = lode_engine_new(NULL);
    CHECK_EQ_STR(lode_format_detect(e, "a.xml.gz", NULL, 0), "xml");
    CHECK_EQ_STR(lode_format_detect(e, "dir.d/b.txt.gz", NULL, 0), "text");
    CHECK_EQ_STR(lode_format_detect(e, "C.HTML.GZ", NULL, 0), "html");
    CHECK_EQ_STR(lode_format_detect(e, "t.json.gz", NULL, 0), "json");
    CHECK_EQ_STR(lode_format_detect(e, "x.gz.xml", NULL, 0), "xml");
    CHECK_EQ_STR(lode_format_detect(e, "a.xml", NULL, 0), "xml"); /* unchanged */
    CHECK(lode_format_detect(e, "a.gz", NULL, 0) == NULL);        /* nothing under the .gz */
    CHECK_EQ_INT(lode_errcode(e), LODE_EFORMAT);
    CHECK(lode_format_detect(e, ".xml.gz", NULL, 0) == NULL); /* a hidden name, not an extension */
    CHECK(lode_format_detect(e, "a.md.gz", NULL, 0) == NULL); /* markdown is not readable */
    CHECK(lode_format_detect(e, "a.tar.gz", NULL, 0) == NULL);
    /* a bare .gz name falls back to sniffing */
    CHECK_EQ_STR(lode_format_detect(e, "a.gz", "<?xml version=\"1.0\"?><a/>", 26), "xml");
    lode_engine_free(e);
}

static void same_tree(void)
{
    lode_engine *e = lode_engine_new(NULL);
    put_bytes(at("a.xml"), small_xml, strlen(small_xml));
    put_gz(at("a.xml.gz"), "wb", small_xml, strlen(small_xml));
    const char *f1 = NULL, *f2 = NULL;
    char *plain = load_as(e, at("a.xml"), "json", &f1);
    char *gz = load_as(e, at("a.xml.gz"), "json", &f2);
    CHECK(plain != NULL);
    CHECK_EQ_STR(gz, plain);
    CHECK_EQ_STR(f2, "xml");
    free(plain);
    free(gz);

    lode_doc *d = NULL;
    CHECK_EQ_INT(lode_doc_load(e, at("a.xml.gz"), NULL, &d), LODE_OK);
    CHECK_EQ_STR(lode_doc_name(d), at("a.xml.gz")); /* the name as given */
    lode_doc_free(d);

    /* the seed article as .txt.gz: text by the name, same HTML as the plain file */
    size_t n = 0;
    char *seed = slurp(SEED, &n);
    CHECK(seed != NULL && n > 1000);
    put_gz(at("seed.txt.gz"), "wb", seed, n);
    plain = load_as(e, SEED, "html", NULL);
    gz = load_as(e, at("seed.txt.gz"), "html", &f2);
    CHECK(plain != NULL);
    CHECK_EQ_STR(gz, plain);
    CHECK_EQ_STR(f2, "text");
    free(plain);
    free(gz);
    free(seed);

    /* gzip by its magic bytes, whatever the name: sniffed after inflating */
    static const char page[] = "<!DOCTYPE html><html><head><title>T</title></head><body><p>x</p></body></html>";
    put_gz(at("page.gz"), "wb", page, strlen(page));
    put_gz(at("page.data"), "wb", page, strlen(page));
    gz = load_as(e, at("page.gz"), "text", &f2);
    CHECK_EQ_STR(f2, "html");
    CHECK(contains(gz, "x"));
    free(gz);
    gz = load_as(e, at("page.data"), "text", &f2);
    CHECK_EQ_STR(f2, "html");
    free(gz);

    /* a plain file named .gz is read as it is */
    put_bytes(at("plain.xml.gz"), small_xml, strlen(small_xml));
    gz = load_as(e, at("plain.xml.gz"), "xml", &f2);
    CHECK_EQ_STR(f2, "xml");
    CHECK(contains(gz, "two &amp; three"));
    free(gz);

    /* --from still wins */
    lode_parse_options po = {"text", NULL, 0};
    CHECK_EQ_INT(lode_doc_load(e, at("a.xml.gz"), &po, &d), LODE_OK);
    CHECK_EQ_STR(lode_doc_format(d), "text");
    lode_doc_free(d);

    /* members: concatenated gzip members are one document; bytes after the
     * last member that start no other are ignored (as gzip(1) does) */
    put_gz(at("two.xml.gz"), "wb", "<r><a>1</a>", 11);
    put_gz(at("two.xml.gz"), "ab", "<b>2</b></r>", 12);
    gz = load_as(e, at("two.xml.gz"), "xml", NULL);
    CHECK(contains(gz, "<r><a>1</a><b>2</b></r>"));
    free(gz);
    FILE *fp = fopen(at("two.xml.gz"), "ab");
    if (fp) {
        fputs("\n\n", fp);
        fclose(fp);
    }
    gz = load_as(e, at("two.xml.gz"), "xml", NULL);
    CHECK(contains(gz, "<r><a>1</a><b>2</b></r>"));
    free(gz);

    /* empty content */
    put_gz(at("empty.txt.gz"), "wb", "", 0);
    CHECK_EQ_INT(lode_doc_load(e, at("empty.txt.gz"), NULL, &d), LODE_EEMPTY);
    CHECK(contains(lode_errmsg(e), "empty.txt.gz: empty document"));

    /* lode_doc_read_file inflates too */
    fp = fopen(at("a.xml.gz"), "rb");
    CHECK(fp != NULL);
    if (fp) {
        CHECK_EQ_INT(lode_doc_read_file(e, fp, "<stdin>", NULL, &d), LODE_OK);
        CHECK_EQ_STR(lode_doc_format(d), "xml");
        lode_doc_free(d);
        fclose(fp);
    }
    lode_engine_free(e);
}

static void corrupt(void)
{
    lode_engine *e = lode_engine_new(NULL);
    size_t n = 0;
    char *seed = slurp(SEED, &n);
    put_gz(at("cut.txt.gz"), "wb", seed, n);
    size_t gzlen = 0;
    char *z = slurp(at("cut.txt.gz"), &gzlen);
    CHECK(z != NULL && gzlen > 200);

    /* truncated: half the file */
    put_bytes(at("cut.txt.gz"), z, gzlen / 2);
    lode_doc *d = NULL;
    CHECK_EQ_INT(lode_doc_load(e, at("cut.txt.gz"), NULL, &d), LODE_EPARSE);
    CHECK(d == NULL);
    char want[600];
    snprintf(want, sizeof want, "%s: corrupt gzip data at byte %zu: unexpected end of data (truncated)",
             at("cut.txt.gz"), gzlen / 2);
    CHECK_EQ_STR(lode_errmsg(e), want);

    /* only the 10-byte header */
    put_bytes(at("head.txt.gz"), z, 10);
    CHECK_EQ_INT(lode_doc_load(e, at("head.txt.gz"), NULL, &d), LODE_EPARSE);
    CHECK(contains(lode_errmsg(e), "head.txt.gz: corrupt gzip data at byte"));

    /* the magic bytes only */
    put_bytes(at("magic.xml"), "\x1f\x8b", 2);
    CHECK_EQ_INT(lode_doc_load(e, at("magic.xml"), NULL, &d), LODE_EPARSE);
    CHECK(contains(lode_errmsg(e), "magic.xml: corrupt gzip data at byte"));

    /* a bad compression method in the header */
    char *bad = malloc(gzlen);
    memcpy(bad, z, gzlen);
    bad[2] = 7;
    put_bytes(at("method.txt.gz"), bad, gzlen);
    CHECK_EQ_INT(lode_doc_load(e, at("method.txt.gz"), NULL, &d), LODE_EPARSE);
    CHECK(contains(lode_errmsg(e), "method.txt.gz: corrupt gzip data at byte"));
    printf("# %s\n", lode_errmsg(e));

    /* a damaged CRC in the trailer */
    memcpy(bad, z, gzlen);
    bad[gzlen - 6] ^= 0x55;
    put_bytes(at("crc.txt.gz"), bad, gzlen);
    CHECK_EQ_INT(lode_doc_load(e, at("crc.txt.gz"), NULL, &d), LODE_EPARSE);
    CHECK(contains(lode_errmsg(e), "crc.txt.gz: corrupt gzip data at byte"));
    CHECK(contains(lode_errmsg(e), "incorrect data check"));

    /* flipped bytes inside the deflate data */
    int all = 1;
    for (size_t i = 12; i < gzlen - 8; i += 97) {
        memcpy(bad, z, gzlen);
        bad[i] ^= 0xA5;
        put_bytes(at("flip.txt.gz"), bad, gzlen);
        int rc = lode_doc_load(e, at("flip.txt.gz"), NULL, &d);
        lode_doc_free(d);
        d = NULL;
        if (rc != LODE_EPARSE || !strstr(lode_errmsg(e), "corrupt gzip data at byte")) {
            printf("#   flip at %zu: %d %s\n", i, rc, lode_errmsg(e));
            all = 0;
        }
    }
    CHECK(all);
    free(bad);
    free(z);
    free(seed);
    lode_engine_free(e);
}

static void bomb(void)
{
    /* 64 MiB of spaces in an element: about 64 KiB compressed */
    size_t big = (size_t)64 << 20;
    char *s = malloc(big);
    CHECK(s != NULL);
    if (!s)
        return;
    memset(s, ' ', big);
    memcpy(s, "<r>", 3);
    memcpy(s + big - 4, "</r>", 4);
    put_gz(at("bomb.xml.gz"), "wb", s, big);
    free(s);
    struct stat st;
    CHECK(stat(at("bomb.xml.gz"), &st) == 0 && st.st_size < (1 << 20));

    lode_options o;
    lode_options_init(&o);
    o.limits.max_input_bytes = (size_t)1 << 20;
    lode_engine *e = lode_engine_new(&o);
    lode_doc *d = NULL;
    CHECK_EQ_INT(lode_doc_load(e, at("bomb.xml.gz"), NULL, &d), LODE_ELIMIT);
    CHECK(d == NULL);
    char want[600];
    snprintf(want, sizeof want, "%s: larger than the input limit of 1048576 bytes once decompressed", at("bomb.xml.gz"));
    CHECK(contains(lode_errmsg(e), want));
    lode_engine_free(e);

    /* the limit counts decompressed bytes exactly: max passes, max + 1 does not */
    size_t max = 65536;
    o.limits.max_input_bytes = max;
    e = lode_engine_new(&o);
    s = malloc(max + 1);
    memset(s, 'a', max + 1);
    put_gz(at("edge.txt.gz"), "wb", s, max);
    CHECK_EQ_INT(lode_doc_load(e, at("edge.txt.gz"), NULL, &d), LODE_OK);
    lode_doc_free(d);
    d = NULL;
    put_gz(at("edge.txt.gz"), "wb", s, max + 1);
    CHECK_EQ_INT(lode_doc_load(e, at("edge.txt.gz"), NULL, &d), LODE_ELIMIT);
    free(s);
    lode_engine_free(e);
}

/* ---- allocation failures -------------------------------------------------- */

static void oom(void)
{
    put_gz(at("oom.xml.gz"), "wb", small_xml, strlen(small_xml));
    int clean = 1, passes = 0;
    for (long n = 1; n < 10000; n++) {
        test_alloc f = {.fail_at = n};
        lode_options o;
        lode_options_init(&o);
        o.alloc = test_alloc_fn;
        o.alloc_ud = &f;
        lode_engine *e = lode_engine_new(&o);
        if (!e)
            continue;
        lode_doc *d = NULL;
        int rc = lode_doc_load(e, at("oom.xml.gz"), NULL, &d);
        if (rc != LODE_OK && rc != LODE_ENOMEM) {
            printf("#   fail at %ld: %d %s\n", n, rc, lode_errmsg(e));
            clean = 0;
        }
        lode_doc_free(d);
        lode_engine_free(e);
        if (!test_alloc_clean(&f)) {
            printf("#   fail at %ld: %ld blocks, %lld bytes left, %ld frees of a wrong size\n", n, f.blocks, f.bytes,
                   f.bad_size);
            clean = 0;
        }
        passes++;
        if (!f.refused)
            break;
    }
    printf("# %d allocation points\n", passes);
    CHECK(clean);
    CHECK(passes > 3); /* zlib's state and window were among them */
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/lode-gzip.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(detect);
    RUN(same_tree);
    RUN(corrupt);
    RUN(bomb);
    RUN(oom);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", root);
    return harness_done();
}
