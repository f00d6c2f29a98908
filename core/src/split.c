/* split.c -- streaming a huge XML file as many small documents: every
 * element with a given name (a Wikipedia dump's <page>, a PubMed set's
 * <PubmedArticle>) becomes a document of its own, read with libxml2's
 * xmlTextReader in memory that does not grow with the file.
 *
 * Hardened like read_xml.c: no network, no DTD loading, no entity
 * substitution (references stay references), libxml2's depth limit; bytes
 * come through our own read callback, which inflates gzip (zlib's gzread
 * passes plain files through), refuses NUL bytes (libxml2 2.9 truncates at
 * one silently, HARDENING 1.4) and counts bytes for messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlreader.h>
#include <libxml/valid.h>
#include <zlib.h>

#include "doc.h"
#include "engine.h"
#include "split.h"
#include "xmlerr.h"

struct lode_split {
    lode_engine *e;
    char *path;
    char *element;
    gzFile gz;
    xmlTextReaderPtr reader;
    xmlerr err;
    long count;      /* elements handed out */
    long line;       /* source line of the last one */
    int nul;         /* a NUL byte was read */
    int io_error;
    int done;
    xmlDoc *doc;     /* the reader's document, once xmlTextReaderCurrentDoc
                        was called: from then on it is ours to free */
    int positioned;  /* xmlTextReaderNext left the reader on a node not yet
                        looked at (the element's next sibling) */
    unsigned long long bytes;
};

static int read_cb(void *ctx, char *out, int len)
{
    struct lode_split *s = ctx;
    int n = gzread(s->gz, out, (unsigned)len);
    if (n < 0) {
        s->io_error = 1;
        return -1;
    }
    if (memchr(out, '\0', (size_t)n)) {
        s->nul = 1;
        return -1;
    }
    s->bytes += (unsigned)n;
    return n;
}

/* IDs are per document: the same xml:id in two elements of the stream is
 * no error (each becomes its own document). */
static void on_reader_error(void *ctx, xmlErrorPtr err)
{
    if (err && err->code == XML_DTD_ID_REDEFINED)
        return;
    /* namespace errors (an undeclared prefix) are not fatal to libxml2's
     * parse, and the XML reader (read_xml.c) accepts such documents too */
    if (err && err->domain == XML_FROM_NAMESPACE)
        return;
    xmlerr_on_error(ctx, err);
}

static int close_cb(void *ctx)
{
    (void)ctx;
    return 0;
}

void lode_split_free(lode_split *s)
{
    if (!s)
        return;
    if (s->reader)
        xmlFreeTextReader(s->reader);
    if (s->doc)
        xmlFreeDoc(s->doc); /* xmlTextReaderCurrentDoc made it ours */
    if (s->gz)
        gzclose(s->gz);
    mem_free(&s->e->mem, s->path);
    mem_free(&s->e->mem, s->element);
    mem_free(&s->e->mem, s);
}

int lode_split_open(lode_engine *e, const char *path, const char *element, lode_split **out)
{
    if (!out)
        return e ? engine_error(e, LODE_EMISUSE, "lode_split_open: NULL out") : LODE_EMISUSE;
    *out = NULL;
    if (!e || !path || !element || !*element)
        return e ? engine_error(e, LODE_EMISUSE, "lode_split_open: NULL argument") : LODE_EMISUSE;
    engine_clear_error(e);
    lode_split *s = mem_alloc(&e->mem, sizeof *s);
    if (!s)
        return engine_error(e, LODE_ENOMEM, "out of memory");
    memset(s, 0, sizeof *s);
    s->e = e;
    s->path = mem_strdup(&e->mem, path);
    s->element = mem_strdup(&e->mem, element);
    if (!s->path || !s->element) {
        lode_split_free(s);
        return engine_error(e, LODE_ENOMEM, "out of memory");
    }
    int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int rc = engine_error(e, LODE_EIO, "%s: cannot open: %s", path, strerror(errno));
        lode_split_free(s);
        return rc;
    }
    s->gz = gzdopen(fd, "rb");
    if (!s->gz) {
        close(fd);
        lode_split_free(s);
        return engine_error(e, LODE_ENOMEM, "out of memory");
    }
    gzbuffer(s->gz, 1u << 17);
    /* no XML_PARSE_NOENT (no substitution), no DTDLOAD/DTDATTR, no HUGE */
    s->reader = xmlReaderForIO(read_cb, close_cb, s, path, NULL, XML_PARSE_NONET);
    if (!s->reader) {
        lode_split_free(s);
        return engine_error(e, LODE_ENOMEM, "%s: cannot create an XML reader", path);
    }
    xmlTextReaderSetStructuredErrorHandler(s->reader, on_reader_error, &s->err);
    *out = s;
    return LODE_OK;
}

/* The error of a failed read, as a status with the engine's message. */
static int read_error(lode_split *s)
{
    s->done = 1;
    if (s->nul)
        return engine_error(s->e, LODE_EPARSE, "%s: NUL byte near byte offset %llu: not XML text", s->path,
                            s->bytes);
    if (s->io_error) {
        int zerr;
        const char *m = gzerror(s->gz, &zerr);
        return engine_error(s->e, zerr == Z_DATA_ERROR ? LODE_EPARSE : LODE_EIO, "%s: %s", s->path,
                            zerr == Z_DATA_ERROR ? "corrupt gzip data" : m);
    }
    if (s->err.have_first)
        return engine_error(s->e, LODE_EPARSE, "%s:%d:%d: %s", s->path, s->err.first_line, s->err.first_col,
                            s->err.first);
    return engine_error(s->e, LODE_EPARSE, "%s: malformed XML", s->path);
}

int split_next_xml(lode_split *s, struct _xmlDoc **out, long *line)
{
    *out = NULL;
    if (s->done)
        return LODE_OK;
    engine_clear_error(s->e);
    xmlerr saved;
    xmlerr_begin(&saved, NULL); /* errors raised outside the reader's context */
    int rc = LODE_OK;
    for (;;) {
        int r = 1;
        if (s->positioned)
            s->positioned = 0; /* look at the node Next() moved to first */
        else
            r = xmlTextReaderRead(s->reader);
        if (r == 0) {
            s->done = 1;
            if (s->err.count || s->nul || s->io_error)
                rc = read_error(s);
            break;
        }
        if (r < 0) {
            /* libxml2 parses ahead: an error may be known before the
             * elements in front of it are handed out, so only a failed
             * read ends the stream */
            rc = read_error(s);
            break;
        }
        if (xmlTextReaderNodeType(s->reader) != XML_READER_TYPE_ELEMENT)
            continue;
        const xmlChar *name = xmlTextReaderConstLocalName(s->reader);
        if (!name || strcmp((const char *)name, s->element) != 0)
            continue;
        xmlNode *node = xmlTextReaderExpand(s->reader);
        if (!node) {
            rc = read_error(s);
            break;
        }
        xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
        xmlNode *copy = doc ? xmlDocCopyNode(node, doc, 1) : NULL;
        if (!copy) {
            xmlFreeDoc(doc);
            rc = engine_error(s->e, LODE_ENOMEM, "%s: out of memory", s->path);
            s->done = 1;
            break;
        }
        xmlDocSetRootElement(doc, copy);
        s->count++;
        s->line = xmlGetLineNo(node);
        if (line)
            *line = s->line;
        *out = doc;
        /* skip the subtree just copied (the reader frees it as it goes);
         * Next() lands on the following node, which the next call looks at
         * before reading on: two elements in a row are both handed out */
        int nx = xmlTextReaderNext(s->reader);
        if (nx == 1)
            s->positioned = 1;
        else if (nx == 0)
            s->done = 1;
        else
            s->positioned = 0; /* an error: the next Read reports it */
        /* The reader's document registers every xml:id it meets and keeps
         * the table for the whole stream: memory would grow with the file.
         * The elements handed out are copies; drop the table (attributes
         * freed later find no table, which xmlRemoveID allows). */
        xmlDoc *cur = xmlTextReaderCurrentDoc(s->reader);
        if (cur)
            s->doc = cur; /* the reader no longer frees it: we do, at the end */
        if (cur && cur->ids) {
            xmlFreeIDTable(cur->ids);
            cur->ids = NULL;
        }
        break;
    }
    xmlerr_end(&saved);
    if (saved.count && rc == LODE_OK && !*out) {
        /* an error only the thread-wide handler saw (e.g. encoding) */
        rc = engine_error(s->e, LODE_EPARSE, "%s: %s", s->path, saved.first);
    }
    return rc;
}

int lode_split_next(lode_split *s, lode_doc **out)
{
    if (!out)
        return LODE_EMISUSE;
    *out = NULL;
    if (!s)
        return LODE_EMISUSE;
    xmlDoc *xml;
    long line = 0;
    int rc = split_next_xml(s, &xml, &line);
    if (rc != LODE_OK || !xml)
        return rc;
    char name[600];
    snprintf(name, sizeof name, "%s:%ld", s->path, line);
    return lode_doc_adopt(s->e, xml, name, "xml", out);
}
