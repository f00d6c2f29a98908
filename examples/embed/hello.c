/* hello.c -- lode's "hello world": parse a document, run a rule script on it,
 * receive its records, print its report, free everything.
 *   cc hello.c $(pkg-config --cflags --libs lode) -o hello && ./hello */
#include <stdio.h>
#include <string.h>
#include <lode.h>

static int on_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    (void)ud;
    printf("%s: %.*s\n", lode_doc_name(doc), (int)len, json);
    return 0; /* non-zero would stop the run */
}

int main(void)
{
    const char *html = "<p>Hello, <b>world</b>!</p><p>Hello again.</p>";
    const char *script = "return { p = function(p, ctx)\n"
                         "  ctx:emit{ text = p:text() }\n"
                         "  ctx.report:sum('words', select(2, p:text():gsub('%S+', '')))\n"
                         "end }";
    lode_engine *e = lode_engine_new(NULL);
    lode_rules_options ro = {.on_record = on_record};
    lode_rules *rules = NULL;
    lode_doc *doc = NULL;
    char *report = NULL;
    int rc = lode_rules_load_string(e, script, strlen(script), "hello.lua", &ro, &rules);
    if (rc == LODE_OK && (rc = lode_doc_parse(e, html, strlen(html), "hello.html", NULL, &doc)) == LODE_OK &&
        (rc = lode_rules_run(rules, doc)) == LODE_OK &&
        (rc = lode_report_write_buffer(lode_rules_report(rules), "json", NULL, &report, NULL)) == LODE_OK)
        fputs(report, stdout);
    else
        fprintf(stderr, "hello: %s\n", lode_errmsg(e));
    lode_free(e, report);
    lode_doc_free(doc);
    lode_rules_free(rules);
    lode_engine_free(e);
    return rc == LODE_OK ? 0 : 1;
}
