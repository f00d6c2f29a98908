/* md_driver.c -- the markdown plugin's tests through lode's public API
 * (what `lode convert --plugin` does):
 *
 *   md_driver PLUGIN.so IN FROM TO [repair] [max_depth=N]
 *
 * loads the plugin, reads IN ("-": standard input) as FROM, writes it as TO
 * to standard output (TO "none": parse only, for timing).  Errors go to standard error as lode's message; exit
 * status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lode.h"

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: md_driver PLUGIN.so IN FROM TO [repair] [max_depth=N]\n");
        return 2;
    }
    lode_options o;
    lode_options_init(&o);
    lode_parse_options po = {argv[3], NULL, 0};
    for (int i = 5; i < argc; i++) {
        if (!strcmp(argv[i], "repair"))
            po.flags |= LODE_PARSE_REPAIR;
        else if (!strncmp(argv[i], "max_depth=", 10))
            o.limits.max_depth = (unsigned)atoi(argv[i] + 10);
    }
    lode_engine *e = lode_engine_new(&o);
    if (!e)
        return 1;
    int rc = lode_plugin_load(e, argv[1]);
    lode_doc *doc = NULL;
    if (rc == LODE_OK)
        rc = strcmp(argv[2], "-") ? lode_doc_load(e, argv[2], &po, &doc)
                                  : lode_doc_read_file(e, stdin, "<stdin>", &po, &doc);
    if (rc == LODE_OK && strcmp(argv[4], "none") != 0) { /* "none": parse only */
        lode_write_options wo = {argv[4], 0};
        rc = lode_doc_write_file(e, doc, &wo, stdout);
    }
    if (rc != LODE_OK)
        fprintf(stderr, "%s\n", lode_errmsg(e));
    lode_doc_free(doc);
    lode_engine_free(e);
    return rc == LODE_OK ? 0 : 1;
}
