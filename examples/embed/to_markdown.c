/* to_markdown.c -- the smallest useful host of liblode: read any document
 * lode understands and print it as Markdown.
 *
 *   cc to_markdown.c $(pkg-config --cflags --libs lode) -o to_markdown
 *   ./to_markdown article.txt
 */
#include <stdio.h>

#include <lode.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    lode_engine *engine = lode_engine_new(NULL); /* defaults: system allocator, default limits */
    if (!engine)
        return 4;
    lode_doc *doc = NULL;
    int rc = lode_doc_load(engine, argv[1], NULL, &doc); /* format from the extension or content */
    if (rc == LODE_OK) {
        lode_write_options wo = {"markdown", 0};
        rc = lode_doc_write_file(engine, doc, &wo, stdout);
    }
    if (rc != LODE_OK)
        fprintf(stderr, "error: %s (%s)\n", lode_errmsg(engine), lode_strerror(rc));
    lode_doc_free(doc);
    lode_engine_free(engine);
    return rc == LODE_OK ? 0 : 1;
}
