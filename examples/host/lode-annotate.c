/* lode-annotate.c -- a small real host of liblode.
 *
 * Reads articles as JSON Lines on standard input, one object per line with
 * "id" and "text" (a plain-text article) or "html", runs an editor-supplied
 * rule script on each in the sandbox, offers the script a host function
 * host.lookup(name) backed by a C table, and prints every record the script
 * emits as "ID<TAB>field=value ..." lines.  A failing article is reported
 * and skipped.
 *
 *   cc lode-annotate.c $(pkg-config --cflags --libs lode lua5.4) -o lode-annotate
 *   ./lode-annotate annotate.lua < articles.jsonl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lode.h>

/* The host's own data: who is who. */
static const struct {
    const char *name, *role;
} people[] = {{"Putin", "Russian president"}, {"Kim Jong Un", "North Korean leader"}, {"Trump", "US president"}};

/* host.lookup(name) -> role or nil */
static int lookup(lua_State *L, void *ud)
{
    (void)ud;
    const char *name = luaL_checkstring(L, 1);
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
        if (strcmp(people[i].name, name) == 0) {
            lua_pushstring(L, people[i].role);
            return 1;
        }
    lua_pushnil(L);
    return 1;
}

/* Prints one record through the field iterator. */
static int on_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    (void)doc;
    printf("%s", (const char *)ud);
    size_t pos = 0;
    lode_field f;
    char *buf = malloc(len + 1);
    while (buf && lode_record_next(json, len, &pos, &f)) {
        size_t k = lode_json_decode(f.key, f.key_len, buf);
        printf("\t%.*s=", (int)k, buf);
        if (f.type == LODE_JSON_STRING)
            printf("%.*s", (int)lode_json_decode(f.value + 1, f.value_len - 2, buf), buf);
        else
            printf("%.*s", (int)f.value_len, f.value);
    }
    putchar('\n');
    free(buf);
    return 0;
}

/* Finds field name of the JSON object line and decodes it into a new string. */
static char *field(const char *line, size_t len, const char *name, int *is_string)
{
    size_t pos = 0;
    lode_field f;
    while (lode_record_next(line, len, &pos, &f)) {
        if (f.key_len != strlen(name) || memcmp(f.key, name, f.key_len) != 0)
            continue;
        char *out = malloc(f.value_len + 1);
        if (!out)
            return NULL;
        *is_string = f.type == LODE_JSON_STRING;
        size_t n = *is_string ? lode_json_decode(f.value + 1, f.value_len - 2, out) : f.value_len;
        if (!*is_string)
            memcpy(out, f.value, n);
        out[n] = '\0';
        return out;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SCRIPT < articles.jsonl\n", argv[0]);
        return 2;
    }
    lode_options opts;
    lode_options_init(&opts);
    opts.sandbox.enabled = 1; /* the script comes from an editor, not from us */
    opts.sandbox.timeout_ms = 1000;
    lode_engine *e = lode_engine_new(&opts);
    char id[256] = "";
    lode_host_function host[] = {{"lookup", lookup, NULL}, {NULL, NULL, NULL}};
    lode_rules_options ro = {.on_record = on_record, .record_ud = id, .host_functions = host};
    lode_rules *rules = NULL;
    if (!e || lode_rules_load(e, argv[1], &ro, &rules) != LODE_OK) {
        fprintf(stderr, "lode-annotate: %s\n", e ? lode_errmsg(e) : "out of memory");
        lode_engine_free(e);
        return 2;
    }
    int failed = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        int s1 = 0, s2 = 0;
        char *doc_id = field(line, (size_t)n, "id", &s1);
        char *text = field(line, (size_t)n, "text", &s2);
        const char *fmt = "text";
        if (!text) {
            text = field(line, (size_t)n, "html", &s2);
            fmt = "html";
        }
        snprintf(id, sizeof id, "%s", doc_id ? doc_id : "?");
        lode_parse_options po = {fmt, NULL, 0};
        lode_doc *doc = NULL;
        int rc = text ? lode_doc_parse(e, text, strlen(text), id, &po, &doc) : LODE_EPARSE;
        if (rc == LODE_OK)
            rc = lode_rules_run(rules, doc);
        if (rc != LODE_OK) {
            fprintf(stderr, "lode-annotate: %s: %s\n", id, text ? lode_errmsg(e) : "no \"text\" or \"html\" field");
            failed++;
        }
        lode_doc_free(doc);
        free(doc_id);
        free(text);
    }
    free(line);
    lode_rules_free(rules);
    lode_engine_free(e);
    return failed ? 1 : 0;
}
