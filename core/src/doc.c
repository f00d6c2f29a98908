/* doc.c -- document lifecycle: parse, load, adopt, write, save, free. */
#include "doc.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fileio.h"
#include "format.h"

/* Takes ownership of xml: wraps it in a new lode_doc, or frees it on OOM. */
static int wrap(lode_engine *e, xmlDoc *xml, const char *name, const char *fmt, lode_doc **out)
{
    lode_doc *d = mem_alloc(&e->mem, sizeof *d);
    char *nm = d ? mem_strdup(&e->mem, engine_srcname(name)) : NULL;
    if (!d || !nm) {
        mem_free(&e->mem, d);
        xmlFreeDoc(xml);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", engine_srcname(name));
    }
    d->engine = e;
    d->xml = xml;
    d->name = nm;
    d->format = fmt;
    d->refs = 1;
    d->bytes = 0;
    d->edits = 0;
    d->parked = NULL;
    d->nparked = d->capparked = 0;
    d->meta = NULL;
    *out = d;
    return LODE_OK;
}

int lode_doc_parse(lode_engine *e, const void *data, size_t len, const char *name,
                   const lode_parse_options *opts, lode_doc **out)
{
    assert(e && out && (data || !len));
    if (!e || !out || (!data && len))
        return e ? engine_error(e, LODE_EMISUSE, "lode_doc_parse: NULL argument") : LODE_EMISUSE;
    *out = NULL;
    engine_clear_error(e);
    lode_parse_options po;
    if (opts)
        po = *opts;
    else
        memset(&po, 0, sizeof po);
    const char *src = engine_srcname(name);
    if (len > e->limits.max_input_bytes)
        return engine_error(e, LODE_ELIMIT, "%s: %zu bytes is larger than the input limit of %zu bytes",
                            src, len, e->limits.max_input_bytes);
    const format *f;
    if (po.format) {
        f = format_for_read(e, po.format);
        if (!f)
            return engine_error(e, LODE_EFORMAT, "%s: '%s' is not a readable format", src, po.format);
    } else {
        if (len == 0)
            return engine_error(e, LODE_EEMPTY, "%s: empty document", src);
        const char *fname = lode_format_detect(e, name, data, len);
        if (!fname)
            return e->errcode;
        f = format_find(e, fname);
    }
    xmlDoc *xml = NULL;
    int rc = format_read(e, f, src, data ? data : (const void *)"", len, &po, &xml);
    if (rc != LODE_OK) {
        assert(xml == NULL);
        return rc;
    }
    rc = wrap(e, xml, src, f->name, out);
    if (rc == LODE_OK)
        (*out)->bytes = len;
    return rc;
}

/* Parses the bytes read from a file or stream: gzip data (by its magic
 * bytes, whatever the name) is inflated first, capped at max_input_bytes of
 * decompressed output.  Frees nothing: b stays the caller's. */
static int parse_read(lode_engine *e, buf *b, const char *name, const lode_parse_options *opts, lode_doc **out)
{
    if (!fileio_is_gzip(b->ptr, b->len))
        return lode_doc_parse(e, b->ptr, b->len, name, opts, out);
    buf z;
    buf_init(&z, &e->mem);
    int rc = fileio_gunzip(e, engine_srcname(name), b->ptr, b->len, e->limits.max_input_bytes, &z);
    if (rc == LODE_OK) {
        buf_free(b); /* the compressed bytes are no longer needed */
        rc = lode_doc_parse(e, z.ptr ? z.ptr : "", z.len, name, opts, out);
    }
    buf_free(&z);
    return rc;
}

int lode_doc_load(lode_engine *e, const char *path, const lode_parse_options *opts, lode_doc **out)
{
    assert(e && path && out);
    if (!e || !path || !out)
        return e ? engine_error(e, LODE_EMISUSE, "lode_doc_load: NULL argument") : LODE_EMISUSE;
    *out = NULL;
    buf b;
    buf_init(&b, &e->mem);
    int rc = fileio_read_path(e, path, e->limits.max_input_bytes, &b);
    if (rc == LODE_OK)
        rc = parse_read(e, &b, path, opts, out);
    buf_free(&b);
    return rc;
}

int lode_doc_read_file(lode_engine *e, FILE *fp, const char *name, const lode_parse_options *opts,
                       lode_doc **out)
{
    assert(e && fp && out);
    if (!e || !fp || !out)
        return e ? engine_error(e, LODE_EMISUSE, "lode_doc_read_file: NULL argument") : LODE_EMISUSE;
    *out = NULL;
    buf b;
    buf_init(&b, &e->mem);
    int rc = fileio_read_fp(e, fp, engine_srcname(name), e->limits.max_input_bytes, &b);
    if (rc == LODE_OK)
        rc = parse_read(e, &b, name, opts, out);
    buf_free(&b);
    return rc;
}

int lode_doc_adopt(lode_engine *e, struct _xmlDoc *xml, const char *name, const char *fmt,
                   lode_doc **out)
{
    assert(e && xml && out);
    if (!e || !xml || !out) {
        xmlFreeDoc(xml);
        return e ? engine_error(e, LODE_EMISUSE, "lode_doc_adopt: NULL argument") : LODE_EMISUSE;
    }
    *out = NULL;
    engine_clear_error(e);
    const char *f = xml->type == XML_HTML_DOCUMENT_NODE ? "html" : "xml";
    if (fmt) {
        const format *ff = format_find(e, fmt);
        if (!ff) {
            xmlFreeDoc(xml);
            return engine_error(e, LODE_EFORMAT, "'%s' is not a known format", fmt);
        }
        f = ff->name;
    }
    return wrap(e, xml, name, f, out);
}

void doc_retain(lode_doc *d)
{
    d->refs++;
}

int doc_park_reserve(lode_doc *d, size_t more)
{
    if (more <= d->capparked - d->nparked)
        return 0;
    size_t cap = d->capparked ? d->capparked : 16;
    while (cap - d->nparked < more) {
        if (cap > SIZE_MAX / 2 / sizeof *d->parked)
            return -1;
        cap *= 2;
    }
    xmlNode **g = mem_realloc(&d->engine->mem, d->parked, cap * sizeof *g);
    if (!g)
        return -1;
    d->parked = g;
    d->capparked = cap;
    return 0;
}

int doc_park(lode_doc *d, xmlNode *n)
{
    if (doc_park_reserve(d, 1) < 0)
        return -1;
    d->parked[d->nparked++] = n;
    return 0;
}

/* Frees the parked nodes that are still detached roots.  All are decided
 * before any is freed (a parked node may sit inside another's subtree, or be
 * parked twice), and before the document, whose dictionary their names may
 * live in.  A root taken is marked by pointing its parent at a sentinel, so
 * that a second entry for it is passed over without sorting the list. */
static void free_parked(lode_doc *d)
{
    static const xmlNode taken; /* only its address is used */
    xmlNode *mark = (xmlNode *)(uintptr_t)&taken;
    size_t roots = 0;
    for (size_t i = 0; i < d->nparked; i++) {
        xmlNode *n = d->parked[i];
        if (!n->parent) {
            n->parent = mark;
            d->parked[roots++] = n;
        }
    }
    for (size_t i = 0; i < roots; i++) {
        d->parked[i]->parent = NULL;
        xmlFreeNode(d->parked[i]);
    }
    mem_free(&d->engine->mem, d->parked);
    d->parked = NULL;
    d->nparked = d->capparked = 0;
}

void lode_doc_free(lode_doc *d)
{
    if (!d || --d->refs > 0)
        return;
    free_parked(d);
    xmlFreeDoc(d->xml);
    json_decref(d->meta);
    const mem *m = &d->engine->mem;
    mem_free(m, d->name);
    mem_free(m, d);
}

struct _xmlDoc *lode_doc_xml(lode_doc *d)
{
    return d ? d->xml : NULL;
}

const char *lode_doc_name(const lode_doc *d)
{
    return d ? d->name : NULL;
}

const char *lode_doc_format(const lode_doc *d)
{
    return d ? d->format : NULL;
}

/* The metadata is kept parsed (jansson), so doc:meta(name) in Lua is a
 * hash lookup.  Duplicate keys are refused (which value would win is not
 * something to guess); \u0000 is allowed inside strings (Lua strings hold
 * it). */
int lode_doc_set_meta(lode_engine *e, lode_doc *d, const char *json, size_t len)
{
    assert(e && d && (json || !len));
    if (!e || !d || (!json && len))
        return e ? engine_error(e, LODE_EMISUSE, "lode_doc_set_meta: NULL argument") : LODE_EMISUSE;
    engine_clear_error(e);
    if (!json) {
        json_decref(d->meta);
        d->meta = NULL;
        return LODE_OK;
    }
    json_error_t err;
    json_t *v = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    if (!v) {
        if (json_error_code(&err) == json_error_out_of_memory)
            return engine_error(e, LODE_ENOMEM, "%s: out of memory", d->name);
        return engine_error(e, LODE_EPARSE, "%s: metadata:%d:%d: %s", d->name, err.line, err.column, err.text);
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return engine_error(e, LODE_EPARSE, "%s: metadata is not a JSON object", d->name);
    }
    json_decref(d->meta);
    d->meta = v;
    return LODE_OK;
}

/* Serialises into b (initialised by the caller). */
static int render(lode_engine *e, const lode_doc *d, const lode_write_options *wo, buf *b)
{
    assert(e && d && wo && wo->format);
    if (!e || !d || !wo || !wo->format)
        return e ? engine_error(e, LODE_EMISUSE, "write: NULL argument") : LODE_EMISUSE;
    engine_clear_error(e);
    const format *f = format_for_write(e, wo->format);
    if (!f)
        return engine_error(e, LODE_EFORMAT, "'%s' is not a writable format", wo->format);
    int rc = format_write(e, f, d->xml, wo, b);
    if (rc == LODE_OK && !buf_ok(b))
        rc = engine_error(e, LODE_ENOMEM, "%s: out of memory while writing %s", d->name, f->name);
    else if (rc != LODE_OK && strncmp(e->errmsg, d->name, strlen(d->name)) != 0) {
        /* Writers do not know the document's name; messages must carry it. */
        char msg[ENGINE_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", e->errmsg);
        engine_error(e, rc, "%s: %s", d->name, msg);
    }
    return rc;
}

int lode_doc_write_buffer(lode_engine *e, const lode_doc *d, const lode_write_options *wo,
                          char **out, size_t *len)
{
    assert(out);
    if (!out)
        return e ? engine_error(e, LODE_EMISUSE, "write: NULL argument") : LODE_EMISUSE;
    *out = NULL;
    if (len)
        *len = 0;
    buf b;
    buf_init(&b, e ? &e->mem : NULL);
    int rc = render(e, d, wo, &b);
    if (rc != LODE_OK) {
        buf_free(&b);
        return rc;
    }
    *out = buf_detach(&b, len);
    if (!*out)
        return engine_error(e, LODE_ENOMEM, "out of memory");
    return LODE_OK;
}

/* Formats whose writer only appends go out in pieces of this size as they
 * are made, instead of whole from one buffer the size of the output (fresh
 * memory is what costs most when writing a large tree). */
#define SPILL_SIZE (64 * 1024)

typedef struct spill_to {
    fileio_out *o; /* or */
    FILE *fp;
    int failed;
} spill_to;

static int spill_write(void *ud, const char *data, size_t len)
{
    spill_to *s = ud;
    if (s->o ? fileio_out_write(s->o, data, len) < 0 : fwrite(data, 1, len, s->fp) != len) {
        s->failed = 1;
        return -1;
    }
    return 0;
}

/* Does the document's output in this format stream (format_streams)? */
static int streams(lode_engine *e, const lode_write_options *wo)
{
    const format *f = e && wo && wo->format ? format_for_write(e, wo->format) : NULL;
    return f && format_streams(f);
}

int lode_doc_write_file(lode_engine *e, const lode_doc *d, const lode_write_options *wo, FILE *fp)
{
    assert(fp);
    if (!fp)
        return e ? engine_error(e, LODE_EMISUSE, "lode_doc_write_file: NULL FILE") : LODE_EMISUSE;
    buf b;
    spill_to s = {NULL, fp, 0};
    if (streams(e, wo))
        buf_init_spill(&b, &e->mem, SPILL_SIZE, spill_write, &s);
    else
        buf_init(&b, e ? &e->mem : NULL);
    int rc = render(e, d, wo, &b);
    if (rc == LODE_OK && (b.spill ? buf_spill_rest(&b) < 0 : fwrite(b.ptr, 1, b.len, fp) != b.len))
        s.failed = 1;
    if ((rc == LODE_OK || s.failed) && fflush(fp) != 0)
        s.failed = 1;
    if (s.failed)
        rc = engine_error(e, LODE_EIO, "%s: cannot write output", d->name);
    buf_free(&b);
    return rc;
}

int lode_doc_save(lode_engine *e, const lode_doc *d, const lode_write_options *wo, const char *path)
{
    assert(path);
    if (!path)
        return e ? engine_error(e, LODE_EMISUSE, "lode_doc_save: NULL path") : LODE_EMISUSE;
    int sync = !(wo && (wo->flags & LODE_WRITE_NOSYNC));
    buf b;
    if (!streams(e, wo)) {
        buf_init(&b, e ? &e->mem : NULL);
        int rc = render(e, d, wo, &b);
        if (rc == LODE_OK)
            rc = fileio_write_atomic_sync(e, path, b.ptr ? b.ptr : "", b.len, sync);
        buf_free(&b);
        return rc;
    }
    /* Into the temporary file as it is made; renamed when complete. */
    fileio_out o;
    int rc = fileio_out_open(e, path, &o);
    if (rc != LODE_OK)
        return rc;
    spill_to s = {&o, NULL, 0};
    buf_init_spill(&b, &e->mem, SPILL_SIZE, spill_write, &s);
    rc = render(e, d, wo, &b);
    if (rc == LODE_OK)
        buf_spill_rest(&b);
    buf_free(&b);
    if (rc == LODE_OK || s.failed) /* a write error: commit reports it */
        return fileio_out_commit(&o, sync);
    fileio_out_abort(&o);
    return rc;
}
