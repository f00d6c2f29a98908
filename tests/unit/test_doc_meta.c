/* test_doc_meta.c -- lode_doc_set_meta and what rule scripts see of it
 * through doc:meta, through the public API only.
 *
 * The JSON metadata comes first (null fields count as absent), head/meta
 * elements second; doc:meta() merges both with the JSON winning.  Values
 * keep their JSON types (integers stay integers).  Bad JSON, a non-object
 * or duplicate keys give LODE_EPARSE and leave the earlier metadata; NULL
 * removes it.  Misuse (a NULL document) aborts on an assert or returns
 * LODE_EMISUSE, checked in a forked child. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect.h"
#include "harness.h"
#include "lode.h"

static const char page[] = "<html><head><meta name=\"date\" content=\"2019-04\"><meta name=\"lang\" content=\"en\">"
                           "<title>T</title></head><body><p>x</p></body></html>";

static const char meta_json[] = "{\"lang\":\"de\",\"n\":3,\"f\":1.5,\"ok\":true,\"no\":false,\"nil\":null,"
                                "\"date\":null,\"list\":[1,null,\"x\"],\"obj\":{\"k\":\"v\",\"deep\":{\"a\":[[2]]}},"
                                "\"s\":\"a\\u0000b\",\"big\":9007199254740993,\"u\":\"\xc3\xa9t\xc3\xa9\"}";

/* One record per document with what doc:meta returns; `saved` keeps the
 * last document for finish(). */
static const char script[] =
    "local saved\n"
    "return {\n"
    "  document = function(doc, ctx)\n"
    "    saved = doc\n"
    "    local m = doc:meta()\n"
    "    local keys = {}\n"
    "    for k in pairs(m) do keys[#keys + 1] = k end\n"
    "    table.sort(keys)\n"
    "    local list, obj = doc:meta('list'), doc:meta('obj')\n"
    "    ctx:emit{ lang = doc:meta('lang'), date = doc:meta('date'), n = doc:meta('n'),\n"
    "      ntype = math.type(doc:meta('n')), f = doc:meta('f'), ok = doc:meta('ok'), no = doc:meta('no'),\n"
    "      isnil = doc:meta('nil') == nil, missing = doc:meta('missing') == nil,\n"
    "      l1 = list and list[1], l2nil = list and list[2] == nil, l3 = list and list[3],\n"
    "      k = obj and obj.k, deep = obj and obj.deep.a[1][1], slen = doc:meta('s') and #doc:meta('s'),\n"
    "      big = doc:meta('big'), u = doc:meta('u'),\n"
    "      keys = table.concat(keys, ','), mlang = m.lang, mdate = m.date, mn = m.n }\n"
    "  end,\n"
    "  finish = function(ctx)\n"
    "    -- the host freed the document; the script's handle still reads its metadata\n"
    "    if saved and saved:meta('lang') ~= 'fr' then error('metadata lost: ' .. tostring(saved:meta('lang'))) end\n"
    "  end,\n"
    "}\n";

static lode_doc *parse_page(lode_engine *e)
{
    lode_doc *d = NULL;
    lode_parse_options po = {"html", NULL, 0};
    if (lode_doc_parse(e, page, strlen(page), "page.html", &po, &d) != LODE_OK)
        printf("# parse: %s\n", lode_errmsg(e));
    return d;
}

static void meta_in_lua(void)
{
    lode_engine *e = lode_engine_new(NULL);
    sink s;
    memset(&s, 0, sizeof s);
    lode_rules_options ro = {.on_record = on_record, .record_ud = &s};
    lode_rules *r = NULL;
    CHECK_EQ_INT(lode_rules_load_string(e, script, strlen(script), "meta.lua", &ro, &r), LODE_OK);
    if (!r) {
        printf("# %s\n", lode_errmsg(e));
        lode_engine_free(e);
        return;
    }

    /* 1: with JSON metadata */
    lode_doc *d = parse_page(e);
    CHECK_EQ_INT(lode_doc_set_meta(e, d, meta_json, strlen(meta_json)), LODE_OK);
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    CHECK_EQ_STR(s.text,
                 "{\"big\":9007199254740993,\"date\":\"2019-04\",\"deep\":2,\"f\":1.5,\"isnil\":true,\"k\":\"v\","
                 "\"keys\":\"big,date,f,lang,list,n,no,obj,ok,s,u\",\"l1\":1,\"l2nil\":true,\"l3\":\"x\",\"lang\":\"de\","
                 "\"mdate\":\"2019-04\",\"missing\":true,\"mlang\":\"de\",\"mn\":3,\"n\":3,\"no\":false,"
                 "\"ntype\":\"integer\",\"ok\":true,\"slen\":3,\"u\":\"\xc3\xa9t\xc3\xa9\"}\n");
    lode_doc_free(d);

    /* 2: no metadata: head/meta only, as before */
    s.len = 0;
    s.text[0] = '\0';
    d = parse_page(e);
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    CHECK(contains(s.text, "\"keys\":\"date,lang\""));
    CHECK(contains(s.text, "\"lang\":\"en\""));
    CHECK(contains(s.text, "\"missing\":true"));

    /* 3: errors keep the earlier metadata; a new object replaces it; NULL
     * removes it */
    CHECK_EQ_INT(lode_doc_set_meta(e, d, "{\"lang\":\"fr\"}", 13), LODE_OK);
    CHECK_EQ_INT(lode_doc_set_meta(e, d, "[1,2]", 5), LODE_EPARSE);
    CHECK_EQ_STR(lode_errmsg(e), "page.html: metadata is not a JSON object");
    CHECK_EQ_INT(lode_doc_set_meta(e, d, "{\"a\":", 5), LODE_EPARSE);
    CHECK(contains(lode_errmsg(e), "page.html: metadata:1:"));
    CHECK_EQ_INT(lode_doc_set_meta(e, d, "{\"a\":1,\"a\":2}", 13), LODE_EPARSE);
    CHECK(contains(lode_errmsg(e), "duplicate"));
    CHECK_EQ_INT(lode_doc_set_meta(e, d, "\"x\"", 3), LODE_EPARSE);
    CHECK_EQ_INT(lode_doc_set_meta(e, d, "{} x", 4), LODE_EPARSE);
    CHECK_EQ_INT(lode_doc_set_meta(e, d, "{\"lang\":\"it\"}", 5), LODE_EPARSE); /* len counts: "{\"la" */
    s.len = 0;
    s.text[0] = '\0';
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    CHECK(contains(s.text, "\"lang\":\"fr\""));
    CHECK(contains(s.text, "\"keys\":\"date,lang\""));
    CHECK(contains(s.text, "\"missing\":true"));

    CHECK_EQ_INT(lode_doc_set_meta(e, d, NULL, 0), LODE_OK);
    s.len = 0;
    s.text[0] = '\0';
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    CHECK(contains(s.text, "\"lang\":\"en\""));
    CHECK_EQ_INT(lode_doc_set_meta(e, d, "{\"lang\":\"fr\"}", 13), LODE_OK);
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);

    /* the host frees the document; finish() still reads it through the
     * script's handle (the metadata lives as long as the document) */
    lode_doc_free(d);
    CHECK_EQ_INT(lode_rules_finish(r), LODE_OK);
    if (lode_errcode(e) != LODE_OK)
        printf("# %s\n", lode_errmsg(e));
    lode_rules_free(r);
    lode_engine_free(e);
}

static void meta_text_doc(void)
{
    /* a text article's front matter meta stays reachable; JSON wins */
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *d = NULL;
    CHECK_EQ_INT(lode_doc_load(e, "examples/documents/putin-kim-wladiwostok.txt", NULL, &d), LODE_OK);
    static const char json[] = "{\"source\":\"dpa\",\"date\":\"2019-04-25\"}";
    CHECK_EQ_INT(lode_doc_set_meta(e, d, json, strlen(json)), LODE_OK);
    sink s;
    memset(&s, 0, sizeof s);
    lode_rules_options ro = {.on_record = on_record, .record_ud = &s};
    static const char src[] = "return { document = function(doc, ctx)\n"
                              "  local all = doc:meta()\n"
                              "  ctx:emit{ date = doc:meta('date'), source = doc:meta('source'), all_date = all.date,\n"
                              "            all_source = all.source, charset = doc:meta('charset') }\n"
                              "end }\n";
    lode_rules *r = NULL;
    CHECK_EQ_INT(lode_rules_load_string(e, src, strlen(src), "t.lua", &ro, &r), LODE_OK);
    if (r && d) {
        CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
        CHECK_EQ_STR(s.text, "{\"all_date\":\"2019-04-25\",\"all_source\":\"dpa\",\"date\":\"2019-04-25\",\"source\":\"dpa\"}\n");
    }
    lode_rules_free(r);
    lode_doc_free(d);
    lode_engine_free(e);
}

/* Runs fn in a child: passes if it returned LODE_EMISUSE (exit 0) or
 * aborted on an assert. */
static int misuse(int (*fn)(lode_engine *, lode_doc *))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        lode_engine *e = lode_engine_new(NULL);
        lode_doc *d = parse_page(e);
        int rc = fn(e, d);
        lode_doc_free(d);
        lode_engine_free(e);
        _exit(rc == LODE_EMISUSE ? 0 : 10);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) < 0)
        return 0;
    return (WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

static int null_doc(lode_engine *e, lode_doc *d)
{
    (void)d;
    return lode_doc_set_meta(e, NULL, "{}", 2);
}

static int null_json(lode_engine *e, lode_doc *d)
{
    return lode_doc_set_meta(e, d, NULL, 2);
}

static int null_engine(lode_engine *e, lode_doc *d)
{
    (void)e;
    return lode_doc_set_meta(NULL, d, "{}", 2);
}

static void meta_misuse(void)
{
    CHECK(misuse(null_doc));
    CHECK(misuse(null_json));
    CHECK(misuse(null_engine));
}

int main(void)
{
    RUN(meta_in_lua);
    RUN(meta_text_doc);
    RUN(meta_misuse);
    return harness_done();
}
