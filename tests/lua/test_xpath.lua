-- inputs: tests/lua/fixtures/tei.xml tests/lua/fixtures/nav.html
-- test_xpath.lua -- doc:xpath / node:xpath: namespaces registered from the
-- document, an explicit namespace table, result conversion (nodes, strings
-- for attributes, integers and floats, booleans, the document node), the
-- context node, and errors.
local t = require "harness"

local TEI = "http://www.tei-c.org/ns/1.0"
local XLINK = "http://www.w3.org/1999/xlink"

local function tei(doc)
    t.section("default namespace needs a prefix from the table", function()
        t.same(doc:xpath("//p", { t = TEI }), {}, "//p finds nothing: p is in the TEI namespace")
        local ps = doc:xpath("//t:p", { t = TEI })
        t.eq(#ps, 3, "//t:p with a namespace table")
        t.eq(ps[1], doc:first("p"), "xpath nodes are the same userdata as selector nodes")
        t.eq(doc:xpath("count(//t:p)", { t = TEI }), 3, "count() is a number")
        t.eq(math.type(doc:xpath("count(//t:p)", { t = TEI })), "integer", "an integral number becomes an integer")
    end)

    t.section("prefixes declared on the root are registered", function()
        t.same(doc:xpath("//@xlink:href"), { "http://example.org/a" }, "doc:xpath with the document's xlink prefix")
        t.eq(doc:xpath("count(//@xlink:*)"), 1, "xlink prefix without a table")
        local ref = doc:first("ref")
        t.eq(ref:xpath("string(@xlink:href)"), "http://example.org/a", "node:xpath sees the root's prefixes")
    end)

    t.section("prefixes in scope at the context node", function()
        local math_el = doc:first("m|math")
        t.eq(math_el:xpath("count(m:mi)"), 1, "node:xpath registers prefixes declared on the node")
        t.eq(math_el:first("m|mi"):xpath("string(.)"), "x", "and on its ancestors")
        t.raises(function() doc:xpath("//m:mi") end, "Undefined namespace prefix",
                 "doc:xpath does not know prefixes declared below the root")
    end)

    t.section("an explicit table replaces the document's prefixes", function()
        t.raises(function() doc:xpath("//@xlink:href", { t = TEI }) end, "Undefined namespace prefix",
                 "with a table, only its prefixes are known")
        t.same(doc:xpath("//t:ref/@xl:href", { t = TEI, xl = XLINK }), { "http://example.org/a" },
               "any prefix can name any namespace")
    end)

    t.section("result conversion", function()
        local ns = { t = TEI }
        t.same(doc:xpath("//t:p/@n", ns), { "1", "2", "3" }, "attributes become their string values")
        t.eq(doc:xpath("string(//t:title)", ns), "Ein Brief", "string()")
        t.eq(doc:xpath("boolean(//t:Note)", ns), true, "boolean() true")
        t.eq(doc:xpath("boolean(//t:note)", ns), false, "boolean() false (case-sensitive)")
        local half = doc:xpath("sum(//t:p/@n) div 4", ns)
        t.eq(half, 1.5, "a fractional number")
        t.eq(math.type(half), "float", "is a float")
        t.eq(doc:xpath("/")[1], doc, "the document node becomes the document userdata")
        local texts = doc:xpath("//t:p[@n='1']/text()", ns)
        t.same(t.names(texts, function(n) return n:type() .. ":" .. n:text() end), { "text:Liebe ", "text:," },
               "text nodes are nodes")
        t.same(doc:xpath("//comment()"), {}, "an empty node-set is an empty table")
        local p2 = doc:first("p[n='2']")
        t.eq(p2:xpath("string(t:hi)", ns), "gut", "the node is the context node")
        t.eq(p2:xpath("count(preceding-sibling::t:p)", ns), 1, "axes from the context node")
        t.eq(p2:xpath("count(//t:p)", ns), 3, "// still starts at the document")
    end)

    t.section("errors", function()
        t.raises(function() doc:xpath("//[") end, "bad XPath expression '//['", "a syntax error raises")
        t.raises(function() doc:xpath("nosuchfn()") end, "failed", "an evaluation error raises")
        t.raises(function() doc:xpath("//t:p", { t = 1 }) end, "namespaces must map prefix strings to URI strings",
                 "a bad namespace table raises")
        t.raises(function() doc:xpath("//t:p", "t") end, "table of prefix = URI expected",
                 "a namespace argument that is not a table raises")
        t.raises(function() doc:xpath() end, "string expected", "a missing expression raises")
        t.eq(doc:xpath("count(//t:p)", { t = TEI }), 3, "the state works after errors")
    end)
end

local function nav(doc)
    t.section("XPath on HTML", function()
        t.eq(doc:xpath("count(//p)"), 3, "count(//p)")
        t.eq(doc:xpath("//p[@id='p1']")[1], doc:first("#p1"), "same userdata as the selector's")
        t.eq(doc:xpath("string(//title)"), "Nav  fixture", "string() keeps the spaces")
        t.eq(doc:first("#main"):xpath("count(p)"), 2, "relative to the node")
        local first = doc:xpath("//li")
        local again = doc:xpath("//li")
        t.ok(first ~= again and first[2] == again[2], "each call returns a new table of the same nodes")
    end)
end

return {
    document = function(doc)
        if doc.format == "xml" then tei(doc) else nav(doc) end
    end,
    finish = function() t.done() end,
}
