/* report_render.c -- a report's views as JSON, CSV, plain text or HTML.
 *
 * report_render_views() is given the views report_views() makes (report.c)
 * and appends one document to a buf:
 *   json  one pretty-printed object (2-space indent, trailing newline)
 *   csv   one RFC 4180 table "name,kind,key,value" (CRLF line ends)
 *   txt   one aligned plain-text table per aggregator
 *   html  one self-contained page: inline <style>, inline SVG charts, no
 *         scripts, no external resources (a Content-Security-Policy meta
 *         element says so to the browser too)
 *
 * What must stay true:
 *   - Deterministic bytes.  Every double goes through report_number() (12
 *     significant digits), so one run, -j N and shards + merge print the
 *     same; nothing depends on the time, the locale or the host.  We never
 *     call strtod or print "%f": a host that set LC_NUMERIC to a comma
 *     locale still gets "0.5".
 *   - Keys are data, not markup.  They are UTF-8 that may hold NUL, control
 *     characters, "</script>", U+2028...  Each format escapes them its own
 *     way (json_str, csv_text, disp_put), and ill-formed UTF-8 (views made
 *     by hand; report.c repairs keys when they are added) becomes U+FFFD, so
 *     every output is well-formed UTF-8.
 *   - txt and html show keys through disp_put: control characters, bidi
 *     controls and line separators become visible escapes ("\n", "\x01",
 *     "\u202E"), so a key can never break a table row or reorder a line.
 *   - Allocation failure is sticky in the buf; report_render_views checks it
 *     once at the end and says "out of memory".
 */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "utf8.h"

#define ELLIPSIS "\xE2\x80\xA6" /* U+2026, one column wide */
#define EN_DASH "\xE2\x80\x93"  /* shown for "no value" in txt and html */

/* Columns a key may take: in a txt table, an HTML table cell; names and
 * titles. */
#define TXT_KEY_COLS 60
#define HTML_KEY_COLS 500
#define NAME_COLS 200

#define BAR_MAX 30 /* bars in a count/top chart: the first 30 entries */
#define BAR_LABEL_PX 2400 /* a bar's label, in tenths of a pixel (svg_unit_width) */

static void set_err(char *err, size_t errn, const char *msg)
{
    if (err && errn > 0)
        snprintf(err, errn, "%s", msg);
}

static const char *kind_name(rep_kind k)
{
    const char *s = rep_kind_name(k);
    return s ? s : "unknown";
}

/* ---- numbers ------------------------------------------------------------ */

#define NUM_MAX 48
#define TWO_POW_53 9007199254740992.0

/* Formats x the way report_number() prints it into out (NUM_MAX bytes) and
 * returns the length.
 *
 * x is first rounded to 12 significant digits ("%.12g"), the precision the
 * merge guarantee holds to.  If the rounded value is an integer and |x| <=
 * 2^53 it is written out in full (1234567, 1000000000000000: no exponent, no
 * fraction), else as "%.12g" gives it (0.3, 1e+21, 1.5e-07: valid JSON
 * numbers).  NaN and infinities are "null", -0 is "0".  The text of "%.12g"
 * is taken apart rather than read back with strtod, and whatever the locale
 * put for the decimal point becomes '.', so the output never depends on
 * LC_NUMERIC. */
static size_t num_format(char *out, double x)
{
    if (isnan(x) || isinf(x)) {
        memcpy(out, "null", 5);
        return 4;
    }
    if (x == 0) { /* both zeros */
        memcpy(out, "0", 2);
        return 1;
    }
    /* Integral values that a double holds exactly (|x| < 2^53) are written
     * whole: an integer sum is exact whatever the merge order, and a total
     * of 123456789012345 words must not print as 123456789012000. */
    if (x == floor(x) && fabs(x) < 9007199254740992.0) {
        int n = snprintf(out, NUM_MAX, "%.0f", x);
        return n > 0 ? (size_t)n : 0;
    }
    char tmp[NUM_MAX];
    int tn = snprintf(tmp, sizeof tmp, "%.12g", x);
    if (tn < 0 || (size_t)tn >= sizeof tmp) {
        memcpy(out, "null", 5);
        return 4;
    }
    /* mantissa digits (at most 12 significant, maybe leading zeros as in
     * 0.000123), the digit count before the point, the exponent */
    char dig[NUM_MAX];
    size_t k = 0, i = 0;
    long ip = -1, ex = 0;
    int neg = 0;
    if (tmp[0] == '-') {
        neg = 1;
        i = 1;
    }
    for (; i < (size_t)tn; i++) {
        char c = tmp[i];
        if (c >= '0' && c <= '9') {
            dig[k++] = c;
        } else if (c == 'e' || c == 'E') {
            int eneg = 0;
            i++;
            if (tmp[i] == '-' || tmp[i] == '+')
                eneg = tmp[i++] == '-';
            for (; i < (size_t)tn && tmp[i] >= '0' && tmp[i] <= '9'; i++)
                ex = ex * 10 + (tmp[i] - '0');
            if (eneg)
                ex = -ex;
            break;
        } else if (ip < 0) {
            ip = (long)k; /* the decimal point, whatever bytes the locale uses */
        }
    }
    if (ip < 0)
        ip = (long)k;
    size_t lead = 0;
    while (lead < k && dig[lead] == '0') {
        lead++;
        ip--;
    }
    size_t nd = k - lead;
    long point = ip + ex; /* digits before the decimal point */
    size_t o = 0;
    if (nd > 0 && (long)nd <= point && fabs(x) <= TWO_POW_53 && point <= 16) {
        if (neg)
            out[o++] = '-';
        memcpy(out + o, dig + lead, nd);
        o += nd;
        for (long z = (long)nd; z < point; z++)
            out[o++] = '0';
        out[o] = '\0';
        return o;
    }
    /* "%.12g" as it is, with '.' for the decimal point */
    int seen_point = 0, in_exp = 0;
    for (i = 0; i < (size_t)tn; i++) {
        char c = tmp[i];
        if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
            out[o++] = c;
        } else if (c == 'e' || c == 'E') {
            out[o++] = 'e';
            in_exp = 1;
        } else if (!seen_point && !in_exp) {
            out[o++] = '.';
            seen_point = 1;
        }
    }
    out[o] = '\0';
    return o;
}

void report_number(buf *out, double x)
{
    char s[NUM_MAX];
    size_t n = num_format(s, x);
    buf_put(out, s, n);
}

/* The decimal digits of an int64 with "," every three digits (HTML only). */
static void put_grouped(buf *b, const char *digits, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf_putc(b, ',');
        buf_putc(b, digits[i]);
    }
}

static void html_int(buf *b, int64_t v)
{
    char d[24];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0;
    do {
        d[sizeof d - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf_putc(b, '-');
    put_grouped(b, d + sizeof d - n, n);
}

/* report_number's text with the integer part grouped ("1,234,567.5"); the
 * exponent form is left alone, and "null" (no value) shows as a dash. */
static void html_num(buf *b, double x)
{
    char s[NUM_MAX];
    size_t n = num_format(s, x);
    if (strcmp(s, "null") == 0) {
        buf_puts(b, EN_DASH);
        return;
    }
    if (memchr(s, 'e', n)) {
        buf_put(b, s, n);
        return;
    }
    size_t i = 0;
    if (s[0] == '-') {
        buf_putc(b, '-');
        i = 1;
    }
    size_t j = i;
    while (j < n && s[j] >= '0' && s[j] <= '9')
        j++;
    put_grouped(b, s + i, j - i);
    buf_put(b, s + j, n - j);
}

/* count / total as a percentage with one decimal ("12.3%"), computed in
 * tenths of a percent and printed as integers (no locale); a dash when the
 * total is not positive. */
static void put_share(buf *b, int64_t count, int64_t total)
{
    if (total <= 0) {
        buf_putc(b, '-');
        return;
    }
    double t = round((double)count * 1000.0 / (double)total);
    if (!(fabs(t) < 1e15)) {
        buf_putc(b, '-');
        return;
    }
    long long v = (long long)t;
    unsigned long long a = v < 0 ? (unsigned long long)0 - (unsigned long long)v : (unsigned long long)v;
    buf_printf(b, "%s%llu.%llu%%", v < 0 ? "-" : "", a / 10, a % 10);
}

/* An SVG length to a tenth of a pixel, printed as integers (no locale). */
static void svg_len(buf *b, double x)
{
    long long t = llround(x * 10.0);
    unsigned long long a = t < 0 ? (unsigned long long)0 - (unsigned long long)t : (unsigned long long)t;
    if (a % 10)
        buf_printf(b, "%s%llu.%llu", t < 0 ? "-" : "", a / 10, a % 10);
    else
        buf_printf(b, "%s%llu", t < 0 ? "-" : "", a / 10);
}

/* Checked int64 addition: 0, or -1 on overflow (*r unchanged). */
static int add64(int64_t a, int64_t b, int64_t *r)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
        return -1;
    *r = a + b;
    return 0;
}

/* The count not shown among the entries (top: the keys past the limit):
 * 1 and *rest set when there are such keys, else 0. */
static int rest_count(const rep_view *v, int64_t *rest)
{
    if (v->nkeys <= v->nentries)
        return 0;
    int64_t shown = 0;
    for (size_t i = 0; i < v->nentries; i++)
        if (add64(shown, v->entries[i].count, &shown) < 0)
            return 0;
    if (shown < 0 ? v->total > INT64_MAX + shown : v->total < INT64_MIN + shown)
        return 0;
    *rest = v->total - shown;
    return 1;
}

/* ---- text escaping -------------------------------------------------------- */

/* Decodes the character at s[i] (i < len) into *cp; an ill-formed sequence
 * (its maximal subpart) reads as U+FFFD.  Returns the bytes consumed. */
static size_t next_cp(const char *s, size_t len, size_t i, uint32_t *cp)
{
    size_t n = utf8_decode((const unsigned char *)s + i, len - i, cp);
    if (*cp == UTF8_BAD)
        *cp = 0xFFFD;
    return n;
}

/* A JSON string.  Escaped: '"', '\\', every C0 control as \u00XX, U+2028
 * and U+2029 (line ends to JavaScript), and "</" as "<\/" so that the text
 * can sit inside an HTML <script> element. */
static void json_str(buf *b, const char *s, size_t len)
{
    buf_putc(b, '"');
    size_t i = 0, run = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = next_cp(s, len, i, &cp);
        const char *esc = NULL;
        char tmp[8];
        if (cp == '"')
            esc = "\\\"";
        else if (cp == '\\')
            esc = "\\\\";
        else if (cp == '/' && i > 0 && s[i - 1] == '<')
            esc = "\\/";
        else if (cp < 0x20 || cp == 0x2028 || cp == 0x2029) {
            snprintf(tmp, sizeof tmp, "\\u%04X", (unsigned)cp);
            esc = tmp;
        } else if (cp == 0xFFFD && (n != 3 || memcmp(s + i, UTF8_REPLACEMENT, 3) != 0))
            esc = UTF8_REPLACEMENT; /* repaired bytes */
        if (esc) {
            buf_put(b, s + run, i - run);
            buf_puts(b, esc);
            run = i + n;
        }
        i += n;
    }
    buf_put(b, s + run, len - run);
    buf_putc(b, '"');
}

static void json_cstr(buf *b, const char *s)
{
    if (s)
        json_str(b, s, strlen(s));
    else
        buf_puts(b, "null");
}

/* A CSV text field (an aggregator's name or a key), RFC 4180: quoted when it
 * holds ',' '"' CR or LF, with '"' doubled.
 *
 * Formula injection: spreadsheets run a cell that starts with = + - @ (and,
 * in some, TAB or CR) as a formula, so a key like "=HYPERLINK(...)" from a
 * crawled page would become live in the analyst's Excel.  Such a field gets
 * a leading apostrophe ("'=cmd()"), which spreadsheets hide and treat as
 * "this is text" (OWASP's advice).  Only text fields are guarded: numbers
 * come from report_number and a negative one must stay a number.
 *
 * NUL cannot be represented in most CSV readers (Python's csv module stops
 * at it), so it is written as U+FFFD, as are ill-formed bytes. */
static void csv_text(buf *b, const char *s, size_t len)
{
    int guard = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = 0;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (quote)
        buf_putc(b, '"');
    if (guard)
        buf_putc(b, '\'');
    size_t i = 0, run = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = next_cp(s, len, i, &cp);
        const char *esc = NULL;
        if (cp == '"')
            esc = "\"\"";
        else if (cp == 0 || (cp == 0xFFFD && (n != 3 || memcmp(s + i, UTF8_REPLACEMENT, 3) != 0)))
            esc = UTF8_REPLACEMENT;
        if (esc) {
            buf_put(b, s + run, i - run);
            buf_puts(b, esc);
            run = i + n;
        }
        i += n;
    }
    buf_put(b, s + run, len - run);
    if (quote)
        buf_putc(b, '"');
}

/* One display unit of a key in txt and html: a character as it is, or the
 * visible escape that stands for it, and its width in terminal columns. */
typedef struct dunit {
    char text[16];
    size_t len;
    size_t width;
} dunit;

/* Characters shown as escapes: they would end a line (U+2028/9, C1 NEL),
 * reorder it (bidi controls) or are not characters at all. */
static int disp_hidden(uint32_t cp)
{
    return (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029 || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
           (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

/* Reads the unit at s[i] (i < len) into *u; returns the bytes consumed.
 * "\n" "\t" "\r" for those, "\xNN" for other C0 controls and DEL,
 * "\uXXXX" for disp_hidden; the width of anything else is
 * utf8proc_charwidth's (East Asian wide: 2, combining: 0). */
static size_t disp_unit(const char *s, size_t len, size_t i, dunit *u)
{
    uint32_t cp;
    size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
    int k;
    if (cp == UTF8_BAD) {
        memcpy(u->text, UTF8_REPLACEMENT, UTF8_REPLACEMENT_LEN);
        u->len = UTF8_REPLACEMENT_LEN;
        u->width = 1;
        return n;
    }
    if (cp == '\n' || cp == '\t' || cp == '\r') {
        u->text[0] = '\\';
        u->text[1] = cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r';
        u->len = u->width = 2;
        return n;
    }
    if (cp < 0x20 || cp == 0x7F)
        k = snprintf(u->text, sizeof u->text, "\\x%02X", (unsigned)cp);
    else if (disp_hidden(cp))
        k = snprintf(u->text, sizeof u->text, cp > 0xFFFF ? "\\U%08X" : "\\u%04X", (unsigned)cp);
    else {
        memcpy(u->text, s + i, n);
        u->len = n;
        int w = utf8proc_charwidth((utf8proc_int32_t)cp);
        u->width = w > 0 ? (size_t)w : 0;
        return n;
    }
    u->len = k > 0 ? (size_t)k : 0;
    u->width = u->len;
    return n;
}

static void html_unit(buf *b, const dunit *u)
{
    if (u->len == 1) {
        switch (u->text[0]) {
        case '&': buf_puts(b, "&amp;"); return;
        case '<': buf_puts(b, "&lt;"); return;
        case '>': buf_puts(b, "&gt;"); return;
        case '"': buf_puts(b, "&quot;"); return;
        case '\'': buf_puts(b, "&#39;"); return;
        default: break;
        }
    }
    buf_put(b, u->text, u->len);
}

/* The width of a unit in an SVG label at font-size 12, in tenths of a
 * pixel.  SVG text cannot wrap or be measured without a script, so labels
 * are cut by an estimate that errs wide: DejaVu Sans's advances (the
 * widest of the usual system fonts), by character class. */
static size_t svg_unit_width(const dunit *u)
{
    if (u->width == 0)
        return 0;
    if (u->width == 2)
        return 125;
    if ((unsigned char)u->text[0] >= 0x80)
        return 90;
    size_t w = 0;
    for (size_t i = 0; i < u->len; i++) {
        char c = u->text[i];
        if (strchr("iljI'.,:;|! ", c))
            w += 36;
        else if (strchr("ftr()[]{}", c))
            w += 52;
        else if (strchr("mwMW@%", c))
            w += 120;
        else if (c >= 'A' && c <= 'Z')
            w += 88;
        else if (c >= '0' && c <= '9')
            w += 78;
        else if (c >= 'a' && c <= 'z')
            w += 76;
        else
            w += 86;
    }
    return w;
}

enum { DISP_TXT, DISP_HTML, DISP_SVG };

/* Appends s in display form (disp_unit), HTML-escaped for DISP_HTML and
 * DISP_SVG, in at most maxw columns (DISP_SVG: tenths of a pixel,
 * svg_unit_width): a wider text is cut short and ends in "…".  Returns the
 * width written. */
static size_t disp_put(buf *b, const char *s, size_t len, size_t maxw, int mode)
{
    dunit u;
    size_t i = 0, w = 0;
    size_t ellipsis = mode == DISP_SVG ? 120 : 1;
    int fits = 1;
    while (i < len) {
        i += disp_unit(s, len, i, &u);
        w += mode == DISP_SVG ? svg_unit_width(&u) : u.width;
        if (w > maxw) {
            fits = 0;
            break;
        }
    }
    size_t limit = fits ? SIZE_MAX : maxw > ellipsis ? maxw - ellipsis : 0;
    i = w = 0;
    while (i < len) {
        size_t n = disp_unit(s, len, i, &u);
        size_t uw = mode == DISP_SVG ? svg_unit_width(&u) : u.width;
        if (w + uw > limit)
            break;
        if (mode != DISP_TXT)
            html_unit(b, &u);
        else
            buf_put(b, u.text, u.len);
        w += uw;
        i += n;
    }
    if (!fits) {
        buf_puts(b, ELLIPSIS);
        w += ellipsis;
    }
    return w;
}

/* HTML text for a C string (names, title), cut at maxw columns. */
static void html_cstr(buf *b, const char *s, size_t maxw)
{
    if (s)
        disp_put(b, s, strlen(s), maxw, DISP_HTML);
}

/* ---- json ------------------------------------------------------------------ */

/* The figures of a sum or stats view, in the order every format lists
 * them: n, sum, and for stats min, max, mean (absent without values) and
 * stddev.  One list, so the four formats cannot disagree. */
typedef struct figure {
    const char *key;
    double x;
    int is_n;   /* the count v->n, written as an integer */
    int absent; /* no value: null / empty */
} figure;

static size_t figures(const rep_view *v, figure out[6])
{
    int none = v->n <= 0;
    size_t k = 0;
    out[k++] = (figure){"n", 0, 1, 0};
    out[k++] = (figure){"sum", v->sum, 0, 0};
    if (v->kind == REP_STATS) {
        out[k++] = (figure){"min", v->min, 0, none};
        out[k++] = (figure){"max", v->max, 0, none};
        out[k++] = (figure){"mean", v->mean, 0, none};
        out[k++] = (figure){"stddev", v->stddev, 0, 0};
    }
    return k;
}

static void json_int_field(buf *b, const char *ind, const char *name, int64_t v)
{
    buf_printf(b, ",\n%s\"%s\": %" PRId64, ind, name, v);
}

/* A double field; no_value: n = 0, printed as null. */
static void json_num_field(buf *b, const char *ind, const char *name, double v, int no_value)
{
    buf_printf(b, ",\n%s\"%s\": ", ind, name);
    if (no_value)
        buf_puts(b, "null");
    else
        report_number(b, v);
}

static void json_entries(buf *b, const rep_view *v)
{
    const char *ind = "      ";
    if (v->nentries == 0) {
        buf_printf(b, ",\n%s\"entries\": []", ind);
        return;
    }
    buf_printf(b, ",\n%s\"entries\": [", ind);
    for (size_t i = 0; i < v->nentries; i++) {
        buf_puts(b, i ? ",\n        {\n          \"key\": " : "\n        {\n          \"key\": ");
        json_str(b, v->entries[i].key, v->entries[i].len);
        buf_printf(b, ",\n          \"count\": %" PRId64 "\n        }", v->entries[i].count);
    }
    buf_printf(b, "\n%s]", ind);
}

static void json_bins(buf *b, const rep_view *v)
{
    const char *ind = "      ";
    if (v->nbins == 0) {
        buf_printf(b, ",\n%s\"bins\": []", ind);
        return;
    }
    buf_printf(b, ",\n%s\"bins\": [", ind);
    for (size_t i = 0; i < v->nbins; i++) {
        buf_puts(b, i ? ",\n        {\n          \"lo\": " : "\n        {\n          \"lo\": ");
        report_number(b, v->bins[i].lo);
        buf_puts(b, ",\n          \"hi\": ");
        report_number(b, v->bins[i].hi);
        buf_printf(b, ",\n          \"count\": %" PRId64 "\n        }", v->bins[i].count);
    }
    buf_printf(b, "\n%s]", ind);
}

static void render_json(buf *b, const rep_view *views, size_t n, const char *title)
{
    const char *ind = "      ";
    buf_puts(b, "{\n  \"title\": ");
    json_cstr(b, title);
    buf_puts(b, n ? ",\n  \"aggregators\": [" : ",\n  \"aggregators\": []");
    for (size_t a = 0; a < n; a++) {
        const rep_view *v = &views[a];
        buf_puts(b, a ? ",\n    {\n      \"name\": " : "\n    {\n      \"name\": ");
        json_cstr(b, v->name ? v->name : "");
        buf_printf(b, ",\n%s\"kind\": ", ind);
        json_cstr(b, kind_name(v->kind));
        int none = v->n <= 0;
        switch (v->kind) {
        case REP_COUNT:
        case REP_TOP:
            json_int_field(b, ind, "total", v->total);
            buf_printf(b, ",\n%s\"keys\": %zu", ind, v->nkeys);
            if (v->kind == REP_TOP)
                json_int_field(b, ind, "limit", v->limit);
            json_entries(b, v);
            break;
        case REP_SUM:
        case REP_STATS: {
            figure f[6];
            for (size_t i = 0, k = figures(v, f); i < k; i++) {
                if (f[i].is_n)
                    json_int_field(b, ind, f[i].key, v->n);
                else
                    json_num_field(b, ind, f[i].key, f[i].x, f[i].absent);
            }
            break;
        }
        case REP_HISTOGRAM:
            json_int_field(b, ind, "n", v->n);
            json_num_field(b, ind, "min", v->min, none);
            json_num_field(b, ind, "max", v->max, none);
            json_int_field(b, ind, "under", v->under);
            json_int_field(b, ind, "over", v->over);
            json_bins(b, v);
            break;
        case REP_DISTINCT:
            json_num_field(b, ind, "distinct", v->distinct, 0);
            buf_printf(b, ",\n%s\"exact\": %s", ind, v->exact ? "true" : "false");
            break;
        }
        buf_puts(b, "\n    }");
    }
    buf_puts(b, n ? "\n  ]\n}\n" : "\n}\n");
}

/* ---- csv ------------------------------------------------------------------- */

/* Starts a row: the name and kind fields, then the key field follows. */
static void csv_row(buf *b, const rep_view *v)
{
    const char *name = v->name ? v->name : "";
    csv_text(b, name, strlen(name));
    buf_putc(b, ',');
    buf_puts(b, kind_name(v->kind));
    buf_putc(b, ',');
}

static void csv_num_row(buf *b, const rep_view *v, const char *key, double x, int no_value)
{
    csv_row(b, v);
    buf_puts(b, key);
    buf_putc(b, ',');
    report_number(b, no_value ? NAN : x);
    buf_puts(b, "\r\n");
}

static void csv_int_row(buf *b, const rep_view *v, const char *key, int64_t x)
{
    csv_row(b, v);
    buf_puts(b, key);
    buf_printf(b, ",%" PRId64 "\r\n", x);
}

static void render_csv(buf *b, const rep_view *views, size_t n)
{
    buf_puts(b, "name,kind,key,value\r\n");
    for (size_t a = 0; a < n; a++) {
        const rep_view *v = &views[a];
        switch (v->kind) {
        case REP_COUNT:
        case REP_TOP:
            for (size_t i = 0; i < v->nentries; i++) {
                csv_row(b, v);
                csv_text(b, v->entries[i].key, v->entries[i].len);
                buf_printf(b, ",%" PRId64 "\r\n", v->entries[i].count);
            }
            break;
        case REP_SUM:
        case REP_STATS: {
            figure f[6];
            for (size_t i = 0, k = figures(v, f); i < k; i++) {
                if (f[i].is_n)
                    csv_int_row(b, v, f[i].key, v->n);
                else
                    csv_num_row(b, v, f[i].key, f[i].x, f[i].absent);
            }
            break;
        }
        case REP_HISTOGRAM:
            for (size_t i = 0; i < v->nbins; i++) {
                csv_row(b, v); /* "[lo,hi)" holds a comma: always quoted */
                buf_puts(b, "\"[");
                report_number(b, v->bins[i].lo);
                buf_putc(b, ',');
                report_number(b, v->bins[i].hi);
                buf_puts(b, i + 1 == v->nbins ? "]\"" : ")\"");
                buf_printf(b, ",%" PRId64 "\r\n", v->bins[i].count);
            }
            if (v->under)
                csv_int_row(b, v, "under", v->under);
            if (v->over)
                csv_int_row(b, v, "over", v->over);
            break;
        case REP_DISTINCT:
            csv_num_row(b, v, "distinct", v->distinct, 0);
            csv_row(b, v);
            buf_puts(b, v->exact ? "exact,true\r\n" : "exact,false\r\n");
            break;
        }
    }
}

/* ---- txt ------------------------------------------------------------------- */

/* A table being built: cells in row-major order, their text in one buf.
 * Widths are known only when all rows are in, so rows are kept until
 * tt_write. */
#define TT_COLS 3

typedef struct tcell {
    size_t off, len, width;
    int rule; /* a separator cell: dashes across the column */
} tcell;

typedef struct ttable {
    const mem *m;
    buf text;
    tcell *cells;
    size_t n, cap;
    int ncols;
    const char *align; /* 'l' or 'r' per column */
    int failed;
} ttable;

static void tt_init(ttable *t, const mem *m, int ncols, const char *align)
{
    t->m = m;
    buf_init(&t->text, m);
    t->cells = NULL;
    t->n = t->cap = 0;
    t->ncols = ncols;
    t->align = align;
    t->failed = 0;
}

static void tt_free(ttable *t)
{
    buf_free(&t->text);
    mem_free(t->m, t->cells);
    t->cells = NULL;
}

static tcell *tt_add(ttable *t)
{
    if (t->failed)
        return NULL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        tcell *c = cap < SIZE_MAX / sizeof *c ? mem_realloc(t->m, t->cells, cap * sizeof *c) : NULL;
        if (!c) {
            t->failed = 1;
            return NULL;
        }
        t->cells = c;
        t->cap = cap;
    }
    tcell *c = &t->cells[t->n++];
    c->off = t->text.len;
    c->len = c->width = 0;
    c->rule = 0;
    return c;
}

/* Closes the cell c opened by tt_add: its text is what was appended since. */
static void tt_end(ttable *t, tcell *c, size_t width)
{
    c->len = t->text.len - c->off;
    c->width = width;
}

static void tt_text(ttable *t, const char *s, size_t len, size_t maxw)
{
    tcell *c = tt_add(t);
    if (c)
        tt_end(t, c, disp_put(&t->text, s, len, maxw, DISP_TXT));
}

static void tt_str(ttable *t, const char *s)
{
    tt_text(t, s, strlen(s), SIZE_MAX);
}

static void tt_int(ttable *t, int64_t v)
{
    tcell *c = tt_add(t);
    if (c) {
        buf_printf(&t->text, "%" PRId64, v);
        tt_end(t, c, t->text.len - c->off); /* ASCII: bytes = columns */
    }
}

static void tt_num(ttable *t, double x, int no_value)
{
    tcell *c = tt_add(t);
    if (c) {
        if (no_value)
            buf_putc(&t->text, '-');
        else
            report_number(&t->text, x);
        tt_end(t, c, t->text.len - c->off);
    }
}

static void tt_share(ttable *t, int64_t count, int64_t total)
{
    tcell *c = tt_add(t);
    if (c) {
        put_share(&t->text, count, total);
        tt_end(t, c, t->text.len - c->off);
    }
}

static void tt_rule(ttable *t)
{
    for (int i = 0; i < t->ncols; i++) {
        tcell *c = tt_add(t);
        if (c)
            c->rule = 1;
    }
}

static void put_spaces(buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_putc(b, ' ');
}

/* Writes the rows, each indented by two spaces, columns two spaces apart,
 * every cell padded to its column's width: every row of the table has the
 * same display width, whatever its keys hold. */
static void tt_write(ttable *t, buf *out)
{
    size_t width[TT_COLS] = {0};
    if (t->failed || !buf_ok(&t->text))
        return;
    for (size_t i = 0; i < t->n; i++) {
        size_t col = i % (size_t)t->ncols;
        if (!t->cells[i].rule && t->cells[i].width > width[col])
            width[col] = t->cells[i].width;
    }
    for (size_t i = 0; i < t->n; i++) {
        size_t col = i % (size_t)t->ncols;
        const tcell *c = &t->cells[i];
        buf_puts(out, "  ");
        if (c->rule) {
            for (size_t k = 0; k < width[col]; k++)
                buf_putc(out, '-');
        } else if (t->align[col] == 'r') {
            put_spaces(out, width[col] - c->width);
            buf_put(out, t->text.ptr + c->off, c->len);
        } else {
            buf_put(out, t->text.ptr + c->off, c->len);
            put_spaces(out, width[col] - c->width);
        }
        if (col + 1 == (size_t)t->ncols)
            buf_putc(out, '\n');
    }
}

static void txt_counts(ttable *t, const rep_view *v)
{
    tt_str(t, "key");
    tt_str(t, "count");
    tt_str(t, "share");
    tt_rule(t);
    for (size_t i = 0; i < v->nentries; i++) {
        if (v->entries[i].len == 0)
            tt_str(t, "(empty)");
        else
            tt_text(t, v->entries[i].key, v->entries[i].len, TXT_KEY_COLS);
        tt_int(t, v->entries[i].count);
        tt_share(t, v->entries[i].count, v->total);
    }
    int64_t rest;
    if (rest_count(v, &rest)) {
        char label[64];
        size_t others = v->nkeys - v->nentries;
        snprintf(label, sizeof label, "(%zu other key%s)", others, others == 1 ? "" : "s");
        tt_str(t, label);
        tt_int(t, rest);
        tt_share(t, rest, v->total);
    }
    tt_rule(t);
    char label[64];
    snprintf(label, sizeof label, "total: %zu key%s", v->nkeys, v->nkeys == 1 ? "" : "s");
    tt_str(t, label);
    tt_int(t, v->total);
    tt_share(t, v->total, v->total);
}

/* "[lo, hi)", the last bin "[lo, hi]" */
static void bin_label(buf *b, const rep_view *v, size_t i, const char *sep)
{
    buf_putc(b, '[');
    report_number(b, v->bins[i].lo);
    buf_puts(b, sep);
    report_number(b, v->bins[i].hi);
    buf_putc(b, i + 1 == v->nbins ? ']' : ')');
}

static void txt_histogram(ttable *t, const rep_view *v)
{
    int none = v->n <= 0;
    tt_str(t, "bin");
    tt_str(t, "count");
    tt_str(t, "share");
    tt_rule(t);
    for (size_t i = 0; i < v->nbins; i++) {
        tcell *c = tt_add(t);
        if (c) {
            bin_label(&t->text, v, i, ", ");
            tt_end(t, c, t->text.len - c->off);
        }
        tt_int(t, v->bins[i].count);
        tt_share(t, v->bins[i].count, v->n);
    }
    if (v->under) {
        tt_str(t, "under");
        tt_int(t, v->under);
        tt_share(t, v->under, v->n);
    }
    if (v->over) {
        tt_str(t, "over");
        tt_int(t, v->over);
        tt_share(t, v->over, v->n);
    }
    tt_rule(t);
    tt_str(t, "n");
    tt_int(t, v->n);
    tt_share(t, v->n, v->n);
    tt_str(t, "min");
    tt_num(t, v->min, none);
    tt_str(t, "");
    tt_str(t, "max");
    tt_num(t, v->max, none);
    tt_str(t, "");
}

static void txt_pair_num(ttable *t, const char *label, double x, int no_value)
{
    tt_str(t, label);
    tt_num(t, x, no_value);
}

static void txt_pair_int(ttable *t, const char *label, int64_t x)
{
    tt_str(t, label);
    tt_int(t, x);
}

static int render_txt(buf *b, const rep_view *views, size_t n, const char *title)
{
    const char *t0 = title ? title : "lode report";
    size_t w = disp_put(b, t0, strlen(t0), NAME_COLS, DISP_TXT);
    buf_putc(b, '\n');
    for (size_t i = 0; i < w; i++)
        buf_putc(b, '=');
    buf_putc(b, '\n');
    if (n == 0)
        buf_puts(b, "\n(no aggregators)\n");
    for (size_t a = 0; a < n; a++) {
        const rep_view *v = &views[a];
        const char *name = v->name ? v->name : "";
        buf_putc(b, '\n');
        disp_put(b, name, strlen(name), NAME_COLS, DISP_TXT);
        buf_printf(b, " (%s)\n", kind_name(v->kind));
        ttable t;
        switch (v->kind) {
        case REP_COUNT:
        case REP_TOP:
            tt_init(&t, b->m, 3, "lrr");
            txt_counts(&t, v);
            break;
        case REP_HISTOGRAM:
            tt_init(&t, b->m, 3, "lrr");
            txt_histogram(&t, v);
            break;
        case REP_SUM:
        case REP_STATS: {
            tt_init(&t, b->m, 2, "lr");
            figure f[6];
            for (size_t i = 0, k = figures(v, f); i < k; i++) {
                if (f[i].is_n)
                    txt_pair_int(&t, f[i].key, v->n);
                else
                    txt_pair_num(&t, f[i].key, f[i].x, f[i].absent);
            }
            break;
        }
        case REP_DISTINCT:
            tt_init(&t, b->m, 3, "lrl");
            txt_pair_num(&t, "distinct", v->distinct, 0);
            tt_str(&t, v->exact ? "(exact)" : "(estimate, HyperLogLog \xC2\xB1" "0.8 %)");
            break;
        default:
            continue;
        }
        int failed = t.failed || !buf_ok(&t.text);
        tt_write(&t, b);
        tt_free(&t);
        if (failed)
            return -1;
    }
    return 0;
}

/* ---- html ------------------------------------------------------------------ */

/* Light theme, system fonts, nothing fetched.  No '<' or '&' in here: the
 * page is also well-formed XML (tests parse it with both libxml2 parsers). */
static const char html_style[] =
    ":root{color-scheme:light}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f5f6f8;color:#1f2328;"
    "font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,"
    "\"Noto Sans\",\"Liberation Sans\",sans-serif}\n"
    ".wrap{max-width:960px;margin:0 auto;padding:32px 24px 48px}\n"
    "header h1{margin:0;font-size:28px;line-height:1.25;overflow-wrap:anywhere}\n"
    "header p{margin:4px 0 0;color:#59636e}\n"
    ".toc,section{background:#fff;border:1px solid #d8dee4;border-radius:10px;"
    "box-shadow:0 1px 2px rgba(31,35,40,.04)}\n"
    ".toc{padding:14px 22px;margin:24px 0}\n"
    ".toc h2{margin:0 0 6px;font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:#59636e}\n"
    ".toc ol{margin:0;padding-left:22px}\n"
    ".toc li{padding:2px 0}\n"
    ".toc a{color:#0969da;text-decoration:none;overflow-wrap:anywhere}\n"
    ".toc a:hover{text-decoration:underline}\n"
    ".toc .sum{color:#59636e;font-size:13px;margin-left:6px}\n"
    "section{padding:20px 24px;margin:0 0 20px}\n"
    "section h2{margin:0 0 4px;font-size:20px;line-height:1.3;overflow-wrap:anywhere}\n"
    ".badge{display:inline-block;vertical-align:2px;margin-left:8px;padding:1px 9px;border-radius:999px;"
    "font-size:12px;font-weight:600;line-height:18px;background:#eaeef2;color:#424a53}\n"
    ".k-count{background:#ddf4ff;color:#0550ae}\n"
    ".k-top{background:#fbefff;color:#6e40c9}\n"
    ".k-sum{background:#dafbe1;color:#116329}\n"
    ".k-stats{background:#fff8c5;color:#7d4e00}\n"
    ".k-histogram{background:#ffebe9;color:#a40e26}\n"
    ".k-distinct{background:#eaeef2;color:#424a53}\n"
    ".meta{margin:0 0 14px;color:#59636e;font-size:14px}\n"
    ".note{margin:8px 0 0;color:#59636e;font-size:13px}\n"
    ".chart{margin:8px 0 14px;overflow-x:auto}\n"
    ".chart svg{display:block;max-width:100%;height:auto}\n"
    "table{border-collapse:collapse;font-size:14px}\n"
    "table.data{width:100%}\n"
    "th,td{padding:5px 10px;text-align:left;vertical-align:top;border-bottom:1px solid #eaeef2}\n"
    "thead th{background:#f6f8fa;font-weight:600;color:#424a53;border-bottom:1px solid #d8dee4;"
    "position:sticky;top:0}\n"
    "tbody tr:nth-child(even){background:#f9fafb}\n"
    "tfoot td{border-bottom:0}\n"
    "tfoot tr:first-child td{border-top:2px solid #d8dee4}\n"
    "tfoot tr:last-child td{font-weight:600}\n"
    ".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".rank{color:#8c959f;width:1%}\n"
    ".key{overflow-wrap:anywhere;word-break:break-word}\n"
    ".empty{color:#8c959f;font-style:italic}\n"
    ".scroll{max-height:560px;overflow:auto;border:1px solid #eaeef2;border-radius:6px}\n"
    "table.kv{min-width:280px}\n"
    "table.kv th{font-weight:600;color:#424a53;background:none;position:static;width:8em}\n"
    ".big{margin:6px 0 0;font-size:34px;font-weight:650;font-variant-numeric:tabular-nums}\n"
    ".big span{font-size:15px;font-weight:400;color:#59636e;margin-left:8px}\n"
    "footer{color:#8c959f;font-size:12px;text-align:center;margin-top:28px}\n";

#define SVG_FONT "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#define SVG_W 860.0
#define BAR_COLOR "#4c7ff0"
#define MUTED "#59636e"

static void html_badge(buf *b, rep_kind k)
{
    buf_printf(b, "<span class=\"badge k-%s\">%s</span>", kind_name(k), kind_name(k));
}

/* A chart with nothing to draw still gets its <svg>, with a message. */
static void svg_empty(buf *b, const char *msg)
{
    buf_printf(b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" height=\"56\" viewBox=\"0 0 860 56\" "
               "role=\"img\" font-family=\"" SVG_FONT "\" font-size=\"13\">"
               "<rect x=\"0.5\" y=\"0.5\" width=\"859\" height=\"55\" rx=\"6\" fill=\"#f6f8fa\" "
               "stroke=\"#eaeef2\"/><text x=\"430\" y=\"32\" text-anchor=\"middle\" fill=\"" MUTED
               "\">%s</text></svg>",
               msg);
}

/* An entry's key for a label: "(empty)" for the empty key. */
static void html_key(buf *b, const rep_entry *e, size_t maxw, int mode)
{
    if (e->len == 0)
        buf_puts(b, "(empty)");
    else
        disp_put(b, e->key, e->len, maxw, mode);
}

/* Horizontal bars for the first BAR_MAX entries, longest = largest count:
 * key labels right-aligned left of the bars, counts right of them, the
 * full key, count and share in each row's tooltip (<title>). */
static void svg_bars(buf *b, const rep_view *v)
{
    size_t nb = v->nentries < BAR_MAX ? v->nentries : BAR_MAX;
    if (nb == 0) {
        svg_empty(b, "no entries");
        return;
    }
    int64_t max = 0;
    size_t vchars = 1;
    for (size_t i = 0; i < nb; i++) {
        int64_t c = v->entries[i].count;
        if (c > max)
            max = c;
        size_t digits = 1;
        for (uint64_t u = c < 0 ? (uint64_t)0 - (uint64_t)c : (uint64_t)c; u >= 10; u /= 10)
            digits++;
        digits += (digits - 1) / 3 + (c < 0);
        if (digits > vchars)
            vchars = digits;
    }
    const double row = 24, top = 6, lw = BAR_LABEL_PX / 10 + 16;
    double valw = (double)vchars * 7.4 + 14;
    double bw = SVG_W - lw - valw;
    double h = top * 2 + (double)nb * row;
    buf_puts(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" height=\"");
    svg_len(b, h);
    buf_puts(b, "\" viewBox=\"0 0 860 ");
    svg_len(b, h);
    buf_puts(b, "\" role=\"img\" aria-label=\"");
    html_cstr(b, v->name, NAME_COLS);
    buf_puts(b, ": bar chart\" font-family=\"" SVG_FONT "\" font-size=\"12\">");
    for (size_t i = 0; i < nb; i++) {
        const rep_entry *e = &v->entries[i];
        double y = top + (double)i * row;
        double len = max > 0 && e->count > 0 ? bw * (double)e->count / (double)max : 0;
        if (e->count > 0 && len < 2)
            len = 2;
        buf_puts(b, "<g><title>");
        html_key(b, e, HTML_KEY_COLS, DISP_HTML);
        buf_puts(b, ": ");
        html_int(b, e->count);
        buf_puts(b, " (");
        put_share(b, e->count, v->total);
        buf_puts(b, ")</title>");
        /* the track, the bar */
        buf_printf(b, "<rect x=\"%d\" y=\"", (int)lw);
        svg_len(b, y + 3);
        buf_puts(b, "\" width=\"");
        svg_len(b, bw);
        buf_puts(b, "\" height=\"18\" rx=\"3\" fill=\"#f1f4f8\"/>");
        if (len > 0) {
            buf_printf(b, "<rect x=\"%d\" y=\"", (int)lw);
            svg_len(b, y + 3);
            buf_puts(b, "\" width=\"");
            svg_len(b, len);
            buf_puts(b, "\" height=\"18\" rx=\"3\" fill=\"" BAR_COLOR "\"/>");
        }
        buf_printf(b, "<text x=\"%d\" y=\"", (int)lw - 8);
        svg_len(b, y + 16.5);
        buf_printf(b, "\" text-anchor=\"end\" fill=\"%s\">", e->len ? "#1f2328" : "#8c959f");
        html_key(b, e, BAR_LABEL_PX, DISP_SVG);
        buf_puts(b, "</text><text x=\"");
        svg_len(b, lw + len + 6);
        buf_puts(b, "\" y=\"");
        svg_len(b, y + 16.5);
        buf_puts(b, "\" fill=\"" MUTED "\">");
        html_int(b, e->count);
        buf_puts(b, "</text></g>");
    }
    buf_puts(b, "</svg>");
}

/* The step of a count axis with about four gridlines: 1, 2 or 5 times a
 * power of ten, at least 1. */
static double axis_step(int64_t max)
{
    double raw = (double)max / 4.0;
    if (raw <= 1)
        return 1;
    double mag = pow(10.0, floor(log10(raw)));
    double norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

/* A tick and label at edge e (0: bins[0].lo, else bins[e - 1].hi) of a
 * histogram's value axis: the first label starts at its tick, the last ends
 * at it, the others are centred on it. */
static void svg_tick(buf *b, const rep_view *v, size_t e, double x, double ybase)
{
    const char *anchor = e == 0 ? "start" : e == v->nbins ? "end" : "middle";
    buf_puts(b, "<line x1=\"");
    svg_len(b, x);
    buf_puts(b, "\" x2=\"");
    svg_len(b, x);
    buf_puts(b, "\" y1=\"");
    svg_len(b, ybase);
    buf_puts(b, "\" y2=\"");
    svg_len(b, ybase + 5);
    buf_puts(b, "\" stroke=\"#8c959f\"/><text x=\"");
    svg_len(b, x);
    buf_puts(b, "\" y=\"");
    svg_len(b, ybase + 19);
    buf_printf(b, "\" text-anchor=\"%s\" fill=\"" MUTED "\">", anchor);
    html_num(b, e == 0 ? v->bins[0].lo : v->bins[e - 1].hi);
    buf_puts(b, "</text>");
}

/* Vertical bars, one per bin, all the same width (fixed edges need not be
 * evenly spaced; the tick labels give the real edges); a count axis with
 * gridlines; a value axis with as many edge labels as fit without
 * overlapping; each bin's range and count in its tooltip, on a hover target
 * the full height of the plot. */
static void svg_histogram(buf *b, const rep_view *v)
{
    size_t nb = v->nbins;
    int64_t max = 0;
    for (size_t i = 0; i < nb; i++)
        if (v->bins[i].count > max)
            max = v->bins[i].count;
    if (nb == 0 || max <= 0) {
        svg_empty(b, "no values in the bins");
        return;
    }
    const double H = 300, ml = 72, mr = 16, mt = 14, mb = 40;
    double pw = SVG_W - ml - mr, ph = H - mt - mb;
    double step = axis_step(max);
    double topv = ceil((double)max / step) * step;
    double bw = pw / (double)nb;
    double gap = bw >= 6 ? (bw * 0.12 > 1 ? bw * 0.12 : 1) : 0;

    buf_puts(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" height=\"300\" "
                "viewBox=\"0 0 860 300\" role=\"img\" aria-label=\"");
    html_cstr(b, v->name, NAME_COLS);
    buf_puts(b, ": histogram\" font-family=\"" SVG_FONT "\" font-size=\"11\">");
    /* gridlines and count labels: topv / step is 1..4 (axis_step) */
    int lines = (int)(topv / step + 0.5);
    for (int k = 0; k <= lines; k++) {
        double t = (double)k * step;
        double y = mt + ph - t / topv * ph;
        buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"", (int)ml, (int)(SVG_W - mr));
        svg_len(b, y);
        buf_puts(b, "\" y2=\"");
        svg_len(b, y);
        buf_printf(b, "\" stroke=\"%s\" stroke-width=\"1\"/>", t == 0 ? "#8c959f" : "#eaeef2");
        buf_printf(b, "<text x=\"%d\" y=\"", (int)ml - 8);
        svg_len(b, y + 4);
        buf_puts(b, "\" text-anchor=\"end\" fill=\"" MUTED "\">");
        html_num(b, t); /* a double: the top line may pass INT64_MAX */
        buf_puts(b, "</text>");
    }
    /* bars */
    for (size_t i = 0; i < nb; i++) {
        double x = ml + (double)i * bw;
        int64_t c = v->bins[i].count;
        double h = c > 0 ? (double)c / topv * ph : 0;
        if (c > 0 && h < 1)
            h = 1;
        buf_puts(b, "<g><title>");
        bin_label(b, v, i, ", ");
        buf_puts(b, ": ");
        html_int(b, c);
        buf_puts(b, "</title><rect x=\"");
        svg_len(b, x);
        buf_printf(b, "\" y=\"%d\" width=\"", (int)mt);
        svg_len(b, bw);
        buf_printf(b, "\" height=\"%d\" fill=\"transparent\"/>", (int)ph);
        if (h > 0) {
            buf_puts(b, "<rect x=\"");
            svg_len(b, x + gap / 2);
            buf_puts(b, "\" y=\"");
            svg_len(b, mt + ph - h);
            buf_puts(b, "\" width=\"");
            svg_len(b, bw - gap);
            buf_puts(b, "\" height=\"");
            svg_len(b, h);
            buf_puts(b, "\" fill=\"" BAR_COLOR "\"/>");
        }
        buf_puts(b, "</g>");
    }
    /* edge ticks: the edges are bins[0].lo, then each bin's hi; the first
     * label starts at its tick, the last ends at it, the others are
     * centred, so labels need 1.5 widths between ticks to stay apart */
    size_t maxc = 1;
    for (size_t i = 0; i <= nb; i++) {
        char s[NUM_MAX];
        size_t len = num_format(s, i == 0 ? v->bins[0].lo : v->bins[i - 1].hi);
        if (len > maxc)
            maxc = len;
    }
    double minsp = (double)maxc * 6.6 * 1.5 + 12;
    size_t every = (size_t)ceil(minsp / bw);
    if (every < 1)
        every = 1;
    double ybase = mt + ph;
    for (size_t i = 0; i <= nb; i += every) {
        if (i + every > nb && i != nb) {
            /* the last multiple: the last edge gets a tick too, in place of
             * this one if they would be too close */
            if (i == 0 || (double)(nb - i) * bw >= minsp)
                svg_tick(b, v, i, ml + (double)i * bw, ybase);
            svg_tick(b, v, nb, ml + (double)nb * bw, ybase);
            break;
        }
        svg_tick(b, v, i, ml + (double)i * bw, ybase);
    }
    buf_puts(b, "</svg>");
}

static void html_kv_num(buf *b, const char *label, double x, int no_value)
{
    buf_printf(b, "<tr><th scope=\"row\">%s</th><td class=\"n\">", label);
    if (no_value)
        buf_puts(b, EN_DASH);
    else
        html_num(b, x);
    buf_puts(b, "</td></tr>\n");
}

static void html_kv_int(buf *b, const char *label, int64_t x)
{
    buf_printf(b, "<tr><th scope=\"row\">%s</th><td class=\"n\">", label);
    html_int(b, x);
    buf_puts(b, "</td></tr>\n");
}

static void html_counts(buf *b, const rep_view *v)
{
    buf_puts(b, "<p class=\"meta\">");
    html_int(b, v->total);
    buf_puts(b, " counted &#183; ");
    html_int(b, (int64_t)v->nkeys);
    buf_puts(b, v->nkeys == 1 ? " key" : " keys");
    if (v->kind == REP_TOP) {
        buf_puts(b, " &#183; top ");
        html_int(b, v->limit);
    }
    buf_puts(b, "</p>\n<div class=\"chart\">");
    svg_bars(b, v);
    buf_puts(b, "</div>\n");
    if (v->nentries > BAR_MAX) {
        buf_printf(b, "<p class=\"note\">The chart shows the first %d of %zu entries; the table has them all.</p>\n",
                   BAR_MAX, v->nentries);
    }
    buf_puts(b, v->nentries > 40 ? "<div class=\"scroll\">" : "<div>");
    buf_puts(b, "<table class=\"data\"><thead><tr><th class=\"n\">#</th><th>key</th>"
                "<th class=\"n\">count</th><th class=\"n\">share</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < v->nentries; i++) {
        const rep_entry *e = &v->entries[i];
        buf_printf(b, "<tr><td class=\"n rank\">%zu</td><td class=\"key\">", i + 1);
        if (e->len == 0)
            buf_puts(b, "<span class=\"empty\">(empty)</span>");
        else
            disp_put(b, e->key, e->len, HTML_KEY_COLS, DISP_HTML);
        buf_puts(b, "</td><td class=\"n\">");
        html_int(b, e->count);
        buf_puts(b, "</td><td class=\"n\">");
        put_share(b, e->count, v->total);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</tbody>\n<tfoot>\n");
    int64_t rest;
    if (rest_count(v, &rest)) {
        size_t others = v->nkeys - v->nentries;
        buf_puts(b, "<tr><td></td><td>");
        html_int(b, (int64_t)others);
        buf_puts(b, others == 1 ? " other key" : " other keys");
        buf_puts(b, "</td><td class=\"n\">");
        html_int(b, rest);
        buf_puts(b, "</td><td class=\"n\">");
        put_share(b, rest, v->total);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "<tr><td></td><td>total</td><td class=\"n\">");
    html_int(b, v->total);
    buf_puts(b, "</td><td class=\"n\">");
    put_share(b, v->total, v->total);
    buf_puts(b, "</td></tr>\n</tfoot></table></div>\n");
}

static void html_histogram(buf *b, const rep_view *v)
{
    int none = v->n <= 0;
    buf_puts(b, "<p class=\"meta\">");
    html_int(b, v->n);
    buf_puts(b, v->n == 1 ? " value" : " values");
    if (!none) {
        buf_puts(b, " from ");
        html_num(b, v->min);
        buf_puts(b, " to ");
        html_num(b, v->max);
    }
    buf_printf(b, " &#183; %zu bin%s</p>\n<div class=\"chart\">", v->nbins, v->nbins == 1 ? "" : "s");
    svg_histogram(b, v);
    buf_puts(b, "</div>\n");
    if (v->under || v->over) {
        buf_puts(b, "<p class=\"note\">Outside the bins: ");
        html_int(b, v->under);
        buf_puts(b, " below ");
        html_num(b, v->nbins ? v->bins[0].lo : NAN);
        buf_puts(b, ", ");
        html_int(b, v->over);
        buf_puts(b, " above ");
        html_num(b, v->nbins ? v->bins[v->nbins - 1].hi : NAN);
        buf_puts(b, ".</p>\n");
    }
    buf_puts(b, v->nbins > 40 ? "<div class=\"scroll\">" : "<div>");
    buf_puts(b, "<table class=\"data\"><thead><tr><th>bin</th><th class=\"n\">count</th>"
                "<th class=\"n\">share</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < v->nbins; i++) {
        buf_puts(b, "<tr><td>");
        bin_label(b, v, i, ", ");
        buf_puts(b, "</td><td class=\"n\">");
        html_int(b, v->bins[i].count);
        buf_puts(b, "</td><td class=\"n\">");
        put_share(b, v->bins[i].count, v->n);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</tbody>\n<tfoot>\n");
    if (v->under) {
        buf_puts(b, "<tr><td>under</td><td class=\"n\">");
        html_int(b, v->under);
        buf_puts(b, "</td><td class=\"n\">");
        put_share(b, v->under, v->n);
        buf_puts(b, "</td></tr>\n");
    }
    if (v->over) {
        buf_puts(b, "<tr><td>over</td><td class=\"n\">");
        html_int(b, v->over);
        buf_puts(b, "</td><td class=\"n\">");
        put_share(b, v->over, v->n);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "<tr><td>total</td><td class=\"n\">");
    html_int(b, v->n);
    buf_puts(b, "</td><td class=\"n\">");
    put_share(b, v->n, v->n);
    buf_puts(b, "</td></tr>\n</tfoot></table></div>\n");
}

/* The one-line summary after a name in the table of contents. */
static void html_toc_summary(buf *b, const rep_view *v)
{
    switch (v->kind) {
    case REP_COUNT:
    case REP_TOP:
        html_int(b, v->total);
        buf_puts(b, " in ");
        html_int(b, (int64_t)v->nkeys);
        buf_puts(b, v->nkeys == 1 ? " key" : " keys");
        break;
    case REP_SUM:
        buf_puts(b, "sum ");
        html_num(b, v->sum);
        break;
    case REP_STATS:
        if (v->n <= 0) {
            buf_puts(b, "no values");
            break;
        }
        buf_puts(b, "mean ");
        html_num(b, v->mean);
        buf_puts(b, " of ");
        html_int(b, v->n);
        buf_puts(b, v->n == 1 ? " value" : " values");
        break;
    case REP_HISTOGRAM:
        html_int(b, v->n);
        buf_puts(b, v->n == 1 ? " value" : " values");
        break;
    case REP_DISTINCT:
        html_num(b, v->distinct);
        buf_puts(b, v->exact ? " distinct" : " distinct (estimate)");
        break;
    }
}

static void render_html(buf *b, const rep_view *views, size_t n, const char *title)
{
    const char *t0 = title ? title : "lode report";
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'unsafe-inline'; img-src data:\"/>\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                "<meta name=\"generator\" content=\"lode\"/>\n<title>");
    html_cstr(b, t0, NAME_COLS);
    buf_puts(b, " &#8212; lode report</title>\n<style>\n");
    buf_puts(b, html_style);
    buf_puts(b, "</style>\n</head>\n<body>\n<div class=\"wrap\">\n<header>\n<h1>");
    html_cstr(b, t0, NAME_COLS);
    buf_printf(b, "</h1>\n<p>lode report &#183; %zu aggregator%s</p>\n</header>\n", n, n == 1 ? "" : "s");
    if (n == 0) {
        buf_puts(b, "<p class=\"note\">This report has no aggregators.</p>\n");
    } else {
        buf_puts(b, "<nav class=\"toc\">\n<h2>Contents</h2>\n<ol>\n");
        for (size_t a = 0; a < n; a++) {
            buf_printf(b, "<li><a href=\"#agg-%zu\">", a + 1);
            html_cstr(b, views[a].name, NAME_COLS);
            buf_puts(b, "</a>");
            html_badge(b, views[a].kind);
            buf_puts(b, "<span class=\"sum\">");
            html_toc_summary(b, &views[a]);
            buf_puts(b, "</span></li>\n");
        }
        buf_puts(b, "</ol>\n</nav>\n<main>\n");
    }
    for (size_t a = 0; a < n; a++) {
        const rep_view *v = &views[a];
        buf_printf(b, "<section id=\"agg-%zu\">\n<h2>", a + 1);
        html_cstr(b, v->name, NAME_COLS);
        html_badge(b, v->kind);
        buf_puts(b, "</h2>\n");
        switch (v->kind) {
        case REP_COUNT:
        case REP_TOP:
            html_counts(b, v);
            break;
        case REP_HISTOGRAM:
            html_histogram(b, v);
            break;
        case REP_SUM:
        case REP_STATS: {
            buf_puts(b, "<table class=\"kv\"><tbody>\n");
            figure f[6];
            for (size_t i = 0, k = figures(v, f); i < k; i++) {
                if (f[i].is_n)
                    html_kv_int(b, f[i].key, v->n);
                else
                    html_kv_num(b, f[i].key, f[i].x, f[i].absent);
            }
            buf_puts(b, "</tbody></table>\n");
            break;
        }
        case REP_DISTINCT:
            buf_puts(b, "<p class=\"big\">");
            html_num(b, v->distinct);
            buf_puts(b, v->exact ? "<span>(exact)</span>"
                                 : "<span>(estimate, HyperLogLog \xC2\xB1" "0.8 %)</span>");
            buf_puts(b, "</p>\n");
            break;
        }
        buf_puts(b, "</section>\n");
    }
    if (n)
        buf_puts(b, "</main>\n");
    buf_puts(b, "<footer>Made by lode</footer>\n</div>\n</body>\n</html>\n");
}

/* ---- entry points ----------------------------------------------------------- */

int report_render_views(const rep_view *v, size_t n, const char *format, const char *title, buf *out,
                        char *err, size_t errn)
{
    int rc = 0;
    if (!format)
        format = "";
    if (strcmp(format, "json") == 0)
        render_json(out, v, n, title);
    else if (strcmp(format, "csv") == 0)
        render_csv(out, v, n);
    else if (strcmp(format, "txt") == 0)
        rc = render_txt(out, v, n, title);
    else if (strcmp(format, "html") == 0)
        render_html(out, v, n, title);
    else {
        if (err && errn > 0)
            snprintf(err, errn, "unknown report format '%s' (json, csv, txt, html)", format);
        return -1;
    }
    if (rc < 0 || !buf_ok(out)) {
        set_err(err, errn, "out of memory");
        return -1;
    }
    return 0;
}

static int ext_is(const char *ext, const char *want)
{
    for (; *ext && *want; ext++, want++) {
        char c = *ext;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != *want)
            return 0;
    }
    return *ext == '\0' && *want == '\0';
}

const char *report_format_for(const char *path)
{
    if (!path)
        return NULL;
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return NULL;
    dot++;
    if (ext_is(dot, "json"))
        return "json";
    if (ext_is(dot, "csv"))
        return "csv";
    if (ext_is(dot, "txt"))
        return "txt";
    if (ext_is(dot, "html") || ext_is(dot, "htm"))
        return "html";
    return NULL;
}
