/* test_plugin.c -- the plugin loader: a plugin registering a reader, a
 * writer, a sink and Lua modules is used through the public API; a plugin
 * built for another ABI, one whose init fails, one that claims a built-in
 * format and a shared object that is no plugin are refused with clear
 * messages and leave the engine as it was; the sandbox refuses plugins
 * unless the host allows them.  The plugins are tests/plugins/NAME.c, built
 * into $BUILD/tests/plugins/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "harness.h"
#include "lode.h"

static char dir[1024];

static const char *plugin(const char *name)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/%s.so", dir, name);
    return path;
}

static size_t count_formats(lode_engine *e)
{
    size_t n = 0;
    while (lode_format_at(e, n, NULL))
        n++;
    return n;
}

static void test_load_and_use(void)
{
    lode_engine *e = lode_engine_new(NULL);
    size_t before = count_formats(e);
    CHECK_EQ_INT(lode_plugin_load(e, plugin("kv")), LODE_OK);
    CHECK_EQ_INT(count_formats(e), before + 2); /* kv (read), keys (write) */
    unsigned caps = 0;
    CHECK_EQ_STR(lode_format_at(e, before, &caps), "kv");
    CHECK_EQ_INT(caps, LODE_FORMAT_READ);
    /* loading again (same name) is a no-op */
    CHECK_EQ_INT(lode_plugin_load(e, plugin("kv")), LODE_OK);
    CHECK_EQ_INT(count_formats(e), before + 2);

    lode_plugin_desc d;
    CHECK(lode_plugin_at(e, 0, &d) == 1);
    CHECK_EQ_STR(d.name, "kv");
    CHECK_EQ_STR(d.version, "1.2.3");
    CHECK_EQ_STR(d.provides, "reader kv (.kv)\nwriter keys\nsink lines (.lines)\nmodule lode.kv\n"
                             "module lode.kv.util\n");
    CHECK(lode_plugin_at(e, 1, &d) == 0);

    /* by extension, by sniffing, by name */
    CHECK_EQ_STR(lode_format_detect(e, "a.kv", NULL, 0), "kv");
    CHECK_EQ_STR(lode_format_detect(e, "noext", "#kv\na=b\n", 8), "kv");
    const char src[] = "title = Hello\nlang = de\n";
    lode_doc *doc = NULL;
    CHECK_EQ_INT(lode_doc_parse(e, src, sizeof src - 1, "t.kv", NULL, &doc), LODE_OK);
    CHECK_EQ_STR(lode_doc_format(doc), "kv");
    CHECK_TREE(lode_doc_xml(doc));
    char *out = NULL;
    size_t len = 0;
    lode_write_options wo = {"keys", 0};
    CHECK_EQ_INT(lode_doc_write_buffer(e, doc, &wo, &out, &len), LODE_OK);
    CHECK_EQ_STR(out, "title\nlang\n");
    lode_free(e, out);
    /* a built-in writer on the plugin's tree */
    wo.format = "text";
    CHECK_EQ_INT(lode_doc_write_buffer(e, doc, &wo, &out, &len), LODE_OK);
    CHECK(out && strstr(out, "Hello") != NULL);
    lode_free(e, out);

    /* the plugin's modules in a rule script; its error carries file:line */
    const char script[] =
        "local kv = require 'lode.kv'\n"
        "local util = require 'lode.kv.util'\n"
        "return { dd = function(n, ctx) ctx:emit{v = n:text(), t = kv.twice(21), h = util.hello('x')} end }\n";
    char *recs = NULL;
    (void)recs;
    lode_rules *r = NULL;
    CHECK_EQ_INT(lode_rules_load_string(e, script, sizeof script - 1, "s.lua", NULL, &r), LODE_OK);
    CHECK_EQ_INT(lode_rules_run(r, doc), LODE_OK);
    lode_rules_free(r);
    lode_doc_free(doc);

    /* a parse error of the plugin's reader */
    CHECK_EQ_INT(lode_doc_parse(e, "a=b\nnonsense\n", 13, "bad.kv", NULL, &doc), LODE_EPARSE);
    CHECK_EQ_STR(lode_errmsg(e), "bad.kv:2: expected 'key = value'");
    CHECK(doc == NULL);

    /* the sink: by extension and by name; commit renames, no commit leaves nothing */
    CHECK_EQ_STR(lode_sink_detect(e, "out/x.lines"), "lines");
    CHECK(lode_sink_detect(e, "x.csv") == NULL);
    const char *path = "build-test-plugin.lines";
    remove(path);
    lode_sink *s = NULL;
    CHECK_EQ_INT(lode_sink_open(e, NULL, path, "myscript", &s), LODE_OK);
    CHECK_EQ_INT(lode_sink_write(s, "{\"a\":1,\"b\":\"x\"}", 15), LODE_OK);
    CHECK_EQ_INT(lode_sink_close(s, 0), LODE_OK);
    FILE *fp = fopen(path, "r");
    CHECK(fp == NULL);
    if (fp)
        fclose(fp);
    CHECK_EQ_INT(lode_sink_open(e, "lines", path, "myscript", &s), LODE_OK);
    CHECK_EQ_INT(lode_sink_write(s, "{\"a\":1,\"b\":\"x\"}", 15), LODE_OK);
    CHECK_EQ_INT(lode_sink_close(s, 1), LODE_OK);
    char line[256] = "";
    fp = fopen(path, "r");
    CHECK(fp != NULL);
    if (fp) {
        CHECK(fgets(line, sizeof line, fp) != NULL);
        CHECK_EQ_STR(line, "# myscript\n");
        CHECK(fgets(line, sizeof line, fp) != NULL);
        CHECK_EQ_STR(line, "a=1 b=\"x\" \n");
        fclose(fp);
    }
    remove(path);
    CHECK_EQ_INT(lode_sink_open(e, "nosuch", path, NULL, &s), LODE_EFORMAT);
    CHECK(strstr(lode_errmsg(e), "no record sink named 'nosuch'") != NULL);
    lode_engine_free(e);
}

static void test_refused(void)
{
    lode_engine *e = lode_engine_new(NULL);
    size_t before = count_formats(e);
    char want[1400];

    CHECK_EQ_INT(lode_plugin_load(e, plugin("old_abi")), LODE_ERROR);
    snprintf(want, sizeof want, "%s: plugin 'oldie' was built for plugin ABI %d; this lode has ABI %d: "
             "rebuild it against this lode's lode.h", plugin("old_abi"), LODE_PLUGIN_ABI - 1, LODE_PLUGIN_ABI);
    CHECK_EQ_STR(lode_errmsg(e), want);

    CHECK_EQ_INT(lode_plugin_load(e, plugin("bad_init")), LODE_ERROR);
    snprintf(want, sizeof want, "%s: plugin 'badinit' failed to initialise: libfoo 2.0 is required, found 1.4",
             plugin("bad_init"));
    CHECK_EQ_STR(lode_errmsg(e), want);

    CHECK_EQ_INT(lode_plugin_load(e, plugin("clash")), LODE_ERROR);
    snprintf(want, sizeof want, "%s: plugin 'clash': a reader for format 'xml' is already registered",
             plugin("clash"));
    CHECK_EQ_STR(lode_errmsg(e), want);

    CHECK_EQ_INT(lode_plugin_load(e, plugin("not_a_plugin")), LODE_ERROR);
    CHECK(strstr(lode_errmsg(e), "not a lode plugin") != NULL);

    CHECK_EQ_INT(lode_plugin_load(e, "/nonexistent/x.so"), LODE_EIO);
    CHECK(strncmp(lode_errmsg(e), "/nonexistent/x.so: cannot load the plugin: ", 43) == 0);

    /* nothing of them stayed */
    CHECK_EQ_INT(count_formats(e), before);
    lode_plugin_desc d;
    CHECK(lode_plugin_at(e, 0, &d) == 0);
    lode_parse_options po = {"never", NULL, 0};
    lode_doc *doc = NULL;
    CHECK_EQ_INT(lode_doc_parse(e, "x", 1, "x", &po, &doc), LODE_EFORMAT);
    lode_engine_free(e);
}

static void test_sandbox(void)
{
    lode_options o;
    lode_options_init(&o);
    o.sandbox.enabled = 1;
    lode_engine *e = lode_engine_new(&o);
    CHECK_EQ_INT(lode_plugin_load(e, plugin("kv")), LODE_ESANDBOX);
    CHECK(strstr(lode_errmsg(e), "plugins are not loaded in the sandbox") != NULL);
    lode_engine_free(e);

    /* allowed: the plugin loads and its modules are visible */
    o.sandbox.allow_plugins = 1;
    e = lode_engine_new(&o);
    CHECK_EQ_INT(lode_plugin_load(e, plugin("kv")), LODE_OK);
    const char script[] = "local kv = require 'lode.kv'\nassert(kv.twice(2) == 4)\nreturn {}\n";
    lode_rules *r = NULL;
    CHECK_EQ_INT(lode_rules_load_string(e, script, sizeof script - 1, "s.lua", NULL, &r), LODE_OK);
    lode_rules_free(r);
    lode_engine_free(e);
}

static void log_count(void *ud, int level, const char *msg)
{
    (void)level;
    if (strstr(msg, "plugin skipped: ") == msg)
        ++*(int *)ud;
}

/* lode_options.plugin_path: nothing is loaded until a lookup misses. */
static void test_plugin_path(void)
{
    int warnings = 0;
    lode_options o;
    lode_options_init(&o);
    char path[1200];
    snprintf(path, sizeof path, "/nonexistent:%s", dir);
    o.plugin_path = path;
    o.log = log_count;
    o.log_ud = &warnings;
    lode_engine *e = lode_engine_new(&o);
    lode_plugin_desc d;
    lode_doc *doc = NULL;
    CHECK_EQ_INT(lode_doc_parse(e, "<p>x</p>", 8, "a.html", NULL, &doc), LODE_OK);
    lode_doc_free(doc);
    CHECK(lode_plugin_at(e, 0, &d) == 0); /* a built-in format: nothing loaded */
    CHECK_EQ_INT(warnings, 0);
    /* require of a plugin module loads the path (the folder's broken test
     * plugins are skipped with one warning each) */
    const char script[] = "local kv = require 'lode.kv'\nassert(kv.twice(3) == 6)\nreturn {}\n";
    lode_rules *r = NULL;
    CHECK_EQ_INT(lode_rules_load_string(e, script, sizeof script - 1, "s.lua", NULL, &r), LODE_OK);
    lode_rules_free(r);
    CHECK(lode_plugin_at(e, 0, &d) == 1 && strcmp(d.name, "kv") == 0);
    CHECK_EQ_INT(warnings, 4); /* bad_init, clash, not_a_plugin, old_abi */
    lode_engine_free(e);

    /* an unknown extension loads the path; the reader then applies */
    e = lode_engine_new(&o);
    CHECK_EQ_STR(lode_format_detect(e, "x.kv", NULL, 0), "kv");
    lode_engine_free(e);
    /* a format name only a plugin has */
    e = lode_engine_new(&o);
    lode_parse_options po = {"kv", NULL, 0};
    CHECK_EQ_INT(lode_doc_parse(e, "a = b\n", 6, "noext", &po, &doc), LODE_OK);
    lode_doc_free(doc);
    lode_engine_free(e);
    /* a sink by extension */
    e = lode_engine_new(&o);
    CHECK_EQ_STR(lode_sink_detect(e, "x.lines"), "lines");
    lode_engine_free(e);
    /* all at once; in the sandbox only when allowed */
    e = lode_engine_new(&o);
    CHECK_EQ_INT(lode_plugin_load_path(e), LODE_OK);
    CHECK(lode_plugin_at(e, 0, &d) == 1);
    lode_engine_free(e);
    o.sandbox.enabled = 1;
    e = lode_engine_new(&o);
    CHECK_EQ_INT(lode_plugin_load_path(e), LODE_ESANDBOX);
    CHECK_EQ_STR(lode_format_detect(e, "x.kv", "a = b", 5), "text");
    CHECK(lode_plugin_at(e, 0, &d) == 0);
    lode_engine_free(e);
}

int main(void)
{
    const char *b = getenv("BUILD");
    snprintf(dir, sizeof dir, "%s/tests/plugins", b && *b ? b : "build");
    RUN(test_load_and_use);
    RUN(test_refused);
    RUN(test_sandbox);
    RUN(test_plugin_path);
    return harness_done();
}
