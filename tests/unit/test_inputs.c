/* test_inputs.c -- the CLI's input list (core/cli/inputs.c): folders with
 * globs, --files-from lists, shards, and JSON Lines (plain, gzip, stdin).
 *
 * The CLI is not part of liblode, so inputs.c is compiled into this test
 * (with a 1 KiB line cap instead of 256 MiB, to test the cap cheaply).
 * Every case works in a fresh temporary folder. */
#define INPUTS_MAX_LINE 1024
#include "../../core/cli/inputs.c"

/* defined in harden.c, which this test does not link: jansson's allocations
 * are not watched here, so the flag stays 0 */
_Thread_local int cli_json_alloc_failed;

#include <sys/wait.h>

#include "harness.h"

static char root[256];

/* ---- helpers ------------------------------------------------------------- */

/* Makes the parent folders of root/rel. */
static void make_parents(char *path)
{
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0777);
            *p = '/';
        }
    }
}

static void put_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    make_parents(path);
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(text, 1, strlen(text), fp);
        fclose(fp);
    }
}

static void put_gz(const char *rel, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    make_parents(path);
    gzFile gz = gzopen(path, "wb");
    if (gz) {
        gzwrite(gz, text, (unsigned)len);
        gzclose(gz);
    }
}

static const char *at(const char *rel)
{
    static char path[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(path[i], sizeof path[i], "%s/%s", root, rel);
    return path[i];
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* All items of in, one a line: "rel" for good files, "rel!error" for
 * failed ones; in->n and the items are consumed. */
static void list_items(inputs *in, char *out, size_t cap)
{
    input_item it;
    size_t len = 0;
    out[0] = '\0';
    while (inputs_next(in, &it) > 0) {
        len += (size_t)snprintf(out + len, cap - len, "%s%s%s\n", it.rel, it.error ? "!" : "",
                                it.error ? it.error : "");
        input_item_clear(&it);
        if (len >= cap)
            break;
    }
}

/* The standard tree of the folder tests. */
static void make_tree(void)
{
    put_file("t/a.xml", "<a/>");
    put_file("t/b.txt", "b");
    put_file("t/c.md", "# c");
    put_file("t/.hidden.xml", "<h/>");
    put_file("t/.hid/x.xml", "<x/>");
    put_file("t/sub/d.html", "<p>d</p>");
    put_gz("t/sub/e.xml.gz", "<e/>", 4);
    put_gz("t/sub/deeper/f.txt.gz", "f", 1);
    put_gz("t/sub/g.gz", "g", 1);
    put_file("t/news/h.xml", "<h/>");
    put_file("t/news/x/i.xml", "<i/>");
}

static void folder_list(const char **incl, const char **excl, char *out, size_t cap)
{
    inputs in = {0};
    in.include = incl;
    in.exclude = excl;
    CHECK_EQ_INT(inputs_add(&in, at("t")), 0);
    list_items(&in, out, cap);
    inputs_free(&in);
}

/* ---- folders and globs --------------------------------------------------- */

static void folders(void)
{
    make_tree();
    char got[4096];
    folder_list(NULL, NULL, got, sizeof got);
    CHECK_EQ_STR(got, "a.xml\nb.txt\nnews/h.xml\nnews/x/i.xml\nsub/d.html\nsub/deeper/f.txt.gz\nsub/e.xml.gz\n");

    inputs in = {0};
    CHECK_EQ_INT(inputs_add(&in, at("t")), 0);
    CHECK_EQ_INT(inputs_count(&in), 7);
    input_item it;
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.path, at("t/a.xml"));
    CHECK_EQ_STR(it.name, at("t/a.xml"));
    CHECK(it.data == NULL && it.meta == NULL && it.error == NULL && it.format == NULL);
    CHECK_EQ_INT(it.bytes, 4);
    input_item_clear(&it);
    inputs_free(&in);

    /* a trailing slash on the folder changes nothing */
    memset(&in, 0, sizeof in);
    char slashed[600];
    snprintf(slashed, sizeof slashed, "%s//", at("t"));
    CHECK_EQ_INT(inputs_add(&in, slashed), 0);
    CHECK_EQ_INT(inputs_count(&in), 7);
    CHECK(in.n > 0 && strcmp(in.v[0].path, at("t/a.xml")) == 0);
    inputs_free(&in);
}

static void globs(void)
{
    char got[4096];
    const char *xml[] = {"*.xml", NULL};
    folder_list(xml, NULL, got, sizeof got);
    CHECK_EQ_STR(got, "a.xml\nnews/h.xml\nnews/x/i.xml\n"); /* base name: e.xml.gz is not *.xml */

    const char *news[] = {"news/*", NULL};
    folder_list(news, NULL, got, sizeof got);
    CHECK_EQ_STR(got, "news/h.xml\nnews/x/i.xml\n"); /* a '/' pattern: whole path, '*' crosses '/' */

    const char *gz[] = {"*.gz", NULL};
    folder_list(NULL, gz, got, sizeof got);
    CHECK_EQ_STR(got, "a.xml\nb.txt\nnews/h.xml\nnews/x/i.xml\nsub/d.html\n");

    const char *deep[] = {"news/x/*", NULL};
    folder_list(xml, deep, got, sizeof got);
    CHECK_EQ_STR(got, "a.xml\nnews/h.xml\n");

    const char *two[] = {"*.txt*", "d.*", NULL};
    folder_list(two, NULL, got, sizeof got);
    CHECK_EQ_STR(got, "b.txt\nsub/d.html\nsub/deeper/f.txt.gz\n");

    const char *none[] = {"*.pdf", NULL};
    folder_list(none, NULL, got, sizeof got);
    CHECK_EQ_STR(got, "");

    /* globs do not apply to files named on the command line */
    inputs in = {0};
    const char *txt[] = {"*.txt", NULL};
    in.include = txt;
    in.exclude = xml;
    CHECK_EQ_INT(inputs_add(&in, at("t/a.xml")), 0);
    CHECK_EQ_INT(inputs_add(&in, at("t/c.md")), 0); /* any name works when named */
    list_items(&in, got, sizeof got);
    CHECK_EQ_STR(got, "a.xml\nc.md\n");
    inputs_free(&in);

    /* a missing command-line argument is an error of the call */
    memset(&in, 0, sizeof in);
    errno = 0;
    CHECK_EQ_INT(inputs_add(&in, at("t/nope.xml")), -1);
    CHECK_EQ_INT(errno, ENOENT);
    CHECK_EQ_INT(in.n, 0);
    inputs_free(&in);
}

static void jsonl_folders(void)
{
    put_file("j/a.jsonl", "{\"id\":1,\"text\":\"a\"}\n");
    put_gz("j/b.jsonl.gz", "{\"id\":2,\"text\":\"b\"}\n", 20);
    put_file("j/c.ndjson", "{\"id\":3,\"text\":\"c\"}\n");
    put_file("j/d.json", "{}");
    put_file("j/e.txt", "e");
    put_file("j/sub/f.jsonl", "{\"id\":4,\"text\":\"f\"}\n");
    inputs in = {0};
    in.jsonl = 1;
    CHECK_EQ_INT(inputs_add(&in, at("j")), 0);
    CHECK_EQ_INT(in.n, 4);
    CHECK_EQ_INT(inputs_count(&in), 0); /* JSON Lines documents are not known in advance */
    CHECK_EQ_INT(inputs_bytes(&in), file_size(at("j/a.jsonl")) + file_size(at("j/b.jsonl.gz")) +
                                         file_size(at("j/c.ndjson")) + file_size(at("j/sub/f.jsonl")));
    char got[1024];
    list_items(&in, got, sizeof got);
    CHECK_EQ_STR(got, "1\n2\n3\n4\n");
    inputs_free(&in);
}

/* ---- --files-from -------------------------------------------------------- */

static void files_from(void)
{
    char list[2048];
    snprintf(list, sizeof list, "%s\r\n\n   \n%s\n%s\n%s\n", at("t/a.xml"), at("t/missing.xml"), at("t/sub"),
             at("t/./b.txt"));
    put_file("list.txt", list);
    inputs in = {0};
    CHECK_EQ_INT(inputs_add_list(&in, at("list.txt")), 0);
    /* read lazily: the count is an estimate (its 4 non-blank lines) */
    CHECK_EQ_INT(inputs_count(&in), 4);
    CHECK_EQ_INT(inputs_count_exact(&in), 0);
    CHECK_EQ_INT(inputs_bytes(&in), 0);
    input_item it;
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.path, at("t/a.xml")); /* CR dropped */
    CHECK(it.error == NULL);
    CHECK(it.rel && it.rel[0] != '/' && strstr(it.rel, "t/a.xml") != NULL);
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    char want[600];
    snprintf(want, sizeof want, "%s: No such file or directory", at("t/missing.xml"));
    CHECK_EQ_STR(it.error, want); /* in its place, not fatal */
    CHECK_EQ_STR(it.name, at("t/missing.xml"));
    CHECK_EQ_INT(it.bytes, 0);
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.rel, "d.html"); /* a listed folder is walked */
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.rel, "deeper/f.txt.gz");
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.rel, "e.xml.gz");
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.path, at("t/./b.txt"));
    CHECK_EQ_STR(it.rel, at("t/b.txt") + 1); /* no leading '/', no "." segment */
    CHECK_EQ_INT(it.bytes, 1);
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 0);
    CHECK_EQ_INT(inputs_next(&in, &it), 0); /* and stays at the end */
    inputs_free(&in);

    /* globs apply to listed files (on their path as listed) */
    const char *xml[] = {"*.xml", NULL};
    memset(&in, 0, sizeof in);
    in.include = xml;
    CHECK_EQ_INT(inputs_add_list(&in, at("list.txt")), 0);
    char got[4096];
    list_items(&in, got, sizeof got);
    CHECK(strstr(got, "a.xml\n") != NULL);
    CHECK(strstr(got, "missing.xml!") != NULL);
    CHECK(strstr(got, "b.txt") == NULL && strstr(got, "d.html") == NULL);
    inputs_free(&in);

    /* relative paths made safe: no leading '/', ".." cannot climb */
    put_file("rel.txt", "../x/./y.xml\n/abs//z.xml\n");
    memset(&in, 0, sizeof in);
    CHECK_EQ_INT(inputs_add_list(&in, at("rel.txt")), 0);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.rel, "__/x/y.xml");
    CHECK(it.error != NULL);
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.rel, "abs/z.xml");
    CHECK(it.error != NULL);
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 0);
    inputs_free(&in);

    /* a list that cannot be read fails the call */
    memset(&in, 0, sizeof in);
    errno = 0;
    CHECK_EQ_INT(inputs_add_list(&in, at("no-list.txt")), -1);
    CHECK_EQ_INT(errno, ENOENT);
    inputs_free(&in);

    /* "-" reads the list from standard input */
    snprintf(list, sizeof list, "%s\n%s\n", at("t/b.txt"), at("t/news/h.xml"));
    put_file("stdin-list.txt", list);
    CHECK(freopen(at("stdin-list.txt"), "r", stdin) != NULL);
    memset(&in, 0, sizeof in);
    CHECK_EQ_INT(inputs_add_list(&in, "-"), 0);
    list_items(&in, got, sizeof got);
    snprintf(want, sizeof want, "%s\n%s\n", at("t/b.txt") + 1, at("t/news/h.xml") + 1);
    CHECK_EQ_STR(got, want);
    inputs_free(&in);
}

/* ---- shards -------------------------------------------------------------- */

/* Is line one of the lines of text? */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return 1;
    return 0;
}

static void shards(void)
{
    /* FNV-1a 64 test vectors */
    CHECK_EQ_INT(inputs_shard_of("a", 1, 1000), 0xaf63dc4c8601ec8cULL % 1000);
    CHECK_EQ_INT(inputs_shard_of("foobar", 6, 7), 0x85944171f73967e8ULL % 7);
    CHECK_EQ_INT(inputs_shard_of("", 0, 1000), 0xcbf29ce484222325ULL % 1000);
    CHECK_EQ_INT(inputs_shard_of("x", 1, 1), 0);

    for (int i = 0; i < 40; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "s/f%02d/doc%d.txt", i % 5, i);
        put_file(rel, "x");
    }
    char all[8192], again[8192], part[4][8192];
    inputs in = {0};
    CHECK_EQ_INT(inputs_add(&in, at("s")), 0);
    size_t total = in.n;
    CHECK_EQ_INT(total, 40);
    list_items(&in, all, sizeof all);
    inputs_free(&in);
    size_t sum = 0;
    int empty = 0;
    for (unsigned s = 0; s < 4; s++) {
        for (int round = 0; round < 2; round++) {
            memset(&in, 0, sizeof in);
            in.shard = s;
            in.nshards = 4;
            CHECK_EQ_INT(inputs_add(&in, at("s")), 0);
            if (round == 0)
                sum += inputs_count(&in);
            char *dst = round == 0 ? part[s] : again;
            list_items(&in, dst, sizeof part[s]);
            inputs_free(&in);
        }
        CHECK_EQ_STR(again, part[s]); /* deterministic */
        empty += part[s][0] == '\0';
    }
    CHECK_EQ_INT(sum, total);
    CHECK(empty == 0); /* 40 names spread over 4 shards */
    /* every name is in exactly one shard: the one its hash says */
    int ok = 1;
    for (const char *p = all; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p);
        char line[128];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        unsigned want = inputs_shard_of(p, len, 4);
        for (unsigned s = 0; s < 4; s++)
            if (has_line(part[s], line) != (s == want))
                ok = 0;
        p = nl + 1;
    }
    CHECK(ok);

    /* JSON Lines documents are sharded by id, bad lines by FILE:LINE */
    char text[4096];
    size_t len = 0;
    for (int i = 0; i < 30; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "{\"id\":\"d%d\",\"text\":\"x\"}\n", i);
    len += (size_t)snprintf(text + len, sizeof text - len, "{bad\n{\"id\":7,\"text\":\"seven\"}\n");
    put_file("shard.jsonl", text);
    int seen[32] = {0}, bad = 0, seven = 0, items = 0;
    for (unsigned s = 0; s < 3; s++) {
        memset(&in, 0, sizeof in);
        in.jsonl = 1;
        in.shard = s;
        in.nshards = 3;
        CHECK_EQ_INT(inputs_add(&in, at("shard.jsonl")), 0);
        input_item it;
        while (inputs_next(&in, &it) > 0) {
            items++;
            int k;
            if (it.error)
                bad++;
            else if (!strcmp(it.name, "7"))
                seven += inputs_shard_of("7", 1, 3) == s;
            else if (sscanf(it.name, "d%d", &k) == 1 && k >= 0 && k < 30) {
                seen[k]++;
                if (inputs_shard_of(it.name, strlen(it.name), 3) != s)
                    seen[k] += 100;
            }
            input_item_clear(&it);
        }
        inputs_free(&in);
    }
    int once = 1;
    for (int i = 0; i < 30; i++)
        once &= seen[i] == 1;
    CHECK(once);
    CHECK_EQ_INT(bad, 1);
    CHECK_EQ_INT(seven, 1);
    CHECK_EQ_INT(items, 32);
}

/* ---- JSON Lines ---------------------------------------------------------- */

static const char jsonl_text[] =
    "{\"id\":\"doc/1\",\"text\":\"Hello\",\"lang\":\"de\",\"b\":2,\"a\":{\"z\":1,\"y\":[true,null,0.1,\"\\u00e9\"]}}\n"
    "\n"
    "{\"id\":42,\"html\":\"<p>x</p>\"}\r\n"
    "{\"id\":\"x\", \"text\": \"a\"\n"
    "{\"text\":\"no id\"}\n"
    "{\"id\":\"two\",\"text\":\"a\",\"xml\":\"<a/>\"}\n"
    "{\"id\":\".hidden\\u0001x\\\\y\",\"xml\":\"<a/>\"}\n"
    "[1,2]\n"
    "{\"id\":1.5,\"text\":\"x\"}\n"
    "{\"id\":\"t\",\"text\":5}\n"
    "{\"id\":\"\",\"text\":\"nul\\u0000inside\",\"id2\":\"x\"}\n"
    "{\"id\":\"d\",\"text\":\"a\",\"text\":\"b\"}\n"
    "{\"id\":\"last\",\"text\":\"no newline at the end\"}";

/* Checks the items of jsonl_text read from the input at path (name: how
 * messages name it). */
static void check_jsonl_items(const char *path, const char *name)
{
    inputs in = {0};
    in.jsonl = 1;
    CHECK_EQ_INT(inputs_add(&in, path), 0);
    CHECK_EQ_INT(inputs_count(&in), 0);
    input_item it;
    char want[600];

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 1 */
    CHECK(it.path == NULL && it.error == NULL);
    CHECK_EQ_STR(it.name, "doc/1");
    CHECK_EQ_STR(it.rel, "doc_1");
    CHECK_EQ_STR(it.format, "text");
    CHECK(it.data && it.len == 5 && memcmp(it.data, "Hello", 5) == 0);
    CHECK_EQ_STR(it.meta, "{\"a\":{\"y\":[true,null,0.1,\"\xc3\xa9\"],\"z\":1},\"b\":2,\"lang\":\"de\"}");
    CHECK_EQ_INT(it.meta_len, it.meta ? strlen(it.meta) : 0);
    CHECK_EQ_INT(it.bytes, strchr(jsonl_text, '\n') - jsonl_text + 1);
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 3 (2 is blank) */
    CHECK_EQ_STR(it.name, "42");
    CHECK_EQ_STR(it.rel, "42");
    CHECK_EQ_STR(it.format, "html");
    CHECK_EQ_STR(it.data, "<p>x</p>");
    CHECK(it.meta == NULL && it.meta_len == 0);
    CHECK_EQ_INT(it.bytes, 1 + strlen("{\"id\":42,\"html\":\"<p>x</p>\"}\r\n")); /* with the blank line */
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 4: bad JSON */
    snprintf(want, sizeof want, "%s:4:", name);
    CHECK(it.error && strncmp(it.error, want, strlen(want)) == 0);
    printf("# %s\n", it.error ? it.error : "(null)");
    CHECK(it.data == NULL && it.path == NULL && it.name != NULL);
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 5 */
    snprintf(want, sizeof want, "%s:5: missing \"id\"", name);
    CHECK_EQ_STR(it.error, want);
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 6 */
    snprintf(want, sizeof want, "%s:6: more than one of \"text\", \"html\", \"xml\"", name);
    CHECK_EQ_STR(it.error, want);
    CHECK_EQ_STR(it.name, "two");
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 7 */
    CHECK(it.error == NULL);
    CHECK_EQ_STR(it.name, ".hidden\x01x\\y");
    CHECK_EQ_STR(it.rel, "_hidden_x_y");
    CHECK_EQ_STR(it.format, "xml");
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 8 */
    snprintf(want, sizeof want, "%s:8: not a JSON object", name);
    CHECK_EQ_STR(it.error, want);
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 9 */
    snprintf(want, sizeof want, "%s:9: \"id\" must be a string or an integer", name);
    CHECK_EQ_STR(it.error, want);
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 10 */
    snprintf(want, sizeof want, "%s:10: \"text\" must be a string", name);
    CHECK_EQ_STR(it.error, want);
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 11: empty id, NUL in the text */
    CHECK(it.error == NULL);
    CHECK_EQ_STR(it.name, "");
    CHECK_EQ_STR(it.rel, "_");
    CHECK(it.len == 10 && it.data && memcmp(it.data, "nul\0inside", 10) == 0);
    CHECK_EQ_STR(it.meta, "{\"id2\":\"x\"}");
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 12: duplicate key */
    snprintf(want, sizeof want, "%s:12:", name);
    CHECK(it.error && strncmp(it.error, want, strlen(want)) == 0 && strstr(it.error, "duplicate"));
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 1); /* line 13, without '\n' */
    CHECK_EQ_STR(it.name, "last");
    CHECK_EQ_STR(it.data, "no newline at the end");
    input_item_clear(&it);

    CHECK_EQ_INT(inputs_next(&in, &it), 0);
    inputs_free(&in);
}

static void jsonl_plain(void)
{
    put_file("docs.jsonl", jsonl_text);
    check_jsonl_items(at("docs.jsonl"), at("docs.jsonl"));
    /* bytes add up to the file */
    inputs in = {0};
    in.jsonl = 1;
    CHECK_EQ_INT(inputs_add(&in, at("docs.jsonl")), 0);
    CHECK_EQ_INT(inputs_bytes(&in), strlen(jsonl_text));
    input_item it;
    uint64_t sum = 0;
    while (inputs_next(&in, &it) > 0) {
        sum += it.bytes;
        input_item_clear(&it);
    }
    CHECK_EQ_INT(sum, strlen(jsonl_text));
    inputs_free(&in);
}

static void jsonl_gzip(void)
{
    put_gz("docs.jsonl.gz", jsonl_text, strlen(jsonl_text));
    check_jsonl_items(at("docs.jsonl.gz"), at("docs.jsonl.gz"));

    /* truncated: the lines before the cut, then one error, then the next input */
    char big[8192];
    size_t len = 0;
    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(big + len, sizeof big - len, "{\"id\":%d,\"text\":\"line %d of many\"}\n", i, i * 7919);
    put_gz("big.jsonl.gz", big, len);
    long size = file_size(at("big.jsonl.gz"));
    CHECK(size > 100);
    CHECK(truncate(at("big.jsonl.gz"), size / 2) == 0);
    put_file("after.jsonl", "{\"id\":\"after\",\"text\":\"x\"}\n");
    inputs in = {0};
    in.jsonl = 1;
    CHECK_EQ_INT(inputs_add(&in, at("big.jsonl.gz")), 0);
    CHECK_EQ_INT(inputs_add(&in, at("after.jsonl")), 0);
    input_item it;
    int good = 0, errors = 0, after = 0;
    char first_error[600] = "";
    while (inputs_next(&in, &it) > 0) {
        if (it.error) {
            if (!errors++)
                snprintf(first_error, sizeof first_error, "%s", it.error);
        } else if (!strcmp(it.name, "after")) {
            after++;
        } else {
            good++;
        }
        input_item_clear(&it);
    }
    inputs_free(&in);
    printf("# truncated: %d good lines, error: %s\n", good, first_error);
    CHECK(good < 100);
    CHECK_EQ_INT(errors, 1);
    CHECK(strstr(first_error, "big.jsonl.gz: corrupt gzip data") != NULL);
    CHECK_EQ_INT(after, 1);
}

static void jsonl_limits(void)
{
    /* a line over the cap (1 KiB here) is one failed item; the next line is read */
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text, "{\"id\":\"long\",\"text\":\"");
    memset(text + len, 'a', 2000);
    len += 2000;
    len += (size_t)snprintf(text + len, sizeof text - len, "\"}\n{\"id\":\"short\",\"text\":\"b\"}\n");
    put_file("long.jsonl", text);
    inputs in = {0};
    in.jsonl = 1;
    CHECK_EQ_INT(inputs_add(&in, at("long.jsonl")), 0);
    input_item it;
    char want[600];
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    snprintf(want, sizeof want, "%s:1: line longer than 1024 bytes", at("long.jsonl"));
    CHECK_EQ_STR(it.error, want);
    CHECK_EQ_INT(it.bytes, len - strlen("{\"id\":\"short\",\"text\":\"b\"}\n"));
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.name, "short");
    CHECK_EQ_INT(in.line, 2);
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 0);
    inputs_free(&in);

    /* a JSON Lines file that is missing: an error of the call on the command
     * line, a failed item in a list */
    memset(&in, 0, sizeof in);
    in.jsonl = 1;
    errno = 0;
    CHECK_EQ_INT(inputs_add(&in, at("none.jsonl")), -1);
    CHECK_EQ_INT(errno, ENOENT);
    char list[600];
    snprintf(list, sizeof list, "%s\n%s\n", at("none.jsonl"), at("after.jsonl"));
    put_file("jlist.txt", list);
    CHECK_EQ_INT(inputs_add_list(&in, at("jlist.txt")), 0);
    CHECK_EQ_INT(inputs_count(&in), 2); /* an estimate: the list's two lines */
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    snprintf(want, sizeof want, "%s: No such file or directory", at("none.jsonl"));
    CHECK_EQ_STR(it.error, want);
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    CHECK_EQ_STR(it.name, "after");
    input_item_clear(&it);
    CHECK_EQ_INT(inputs_next(&in, &it), 0);
    inputs_free(&in);

    /* freeing in the middle of a file releases its reader */
    memset(&in, 0, sizeof in);
    in.jsonl = 1;
    CHECK_EQ_INT(inputs_add(&in, at("docs.jsonl.gz")), 0);
    CHECK_EQ_INT(inputs_next(&in, &it), 1);
    input_item_clear(&it);
    CHECK(in.gz != NULL);
    inputs_free(&in);
    CHECK(in.gz == NULL);
}

static void jsonl_stdin(void)
{
    CHECK(freopen(at("docs.jsonl.gz"), "r", stdin) != NULL); /* gzip on stdin too */
    check_jsonl_items("-", "<stdin>");
    CHECK(fcntl(STDIN_FILENO, F_GETFD) != -1); /* the reader closed its own copy only */
}

static void cleanup(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", root);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/lode-inputs.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(folders);
    RUN(globs);
    RUN(jsonl_folders);
    RUN(files_from);
    RUN(shards);
    RUN(jsonl_plain);
    RUN(jsonl_gzip);
    RUN(jsonl_limits);
    RUN(jsonl_stdin);
    if (!getenv("KEEP")) cleanup(); else printf("# kept %s\n", root);
    return harness_done();
}
