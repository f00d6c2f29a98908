/* read_html.c -- the HTML reader: libxml2's recovering HTML parser, with the
 * character encoding decided by us.
 *
 * Left to itself, libxml2 2.9.14 switches the rest of a page to ISO-8859-1
 * at the first invalid byte (HARDENING 1.1), so we always pass an explicit
 * encoding with HTML_PARSE_IGNORE_ENC, chosen as a browser would: a byte
 * order mark; else the --encoding option; else a charset declared in the
 * first 1024 bytes (<meta charset> / http-equiv Content-Type), with the
 * WHATWG rule that ISO-8859-1 and US-ASCII mean windows-1252; else UTF-8 if
 * the bytes are valid UTF-8, else windows-1252.  NUL bytes become U+FFFD as
 * in HTML5 (libxml2 would silently cut the element's text at them).  The
 * tree libxml2 builds is always UTF-8; doc->encoding is set to UTF-8 so the
 * writers emit what the tree holds.  On a UTF-8 page the text of <script>
 * and <style> is kept out of libxml2's character loop and put back into the
 * tree afterwards (html_rawtext.h): the same tree, a third fewer
 * instructions on news pages. */
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parserInternals.h>

#include "format.h"
#include "html_rawtext.h"
#include "prescan.h"
#include "tree_check.h"
#include "utf8.h"
#include "xmlerr.h"

/* Copies the charset value at p (after "charset=", optional quotes) into out. */
static void take_charset(const unsigned char *p, const unsigned char *end, char *out, size_t outlen)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '=' ))
        p++;
    if (p < end && (*p == '"' || *p == '\''))
        p++;
    size_t n = 0;
    while (p < end && n + 1 < outlen &&
           ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == ':' || *p == '.'))
        out[n++] = (char)*p++;
    out[n] = '\0';
}

/* The WHATWG prescan, simplified: the first "charset" inside a <meta tag in
 * the first 1024 bytes. */
static void declared_charset(const unsigned char *data, size_t len, char *out, size_t outlen)
{
    out[0] = '\0';
    const unsigned char *end = data + (len < 1024 ? len : 1024);
    for (const unsigned char *p = data; p + 5 < end; p++) {
        if (*p != '<' || strncasecmp((const char *)p + 1, "meta", 4) != 0)
            continue;
        const unsigned char *q = p + 5;
        const unsigned char *tag_end = memchr(q, '>', (size_t)(end - q));
        if (!tag_end)
            tag_end = end;
        for (; q + 7 <= tag_end; q++) {
            if (strncasecmp((const char *)q, "charset", 7) == 0) {
                const unsigned char *v = q + 7;
                while (v < tag_end && (*v == ' ' || *v == '\t'))
                    v++;
                if (v < tag_end && *v == '=') {
                    take_charset(v + 1, tag_end, out, outlen);
                    if (out[0])
                        return;
                }
            }
        }
    }
}

/* Maps a declared label to the encoding name we hand to libxml2 (iconv). */
static const char *normalize_label(const char *label)
{
    static const char *const cp1252[] = {"iso-8859-1", "iso8859-1", "latin1", "l1", "us-ascii",
                                         "ascii", "windows-1252", "cp1252", "x-cp1252", "iso_8859-1",
                                         NULL};
    if (!label[0])
        return NULL;
    if (strcasecmp(label, "utf-8") == 0 || strcasecmp(label, "utf8") == 0 ||
        strcasecmp(label, "unicode-1-1-utf-8") == 0)
        return "UTF-8";
    for (const char *const *p = cp1252; *p; p++)
        if (strcasecmp(label, *p) == 0)
            return "windows-1252";
    /* A page cannot really be UTF-16 if its meta tag was readable as ASCII. */
    if (strncasecmp(label, "utf-16", 6) == 0)
        return "UTF-8";
    return label;
}

/* Copies data replacing each NUL with U+FFFD (UTF-8) or '?' (other
 * encodings); returns the number replaced, or (size_t)-1 on OOM. */
static size_t replace_nul(buf *b, const unsigned char *data, size_t len, int utf8)
{
    size_t n = 0;
    const unsigned char *p = data, *end = data + len;
    while (p < end) {
        const unsigned char *z = memchr(p, 0, (size_t)(end - p));
        if (!z) {
            buf_put(b, p, (size_t)(end - p));
            break;
        }
        buf_put(b, p, (size_t)(z - p));
        buf_put(b, utf8 ? UTF8_REPLACEMENT : "?", utf8 ? UTF8_REPLACEMENT_LEN : 1);
        n++;
        p = z + 1;
    }
    return buf_ok(b) ? n : (size_t)-1;
}

/* After decoding a page from another charset the tree holds Unicode and is
 * written as UTF-8, so the page's own declarations in <head> are made to say
 * so; otherwise a browser would decode lode's UTF-8 output as, say,
 * windows-1252. */
static void declare_utf8(xmlDoc *doc)
{
    xmlNode *html = xmlDocGetRootElement(doc);
    if (!html)
        return;
    for (xmlNode *head = html->children; head; head = head->next) {
        if (head->type != XML_ELEMENT_NODE || xmlStrcasecmp(head->name, BAD_CAST "head") != 0)
            continue;
        for (xmlNode *m = head->children; m; m = m->next) {
            if (m->type != XML_ELEMENT_NODE || xmlStrcasecmp(m->name, BAD_CAST "meta") != 0)
                continue;
            if (xmlHasProp(m, BAD_CAST "charset"))
                xmlSetProp(m, BAD_CAST "charset", BAD_CAST "utf-8");
            xmlChar *equiv = xmlGetProp(m, BAD_CAST "http-equiv");
            if (equiv && xmlStrcasecmp(equiv, BAD_CAST "content-type") == 0)
                xmlSetProp(m, BAD_CAST "content", BAD_CAST "text/html; charset=utf-8");
            xmlFree(equiv);
        }
    }
}

/* One run of libxml2's parser over data; NULL if no context could be made
 * (x->nomem is then set by the capture, or the caller reports OOM). */
static htmlDocPtr parse(const unsigned char *data, size_t len, const char *name, const char *enc, xmlerr *x,
                        int *noctxt)
{
    xmlerr_begin(x, NULL); /* a failed htmlNewParserCtxt reports too */
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt) {
        xmlerr_end(x);
        *noctxt = 1;
        return NULL;
    }
    xmlerr_attach(x, ctxt);
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC | HTML_PARSE_NOERROR |
               HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT;
    htmlDocPtr doc = htmlCtxtReadMemory(ctxt, (const char *)data, (int)len, name, enc, opts);
    xmlerr_end(x);
    htmlFreeParserCtxt(ctxt);
    return doc;
}

int read_html(lode_engine *e, const char *name, const unsigned char *data, size_t len,
              const lode_parse_options *po, xmlDoc **out)
{
    *out = NULL;
    const char *enc = NULL;
    size_t skip = 0;
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
        enc = "UTF-8";
        skip = 3;
    } else if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
        enc = "UTF-16LE";
        skip = 2;
    } else if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
        enc = "UTF-16BE";
        skip = 2;
    }
    data += skip;
    len -= skip;
    if (len == 0)
        return engine_error(e, LODE_EEMPTY, "%s: empty document", name);

    char declared[64];
    int valid = -1; /* is data valid UTF-8? (-1: not looked at) */
    if (!enc && po->encoding)
        enc = normalize_label(po->encoding);
    if (!enc) {
        declared_charset(data, len, declared, sizeof declared);
        enc = normalize_label(declared);
        size_t bad = 0;
        valid = utf8_validate(data, len, &bad) == 0;
        if (enc && strcmp(enc, "UTF-8") == 0 && !valid) {
            int line, col;
            prescan_position(data, bad, &line, &col);
            engine_warn(e, "%s:%d:%d: invalid UTF-8 at byte offset %zu; bad bytes become U+FFFD", name, line,
                        col, bad + skip);
        }
        if (enc && strcmp(enc, "UTF-8") != 0 && strcmp(enc, "windows-1252") != 0) {
            xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(enc);
            if (h)
                xmlCharEncCloseFunc(h);
            else {
                engine_warn(e, "%s: unknown charset '%s' declared; reading as %s", name, declared,
                            valid ? "UTF-8" : "windows-1252");
                enc = NULL;
            }
        }
        if (!enc)
            enc = valid ? "UTF-8" : "windows-1252";
    }
    int is_utf16 = strncmp(enc, "UTF-16", 6) == 0;
    /* Script and style text is read by us, not by libxml2's character loop
     * (html_rawtext.h), when the page is UTF-8: then its bytes are the
     * tree's. */
    int utf8 = strcmp(enc, "UTF-8") == 0;
    if (utf8 && valid < 0 && e->html_raw_min != SIZE_MAX) {
        size_t bad;
        valid = utf8_validate(data, len, &bad) == 0;
    }
    rawtext rt;
    rawtext_init(&rt, &e->mem, data, e->html_raw_min);
    int want_raw = utf8 && valid == 1 && e->html_raw_min != SIZE_MAX;
    prescan ps = {(size_t)-1, (size_t)-1};
    if (!is_utf16) {
        prescan_run_raw(data, len, e->limits.max_attributes, 1, &ps, want_raw ? rawtext_collect : NULL, &rt);
        if (ps.attrs_offset != (size_t)-1) {
            rawtext_free(&rt);
            int line, col;
            prescan_position(data, ps.attrs_offset, &line, &col);
            return engine_error(e, LODE_ELIMIT, "%s:%d:%d: more than %u attributes on one tag (limit)", name,
                                line, col, e->limits.max_attributes);
        }
    }
    buf copy;
    buf_init(&copy, &e->mem);
    if (ps.nul_offset != (size_t)-1) {
        size_t n = replace_nul(&copy, data, len, strcmp(enc, "UTF-8") == 0);
        if (n == (size_t)-1) {
            buf_free(&copy);
            rawtext_free(&rt);
            return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
        }
        engine_warn(e, "%s: replaced %zu NUL byte(s)", name, n);
        data = (const unsigned char *)copy.ptr;
        len = copy.len;
    }

    /* With a NUL replaced, the spans' offsets are the original's: no hollowing. */
    int hollowed = 0;
    if (want_raw && ps.nul_offset == (size_t)-1) {
        hollowed = rawtext_hollow(&rt, data, len, &copy);
        if (hollowed < 0) {
            buf_free(&copy);
            rawtext_free(&rt);
            return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
        }
    }

    xmlerr x;
    int noctxt = 0;
    htmlDocPtr doc;
    if (hollowed) {
        doc = parse((const unsigned char *)copy.ptr, copy.len, name, enc, &x, &noctxt);
        /* On any trouble, or a placeholder out of place, the page itself is
         * parsed: its errors are then exactly the page's. */
        int filled = 0;
        if (doc && !x.nomem && !x.huge && !x.deep) {
            filled = rawtext_fill(&rt, doc, data);
            if (filled < 0)
                x.nomem = 1;
            else if (filled > 0)
                e->html_raw_filled += rt.n;
        }
        if (filled == 0 && !noctxt) {
            xmlFreeDoc(doc);
            doc = parse(data, len, name, enc, &x, &noctxt);
        }
    } else {
        doc = parse(data, len, name, enc, &x, &noctxt);
    }
    buf_free(&copy);
    rawtext_free(&rt);
    if (noctxt) {
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
    }

    if (x.nomem) { /* the recovering parser may have returned a short tree */
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
    }
    if (!doc) {
        if (x.count)
            return engine_error(e, LODE_EPARSE, "%s:%d:%d: %s", name, x.first_line, x.first_col, x.first);
        return engine_error(e, LODE_EPARSE, "%s: not an HTML document", name);
    }
    if (x.huge || x.nomem) {
        /* libxml2 stopped at its text-node cap (or out of memory) and
         * returned what it had: refuse rather than pass on a cut page. */
        xmlFreeDoc(doc);
        if (x.huge)
            return engine_error(e, LODE_ELIMIT, "%s: a text node longer than 10000000 bytes (libxml2's limit; "
                                "the page would be cut there)", name);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
    }
    if (x.deep) {
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ELIMIT, "%s: elements nested deeper than 256 levels (limit); "
                            "the parser would cut the document", name);
    }
    if (!xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        return engine_error(e, LODE_EPARSE, "%s: no HTML content", name);
    }
    /* libxml2 itself stops at 256 levels (x.deep above); a lower max_depth
     * is checked on the tree, as the XML reader does */
    if (e->limits.max_depth < 256 && tree_too_deep(xmlDocGetRootElement(doc), e->limits.max_depth)) {
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ELIMIT, "%s: elements nested deeper than %u levels (limit)", name,
                            e->limits.max_depth);
    }
    if (strcmp(enc, "UTF-8") != 0)
        declare_utf8(doc);
    /* The tree is UTF-8 whatever the input was. */
    xmlFree((xmlChar *)doc->encoding);
    doc->encoding = xmlStrdup((const xmlChar *)"UTF-8");
    *out = doc;
    return LODE_OK;
}
