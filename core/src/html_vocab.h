/* html_vocab.h -- what lode knows about HTML element names.
 *
 * One table answers the questions every writer asks about an HTML element:
 * does it start a block, is it void (no end tag, no content), is its content
 * something other than document text (script, style, form controls, head
 * metadata), is its text raw or whitespace-preserving.  Names are compared
 * ASCII-case-insensitively ("P" and "p" are the same element); libxml2's
 * HTML parser lowercases them anyway, but XHTML trees, lode's JSON reader and
 * host-built trees need not.
 *
 * The table knows names only: whether an element of a given tree is in the
 * HTML vocabulary at all (its namespace, the kind of document) is the
 * caller's question.  Nothing here allocates or keeps state. */
#ifndef LODE_HTML_VOCAB_H
#define LODE_HTML_VOCAB_H

/* The known elements, sorted by name (html_vocab_find searches the table
 * with bsearch; the unit tests check the order).  X(ID, "name", flags). */
#define HTML_VOCAB_LIST(X)                                                   \
    X(A, "a", 0)                                                             \
    X(ABBR, "abbr", 0)                                                       \
    X(ACRONYM, "acronym", 0)                                                 \
    X(ADDRESS, "address", HTML_VOCAB_BLOCK)                                  \
    X(APPLET, "applet", HTML_VOCAB_SKIP)                                     \
    X(AREA, "area", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                       \
    X(ARTICLE, "article", HTML_VOCAB_BLOCK)                                  \
    X(ASIDE, "aside", HTML_VOCAB_BLOCK)                                      \
    X(AUDIO, "audio", HTML_VOCAB_SKIP)                                       \
    X(B, "b", 0)                                                             \
    X(BASE, "base", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                       \
    X(BASEFONT, "basefont", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)               \
    X(BDI, "bdi", 0)                                                         \
    X(BDO, "bdo", 0)                                                         \
    X(BIG, "big", 0)                                                         \
    X(BLOCKQUOTE, "blockquote", HTML_VOCAB_BLOCK)                            \
    X(BODY, "body", HTML_VOCAB_BLOCK)                                        \
    X(BR, "br", HTML_VOCAB_VOID)                                             \
    X(BUTTON, "button", 0)                                                   \
    X(CANVAS, "canvas", HTML_VOCAB_SKIP)                                     \
    X(CAPTION, "caption", HTML_VOCAB_BLOCK)                                  \
    X(CENTER, "center", HTML_VOCAB_BLOCK)                                    \
    X(CITE, "cite", 0)                                                       \
    X(CODE, "code", 0)                                                       \
    X(COL, "col", HTML_VOCAB_BLOCK | HTML_VOCAB_VOID | HTML_VOCAB_SKIP)      \
    X(COLGROUP, "colgroup", HTML_VOCAB_BLOCK | HTML_VOCAB_SKIP)              \
    X(DATA, "data", 0)                                                       \
    X(DATALIST, "datalist", HTML_VOCAB_SKIP)                                 \
    X(DD, "dd", HTML_VOCAB_BLOCK)                                            \
    X(DEL, "del", 0)                                                         \
    X(DETAILS, "details", HTML_VOCAB_BLOCK)                                  \
    X(DFN, "dfn", 0)                                                         \
    X(DIALOG, "dialog", HTML_VOCAB_BLOCK)                                    \
    X(DIR, "dir", HTML_VOCAB_BLOCK)                                          \
    X(DIV, "div", HTML_VOCAB_BLOCK)                                          \
    X(DL, "dl", HTML_VOCAB_BLOCK)                                            \
    X(DT, "dt", HTML_VOCAB_BLOCK)                                            \
    X(EM, "em", 0)                                                           \
    X(EMBED, "embed", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                     \
    X(FIELDSET, "fieldset", HTML_VOCAB_BLOCK)                                \
    X(FIGCAPTION, "figcaption", HTML_VOCAB_BLOCK)                            \
    X(FIGURE, "figure", HTML_VOCAB_BLOCK)                                    \
    X(FONT, "font", 0)                                                       \
    X(FOOTER, "footer", HTML_VOCAB_BLOCK)                                    \
    X(FORM, "form", HTML_VOCAB_BLOCK)                                        \
    X(FRAME, "frame", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                     \
    X(FRAMESET, "frameset", HTML_VOCAB_BLOCK | HTML_VOCAB_SKIP)              \
    X(H1, "h1", HTML_VOCAB_BLOCK)                                            \
    X(H2, "h2", HTML_VOCAB_BLOCK)                                            \
    X(H3, "h3", HTML_VOCAB_BLOCK)                                            \
    X(H4, "h4", HTML_VOCAB_BLOCK)                                            \
    X(H5, "h5", HTML_VOCAB_BLOCK)                                            \
    X(H6, "h6", HTML_VOCAB_BLOCK)                                            \
    X(HEAD, "head", HTML_VOCAB_BLOCK | HTML_VOCAB_SKIP)                      \
    X(HEADER, "header", HTML_VOCAB_BLOCK)                                    \
    X(HGROUP, "hgroup", HTML_VOCAB_BLOCK)                                    \
    X(HR, "hr", HTML_VOCAB_BLOCK | HTML_VOCAB_VOID)                          \
    X(HTML, "html", HTML_VOCAB_BLOCK)                                        \
    X(I, "i", 0)                                                             \
    X(IFRAME, "iframe", HTML_VOCAB_SKIP | HTML_VOCAB_RAWTEXT)                \
    X(IMG, "img", HTML_VOCAB_VOID)                                           \
    X(INPUT, "input", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                     \
    X(INS, "ins", 0)                                                         \
    X(KBD, "kbd", 0)                                                         \
    X(KEYGEN, "keygen", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                   \
    X(LABEL, "label", 0)                                                     \
    X(LEGEND, "legend", HTML_VOCAB_BLOCK)                                    \
    X(LI, "li", HTML_VOCAB_BLOCK)                                            \
    X(LINK, "link", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                       \
    X(LISTING, "listing", HTML_VOCAB_BLOCK | HTML_VOCAB_PRESERVE)            \
    X(MAIN, "main", HTML_VOCAB_BLOCK)                                        \
    X(MAP, "map", HTML_VOCAB_SKIP)                                           \
    X(MARK, "mark", 0)                                                       \
    X(MENU, "menu", HTML_VOCAB_BLOCK)                                        \
    X(META, "meta", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                       \
    X(METER, "meter", 0)                                                     \
    X(NAV, "nav", HTML_VOCAB_BLOCK)                                          \
    X(NOBR, "nobr", 0)                                                       \
    X(NOEMBED, "noembed", HTML_VOCAB_SKIP | HTML_VOCAB_RAWTEXT)              \
    X(NOFRAMES, "noframes", HTML_VOCAB_BLOCK | HTML_VOCAB_SKIP | HTML_VOCAB_RAWTEXT) \
    X(NOSCRIPT, "noscript", HTML_VOCAB_SKIP)                                 \
    X(OBJECT, "object", HTML_VOCAB_SKIP)                                     \
    X(OL, "ol", HTML_VOCAB_BLOCK)                                            \
    X(OPTGROUP, "optgroup", HTML_VOCAB_BLOCK | HTML_VOCAB_SKIP)              \
    X(OPTION, "option", HTML_VOCAB_BLOCK | HTML_VOCAB_SKIP)                  \
    X(OUTPUT, "output", 0)                                                   \
    X(P, "p", HTML_VOCAB_BLOCK)                                              \
    X(PARAM, "param", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                     \
    X(PICTURE, "picture", 0)                                                 \
    X(PLAINTEXT, "plaintext", HTML_VOCAB_BLOCK | HTML_VOCAB_PRESERVE | HTML_VOCAB_RAWTEXT) \
    X(PRE, "pre", HTML_VOCAB_BLOCK | HTML_VOCAB_PRESERVE)                    \
    X(PROGRESS, "progress", 0)                                               \
    X(Q, "q", 0)                                                             \
    X(S, "s", 0)                                                             \
    X(SAMP, "samp", 0)                                                       \
    X(SCRIPT, "script", HTML_VOCAB_SKIP | HTML_VOCAB_RAWTEXT)                \
    X(SEARCH, "search", HTML_VOCAB_BLOCK)                                    \
    X(SECTION, "section", HTML_VOCAB_BLOCK)                                  \
    X(SELECT, "select", HTML_VOCAB_SKIP)                                     \
    X(SLOT, "slot", 0)                                                       \
    X(SMALL, "small", 0)                                                     \
    X(SOURCE, "source", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                   \
    X(SPAN, "span", 0)                                                       \
    X(STRIKE, "strike", 0)                                                   \
    X(STRONG, "strong", 0)                                                   \
    X(STYLE, "style", HTML_VOCAB_SKIP | HTML_VOCAB_RAWTEXT)                  \
    X(SUB, "sub", 0)                                                         \
    X(SUMMARY, "summary", HTML_VOCAB_BLOCK)                                  \
    X(SUP, "sup", 0)                                                         \
    X(SVG, "svg", HTML_VOCAB_SKIP)                                           \
    X(TABLE, "table", HTML_VOCAB_BLOCK)                                      \
    X(TBODY, "tbody", HTML_VOCAB_BLOCK)                                      \
    X(TD, "td", HTML_VOCAB_BLOCK)                                            \
    X(TEMPLATE, "template", HTML_VOCAB_SKIP)                                 \
    X(TEXTAREA, "textarea", HTML_VOCAB_SKIP | HTML_VOCAB_PRESERVE)           \
    X(TFOOT, "tfoot", HTML_VOCAB_BLOCK)                                      \
    X(TH, "th", HTML_VOCAB_BLOCK)                                            \
    X(THEAD, "thead", HTML_VOCAB_BLOCK)                                      \
    X(TIME, "time", 0)                                                       \
    X(TITLE, "title", HTML_VOCAB_SKIP)                                       \
    X(TR, "tr", HTML_VOCAB_BLOCK)                                            \
    X(TRACK, "track", HTML_VOCAB_VOID | HTML_VOCAB_SKIP)                     \
    X(TT, "tt", 0)                                                           \
    X(U, "u", 0)                                                             \
    X(UL, "ul", HTML_VOCAB_BLOCK)                                            \
    X(VAR, "var", 0)                                                         \
    X(VIDEO, "video", HTML_VOCAB_SKIP)                                       \
    X(WBR, "wbr", HTML_VOCAB_VOID)                                           \
    X(XMP, "xmp", HTML_VOCAB_BLOCK | HTML_VOCAB_PRESERVE | HTML_VOCAB_RAWTEXT)

/* Flags of an element name. */
enum {
    /* Starts a block: breaks the inline flow of its parent (the CSS display
     * of the HTML rendering section, reduced to block / not block). */
    HTML_VOCAB_BLOCK = 1u << 0,
    /* Void: never has content or an end tag (br, img, meta, ...).  Note that
     * libxml2 2.9.14's HTML parser does not know embed, keygen, source,
     * track and wbr as void and nests what follows them inside them; a
     * void element's children are therefore content that follows it. */
    HTML_VOCAB_VOID = 1u << 1,
    /* Its content is not document text: scripts and styles, head metadata,
     * embedded objects and media (their children are fallback text), form
     * controls, svg.  Text and Markdown writers drop the whole element
     * (for a void element, only the element: see HTML_VOCAB_VOID). */
    HTML_VOCAB_SKIP = 1u << 2,
    /* Raw text: the content is not parsed as markup and is serialised
     * without escaping (script, style, xmp, ...). */
    HTML_VOCAB_RAWTEXT = 1u << 3,
    /* Whitespace in the content is significant (pre, textarea, ...). */
    HTML_VOCAB_PRESERVE = 1u << 4
};

/* One identifier per known element; HTML_TAG_UNKNOWN (0) for other names. */
typedef enum html_vocab_tag {
    HTML_TAG_UNKNOWN = 0,
#define HTML_VOCAB_ENUM_(id, name, flags) HTML_TAG_##id,
    HTML_VOCAB_LIST(HTML_VOCAB_ENUM_)
#undef HTML_VOCAB_ENUM_
    HTML_TAG_COUNT
} html_vocab_tag;

/* Returns the tag of an element name (ASCII case-insensitive), or
 * HTML_TAG_UNKNOWN for NULL and for names HTML does not define. */
html_vocab_tag html_vocab_find(const char *name);

/* Returns the HTML_VOCAB_* flags of a tag; 0 for HTML_TAG_UNKNOWN. */
unsigned html_vocab_flags(html_vocab_tag tag);

/* Returns the lower-case name of a tag ("" for HTML_TAG_UNKNOWN).  Static. */
const char *html_vocab_name(html_vocab_tag tag);

/* Returns 1..6 for h1..h6, else 0. */
int html_vocab_heading_level(html_vocab_tag tag);

/* Shorthands on names: non-zero if the name is a known HTML element with the
 * flag.  Unknown names are inline, non-void and not skipped. */
int html_vocab_is_block(const char *name);
int html_vocab_is_void(const char *name);
int html_vocab_is_skip(const char *name);

#endif
