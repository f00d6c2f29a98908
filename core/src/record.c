/* record.c -- reading records back: the top-level fields of the JSON object
 * that lode's own encoder (lua_json.c) writes for every ctx:emit, and JSON
 * string decoding.  A small scanner rather than a JSON library, so numbers
 * keep exactly the text the encoder wrote (0.1 stays 0.1) and strings may
 * hold U+0000.  Used by hosts (lode_record_next) and the CLI's CSV/TSV sinks. */
#include <string.h>

#include "lode.h"

/* The byte after the JSON string that starts at p (p[0] == '"'). */
static size_t skip_string(const char *s, size_t p, size_t len)
{
    for (p++; p < len; p++) {
        if (s[p] == '\\')
            p++;
        else if (s[p] == '"')
            return p + 1;
    }
    return len;
}

/* The byte after the JSON value that starts at p (within an object). */
static size_t skip_value(const char *s, size_t p, size_t len)
{
    if (p < len && s[p] == '"')
        return skip_string(s, p, len);
    int depth = 0;
    for (; p < len; p++) {
        char c = s[p];
        if (c == '"') {
            p = skip_string(s, p, len) - 1;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            if (depth == 0)
                return p;
            if (--depth == 0)
                return p + 1;
        } else if (c == ',' && depth == 0) {
            return p;
        }
    }
    return p;
}

static int kind(char c)
{
    switch (c) {
    case '"': return LODE_JSON_STRING;
    case '{': return LODE_JSON_OBJECT;
    case '[': return LODE_JSON_ARRAY;
    case 't':
    case 'f': return LODE_JSON_BOOL;
    case 'n': return LODE_JSON_NULL;
    default: return LODE_JSON_NUMBER;
    }
}

int lode_record_next(const char *json, size_t len, size_t *pos, lode_field *f)
{
    if (!json || !pos || !f)
        return 0;
    size_t p = *pos;
    if (p == 0) {
        while (p < len && (json[p] == ' ' || json[p] == '\n' || json[p] == '\t' || json[p] == '\r'))
            p++;
        if (p >= len || json[p] != '{')
            return 0;
        p++;
    }
    while (p < len && (json[p] == ',' || json[p] == ' '))
        p++;
    if (p >= len || json[p] != '"')
        return 0;
    size_t ke = skip_string(json, p, len);
    f->key = json + p + 1;
    f->key_len = ke > p + 1 ? ke - p - 2 : 0;
    p = ke;
    if (p >= len || json[p] != ':')
        return 0;
    p++;
    size_t ve = skip_value(json, p, len);
    f->value = json + p;
    f->value_len = ve - p;
    f->type = p < len ? kind(json[p]) : LODE_JSON_NULL;
    *pos = ve;
    return 1;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static unsigned hex4(const char *s)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval((unsigned char)s[k]);
        if (h < 0)
            return 0x110000; /* not hex */
        v = v * 16 + (unsigned)h;
    }
    return v;
}

size_t lode_json_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            out[o++] = s[i];
            continue;
        }
        char c = s[++i];
        switch (c) {
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'u': {
            unsigned cp = i + 4 < n ? hex4(s + i + 1) : 0x110000;
            if (cp > 0xFFFF) {
                out[o++] = c;
                break;
            }
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
                unsigned lo = hex4(s + i + 3);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            /* \uXXXX is 6 bytes and decodes to at most 3 (4 for a pair of 12) */
            if (cp < 0x80) {
                out[o++] = (char)cp;
            } else if (cp < 0x800) {
                out[o++] = (char)(0xC0 | (cp >> 6));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[o++] = (char)(0xE0 | (cp >> 12));
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[o++] = (char)(0xF0 | (cp >> 18));
                out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: out[o++] = c; break; /* \" \\ \/ */
        }
    }
    return o;
}
