/* kv.c -- a test plugin exercising every registration: a reader for
 * "key = value" lines (into html/body/dl), a writer "keys" (one key a
 * line), a sink "lines" (.lines: records one a line, written to
 * PATH.tmp and renamed on commit), and two Lua modules. */
#include <lode.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LODE_PLUGIN_DECLARE("kv", "1.2.3", "key = value lines (a test plugin)");

static const lode_api *api; /* lode's services: a static table, kept */

static const char *const kv_ext[] = {".kv", NULL};

static int kv_sniff(void *ud, const void *data, size_t len)
{
    (void)ud;
    return len >= 3 && memcmp(data, "#kv", 3) == 0;
}

static int kv_read(void *ud, lode_engine *e, const char *name, const void *data, size_t len,
                   const lode_parse_options *opts, struct _xmlDoc **out)
{
    (void)ud;
    (void)opts;
    const char *p = data, *end = p + len;
    xmlDoc *doc = htmlNewDocNoDtD(NULL, NULL);
    xmlNode *html = xmlNewDocNode(doc, NULL, BAD_CAST "html", NULL);
    xmlDocSetRootElement(doc, html);
    xmlNode *body = xmlNewChild(html, NULL, BAD_CAST "body", NULL);
    xmlNode *dl = xmlNewChild(body, NULL, BAD_CAST "dl", NULL);
    for (int line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (le > p && *p != '#') {
            const char *eq = memchr(p, '=', (size_t)(le - p));
            if (!eq) {
                xmlFreeDoc(doc);
                return api->error(e, LODE_EPARSE, "%s:%d: expected 'key = value'", name, line);
            }
            const char *ke = eq;
            while (ke > p && ke[-1] == ' ')
                ke--;
            const char *vs = eq + 1;
            while (vs < le && *vs == ' ')
                vs++;
            xmlNode *dt = xmlNewTextChild(dl, NULL, BAD_CAST "dt", NULL);
            xmlNodeAddContentLen(dt, BAD_CAST p, (int)(ke - p));
            xmlNode *dd = xmlNewTextChild(dl, NULL, BAD_CAST "dd", NULL);
            xmlNodeAddContentLen(dd, BAD_CAST vs, (int)(le - vs));
            dt->line = dd->line = (unsigned short)line;
        }
        p = nl ? nl + 1 : end;
    }
    *out = doc;
    return LODE_OK;
}

static int kv_write(void *ud, lode_engine *e, const struct _xmlDoc *doc, const lode_write_options *opts,
                    lode_emit_fn emit, void *emit_ud)
{
    (void)ud;
    (void)opts;
    xmlNode *n = xmlDocGetRootElement(doc);
    while (n) {
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "dt")) {
            xmlChar *t = xmlNodeGetContent(n);
            int bad = emit(emit_ud, t, strlen((char *)t)) || emit(emit_ud, "\n", 1);
            xmlFree(t);
            if (bad)
                return api->error(e, LODE_ENOMEM, "keys: out of memory");
        }
        if (n->children && n->type == XML_ELEMENT_NODE)
            n = n->children;
        else {
            while (n && !n->next)
                n = n->parent == (xmlNode *)doc ? NULL : n->parent;
            if (n)
                n = n->next;
        }
    }
    return LODE_OK;
}

typedef struct lines_sink {
    FILE *fp;
    char path[4096], tmp[4200];
    long n;
} lines_sink;

static const char *const lines_ext[] = {".lines", NULL};

static int lines_open(void *ud, lode_engine *e, const char *path, const char *label, void **state)
{
    (void)ud;
    lines_sink *s = calloc(1, sizeof *s);
    if (!s)
        return api->error(e, LODE_ENOMEM, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
    snprintf(s->tmp, sizeof s->tmp, "%s.tmp", path);
    if (!(s->fp = fopen(s->tmp, "w"))) {
        free(s);
        return api->error(e, LODE_EIO, "%s: cannot create", path);
    }
    fprintf(s->fp, "# %s\n", label);
    *state = s;
    return LODE_OK;
}

static int lines_write(void *state, lode_engine *e, const char *json, size_t len)
{
    lines_sink *s = state;
    /* one line per record: its fields as key=value */
    size_t pos = 0;
    lode_field f;
    while (api->record_next(json, len, &pos, &f)) {
        char key[256];
        size_t kl = api->json_decode(f.key, f.key_len < sizeof key ? f.key_len : sizeof key - 1, key);
        fprintf(s->fp, "%.*s=%.*s ", (int)kl, key, (int)f.value_len, f.value);
    }
    if (fputc('\n', s->fp) == EOF)
        return api->error(e, LODE_EIO, "%s: cannot write", s->path);
    s->n++;
    return LODE_OK;
}

static int lines_close(void *state, lode_engine *e, int commit)
{
    lines_sink *s = state;
    int bad = fclose(s->fp) != 0;
    int rc = LODE_OK;
    if (commit && !bad && rename(s->tmp, s->path) == 0) {
        /* done */
    } else {
        remove(s->tmp);
        if (commit)
            rc = api->error(e, LODE_EIO, "%s: cannot finish", s->path);
    }
    free(s);
    return rc;
}

static int twice(lua_State *L)
{
    lua_pushinteger(L, 2 * luaL_checkinteger(L, 1));
    return 1;
}

static int open_kv(lua_State *L, void *ud)
{
    (void)ud;
    lua_newtable(L);
    lua_pushcfunction(L, twice);
    lua_setfield(L, -2, "twice");
    return 1;
}

static const char kv_util_src[] = "local M = {}\nfunction M.hello(who) return 'hello ' .. who end\nreturn M\n";

int lode_plugin_init(lode_registry *reg, char **errmsg);
LODE_PLUGIN_EXPORT int lode_plugin_init(lode_registry *reg, char **errmsg)
{
    (void)errmsg;
    api = reg->api;
    lode_reader r = {sizeof r, "kv", "key = value lines", kv_ext, kv_sniff, kv_read, NULL};
    lode_writer w = {sizeof w, "keys", "the keys, one a line", NULL, kv_write, NULL};
    lode_sink_class s = {sizeof s, "lines", "records as key=value lines", lines_ext,
                         lines_open, lines_write, lines_close, NULL};
    lode_host_module m1 = {"lode.kv", NULL, 0, open_kv, NULL};
    lode_host_module m2 = {"lode.kv.util", kv_util_src, sizeof kv_util_src - 1, NULL, NULL};
    if (reg->add_reader(reg, &r) || reg->add_writer(reg, &w) || reg->add_sink(reg, &s) ||
        reg->add_module(reg, &m1) || reg->add_module(reg, &m2))
        return 1;
    return 0;
}
