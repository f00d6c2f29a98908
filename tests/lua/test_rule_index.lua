-- inputs: tests/lua/fixtures/index.html tests/lua/fixtures/index.xml
-- test_rule_index.lua -- the walk tests only the rules that can match an
-- element (core/src/rule_index.h): rules filed under tag names, ids and
-- class tokens, and rules without such a key.  Whatever the filing, the
-- handlers that run, and their order, must be exactly those of testing
-- every rule in rule order (docs/lua-api.md, "Rule order"), also after a
-- handler changed the element's name or classes.
--
-- fixtures/index.html (HTML: tag and attribute names are case-insensitive):
--   <P id="y" class="x<TAB>z<LF>w">  <div class="a b a" ID="d">  <span>
--   <section class="">
-- fixtures/index.xml (XML: names compare exactly; xml:id is an id; an
-- entity reference adds nothing to an attribute's value):
--   <r><P xml:id="xid"/><p class="x &e; y" id="i"/><Span/></r>
local t = require "harness"

local log = {}
local function add(s) return function(n) log[#log + 1] = s .. " " .. n:name() end end

local expected = {
    html = {
        "any html", "any body",
        "any p", "tag P p", "class x p", "id y p", "class w p", "alt p", "tag p p",
        "any div", "class a div", "id d div", "alt div",
        "any span", "set class span", "class late span", "renamed em", "tag em em",
        "any section",
    },
    xml = {
        "any r",
        "any P", "tag P P", "id y P", "alt P",
        "any p", "class x p", "class y p", "tag p p", "id i p",
        "any Span", "xml Span",
    },
}

return {
    { "*", add("any") },
    { "P", add("tag P") },
    { ".x", add("class x") },
    { "#y, #xid", add("id y") },
    { ".w", add("class w") },
    { ".a", add("class a") },           -- "a b a": runs once
    { "#d", add("id d") },              -- HTML: ID is id
    { "p.z, div, P:first-child", add("alt") }, -- three keys: class z, tag div, tag P
    { ".y", add("class y") },
    { ".q", add("never") },             -- &e; adds nothing to the value
    { "p", add("tag p") },
    { "#i", add("id i") },
    { "span", function(n) n:set_attr("class", "late"); log[#log + 1] = "set class " .. n:name() end },
    { ".late", add("class late") },     -- filed under a key the element got just now
    { "span.late", function(n) n:rename("em"); log[#log + 1] = "renamed " .. n:name() end },
    { "span", add("never span") },      -- no longer a span
    { "em", add("tag em") },
    { "Span", add("xml") },             -- HTML: also matches; renamed before it is tested
    document = function(doc)
        local kind = doc.path:match("%.xml$") and "xml" or "html"
        -- "Span" is tested after the rename in HTML: it must not run there
        t.same(log, expected[kind], "handlers and their order in " .. kind)
        log = {}
    end,
    finish = function() t.done() end,
}
