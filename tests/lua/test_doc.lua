-- inputs: tests/lua/fixtures/nav.html tests/lua/fixtures/tei.xml
-- test_doc.lua -- the document userdata: fields path and format, root,
-- select, first, meta, title, element/text_node/comment, write defaults,
-- tostring; and document methods on an XML document.
local t = require "harness"

local function html(doc)
    t.section("fields", function()
        t.eq(doc.path, "tests/lua/fixtures/nav.html", "doc.path is the path as given")
        t.eq(doc.format, "html", "doc.format")
        t.eq(doc.nothing, nil, "unknown fields are nil")
        t.eq(type(doc.select), "function", "methods are fields too")
        t.eq(tostring(doc), "document tests/lua/fixtures/nav.html (html)", "tostring")
        t.eq(getmetatable(doc).__name, "lode.document", "metatable name")
        t.eq(getmetatable(doc:root()).__name, "lode.node", "node metatable name")
    end)
    t.section("root, select, first", function()
        t.eq(doc:root():name(), "html", "root()")
        t.eq(doc:select("html")[1], doc:root(), "doc:select includes the root element")
        t.eq(doc:first(":root"), doc:root(), ":root")
        t.eq(#doc:select("head > *"), 3, "doc:select")
    end)
    t.section("meta and title", function()
        t.eq(doc:meta("author"), "Ann Example", "meta(name)")
        t.eq(doc:meta("og:type"), "article", "meta matches property= too")
        t.eq(doc:meta("missing"), nil, "missing meta is nil")
        t.same(doc:meta(), { author = "Ann Example", ["og:type"] = "article" }, "meta() returns them all")
        t.eq(doc:title(), "Nav fixture", "title() is the normalised <title>")
        local long = string.rep("\u{E9}", 3000) -- 6000 bytes
        local d = lode.parse('<html><head><meta name="k" content="' .. long .. '"></head><body></body></html>', "html")
        t.eq(#(d:meta("k") or ""), 6000, "meta(name) returns the whole content (not cut at 4095 bytes)")
        t.ok(utf8.len(d:meta("k") or ""), "meta content stays valid UTF-8")
        t.eq(#(d:meta().k or ""), 6000, "meta() returns whole contents too")
        local notitle = lode.parse("<html><body><h1>Only h1</h1></body></html>", "html")
        t.eq(notitle:title(), nil, "no <title>: nil")
    end)
    t.section("constructors", function()
        local e = doc:element("aside", { class = "note" }, "hi")
        t.eq(e:write(), '<aside class="note">hi</aside>', "doc:element")
        t.eq(e:doc(), doc, "in this document")
        t.eq(doc:text_node("x"):write(), "x", "doc:text_node")
        t.eq(doc:comment("c"):write(), "<!--c-->", "doc:comment")
    end)
    t.section("write defaults", function()
        t.match(doc:write(), "^<!DOCTYPE html>\n<html lang=\"en\">", "an HTML document writes HTML by default")
        local txt = lode.parse("para", "text")
        t.match(txt:write(), "^<html>", "a text document writes HTML by default")
        local j = lode.parse(txt:write("json"), "json")
        t.match(j:write(), "^<html>", "a JSON document writes HTML by default")
    end)
end

local function xml(doc)
    t.section("XML document", function()
        t.eq(doc.format, "xml", "format")
        t.eq(doc:root():name(), "TEI", "root keeps its case")
        t.eq(doc:meta("x"), nil, "meta() of a non-HTML vocabulary document is nil")
        t.same(doc:meta(), {}, "and {} for all")
        t.eq(doc:title(), nil, "title() looks for html/head/title only")
        t.match(doc:write(), '^<%?xml version="1.0" encoding="UTF%-8"%?>\n<TEI xmlns="http://www.tei%-c.org/ns/1.0"',
                "an XML document writes XML by default")
        local e = doc:element("note", {}, "new")
        t.eq(e:xpath("namespace-uri(.)", {}), "http://www.tei-c.org/ns/1.0",
             "doc:element in a document with a default namespace puts the element in it")
    end)
end

return {
    document = function(doc) if doc.format == "xml" then xml(doc) else html(doc) end end,
    finish = function() t.done() end,
}
