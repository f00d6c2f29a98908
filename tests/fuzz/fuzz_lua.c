/* fuzz_lua.c -- libFuzzer target: the Lua rule API (tree reading, queries,
 * editing during and after the walk, serialisation) in the sandbox.
 *
 * Input: byte 0 chooses the document format (html, xml, text, json); the
 * bytes up to the first NUL (at most 256) are operation codes; the rest is
 * the document.  The fixed script below interprets the codes: one operation
 * per element visited by the walk (edits during the walk), the rest in the
 * document phase.  Every operation runs under pcall, so Lua errors (calling
 * a method on a removed node, renaming to an invalid name ...) are expected
 * results; only crashes, sanitizer reports and leaks are findings.  The
 * script is fixed C text with the codes embedded as a Lua string literal of
 * \ddd escapes, so no fuzzer-chosen Lua is ever compiled.  Sandbox on, with
 * small limits; the rules are loaded and freed per input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS 256

static lode_engine *engine;

static const char body[] =
    "local pos = 0\n"
    "local function byte() pos = pos + 1; return OPS:byte(pos) or 0 end\n"
    "local sels = {'p', '*', 'div > p', 'li:nth-child(2n)', ':has(b)', 'body *', '[class]',\n"
    "  'h1, h2', ':root', 'b + i', 'p:contains(\"a\")', 'x|y', ':not(p) ~ *', 'td:empty'}\n"
    "local names = {'p', 'div', 'span', 'b', 'x:y', 'li', 'table', 'svg', '1bad', 'html'}\n"
    "local fmts = {'xml', 'html', 'text', 'markdown', 'json'}\n"
    "local xps = {'count(//*)', '//p', 'string(.)', '..', '//@*', 'name(/*)', '//text()'}\n"
    "local function pick(t) return t[byte() % #t + 1] end\n"
    "local saved, list\n"
    "local function step(doc, cur, ctx)\n"
    "  local op = byte() % 40\n"
    "  if op == 0 then return cur:parent()\n"
    "  elseif op == 1 then return cur:next()\n"
    "  elseif op == 2 then return cur:prev()\n"
    "  elseif op == 3 then return cur:first_child()\n"
    "  elseif op == 4 then return cur:last_child()\n"
    "  elseif op == 5 then return cur:next_element()\n"
    "  elseif op == 6 then return cur:prev_element()\n"
    "  elseif op == 7 then list = cur:children(); return list[byte() % (#list + 1)]\n"
    "  elseif op == 8 then list = doc:select(pick(sels)); return list[byte() % (#list + 1)]\n"
    "  elseif op == 9 then return cur:first(pick(sels))\n"
    "  elseif op == 10 then return cur:closest(pick(sels))\n"
    "  elseif op == 11 then cur:matches(pick(sels))\n"
    "  elseif op == 12 then cur:text()\n"
    "  elseif op == 13 then cur:attrs(); cur:attr('class'); cur:has_class('a')\n"
    "  elseif op == 14 then cur:set_attr(pick(names), pick(names))\n"
    "  elseif op == 15 then cur:remove_attr(pick(names))\n"
    "  elseif op == 16 then cur:set_text(pick(names))\n"
    "  elseif op == 17 then cur:rename(pick(names))\n"
    "  elseif op == 18 then cur:append(doc:element(pick(names), {class = 'a'}, 'x'))\n"
    "  elseif op == 19 then cur:prepend(doc:text_node(pick(names)))\n"
    "  elseif op == 20 then cur:before(doc:comment('c'))\n"
    "  elseif op == 21 then if saved then cur:after(saved) end\n"
    "  elseif op == 22 then return cur:wrap(doc:element(pick(names)))\n"
    "  elseif op == 23 then return cur:unwrap()\n"
    "  elseif op == 24 then return cur:replace(doc:element(pick(names)))\n"
    "  elseif op == 25 then cur:remove()\n"
    "  elseif op == 26 then saved = cur:clone()\n"
    "  elseif op == 27 then cur:write(pick(fmts))\n"
    "  elseif op == 28 then doc:write(pick(fmts))\n"
    "  elseif op == 29 then cur:xpath(pick(xps))\n"
    "  elseif op == 30 then cur:path(); cur:line(); cur:type(); cur:name()\n"
    "  elseif op == 31 then saved = cur\n"
    "  elseif op == 32 then if saved then cur:append(saved) end\n"
    "  elseif op == 33 then return cur:element(pick(names))\n"
    "  elseif op == 34 then doc:meta(); doc:title(); return doc:root()\n"
    "  elseif op == 35 then if ctx then ctx:emit{n = cur:name(), t = cur:text()} end\n"
    "  elseif op == 36 then if saved then saved:replace(cur) end\n"
    "  elseif op == 37 then local d = lode.parse(cur:write('xml'), 'xml'); if d then saved = d:root() end\n"
    "  elseif op == 38 then if ctx then ctx:skip() end\n"
    "  elseif op == 39 then local k = byte() % 9\n"
    "    if k == 0 then cur:node_doc_check_missing_method()\n"
    "    elseif k == 1 then cur:remove_all(pick(sels))\n"
    "    elseif k == 2 then cur:unwrap_all(pick(sels))\n"
    "    elseif k == 3 then doc:remove_all(pick(sels))\n"
    "    elseif k == 4 then doc:unwrap_all(pick(sels))\n"
    "    elseif k == 5 then cur:rename_all(pick(sels), pick(names))\n"
    "    elseif k == 6 then doc:rename_all{ [pick(names)] = pick(names), [pick(names)] = pick(names) }\n"
    "    elseif k == 7 then cur:keep_attrs_all(pick(sels), pick(names))\n"
    "    else doc:keep_attrs_all(pick(sels)) end\n"
    "  end\n"
    "end\n"
    "local function guarded(doc, cur, ctx)\n"
    "  local ok, r = pcall(step, doc, cur, ctx)\n"
    "  if ok and r ~= nil then return r end\n"
    "  return cur\n"
    "end\n"
    "return {\n"
    "  ['*'] = function(node, ctx)\n"
    "    if pos < #OPS / 2 then guarded(node:doc(), node, ctx) end\n"
    "  end,\n"
    "  document = function(doc, ctx)\n"
    "    local cur = doc:root()\n"
    "    while pos < #OPS do\n"
    "      if not cur then cur = doc:root() end\n"
    "      if not cur then return end\n"
    "      cur = guarded(doc, cur, ctx)\n"
    "    end\n"
    "    doc:write('xml'); doc:write('json')\n"
    "  end,\n"
    "}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine) {
        lode_options o;
        lode_options_init(&o);
        o.sandbox.enabled = 1;
        o.sandbox.max_memory = 32u << 20;
        o.sandbox.max_steps = 2000000;
        o.sandbox.timeout_ms = 2000;
        o.limits.max_depth = 64;
        if (!(engine = lode_engine_new(&o)))
            abort();
    }
    if (size < 1)
        return 0;
    static const char *const formats[] = {"html", "xml", "text", "json"};
    const char *format = formats[data[0] & 3];
    size_t n = 1;
    while (n < size && data[n] != 0 && n - 1 < MAX_OPS)
        n++;
    size_t nops = n - 1;
    const uint8_t *doc_bytes = n < size ? data + n + 1 : data + size;
    size_t doc_len = (size_t)(data + size - doc_bytes);

    lode_parse_options po = {format, NULL, LODE_PARSE_REPAIR | LODE_PARSE_ENTITIES};
    lode_doc *doc = NULL;
    if (lode_doc_parse(engine, doc_bytes, doc_len, "fuzz", &po, &doc) != LODE_OK)
        return 0;

    char *src = malloc(sizeof body + 32 + 4 * nops);
    if (!src)
        abort();
    size_t len = (size_t)sprintf(src, "local OPS = \"");
    for (size_t i = 0; i < nops; i++)
        len += (size_t)sprintf(src + len, "\\%03u", (unsigned)data[1 + i]);
    len += (size_t)sprintf(src + len, "\"\n%s", body);

    lode_rules *rules = NULL;
    int rc = lode_rules_load_string(engine, src, len, "fuzz.lua", NULL, &rules);
    if (rc != LODE_OK) {
        fprintf(stderr, "fuzz_lua: the fixed script does not load: %s\n", lode_errmsg(engine));
        abort();
    }
    lode_rules_run(rules, doc);
    lode_write_options wo = {"html", 0};
    char *out = NULL;
    size_t olen = 0;
    lode_doc_write_buffer(engine, doc, &wo, &out, &olen);
    lode_free(engine, out);
    lode_rules_finish(rules);
    lode_rules_free(rules);
    lode_doc_free(doc);
    free(src);
    return 0;
}
