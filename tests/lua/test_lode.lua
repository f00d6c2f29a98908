-- inputs: tests/lua/fixtures/a.html
-- test_lode.lua -- the lode module: lode.load, lode.parse, lode.version,
-- require "lode" / "lode.text"; expected failures return nil, message.
local t = require "harness"

local function module_tests()
    t.section("the module", function()
        t.eq(type(lode), "table", "lode is a global")
        t.eq(require("lode"), lode, "require 'lode' is the same table")
        t.match(lode.version, "^%d+%.%d+%.%d+$", "lode.version looks like a version")
        local text = require "lode.text"
        t.eq(type(text.lower), "function", "require 'lode.text' works")
        t.eq(text.lower("\u{C4}\u{D6}\u{DC}"), "\u{E4}\u{F6}\u{FC}", "lode.text is Unicode-aware")
    end)

    t.section("lode.parse", function()
        local d = lode.parse("<p>x</p>", "html")
        t.eq(d.path, "<string>", "default name")
        t.eq(d.format, "html", "format field")
        t.eq(d:first("p"):text(), "x", "parsed")
        local named = lode.parse("<p>x</p>", "html", "mine.html")
        t.eq(named.path, "mine.html", "the third argument names the document")
        local txt = lode.parse(" date 2019-04 Head line\n\nfirst\nblock\n\nsecond", "text")
        t.eq(txt.format, "text", "text format")
        t.eq(txt:meta("date"), "2019-04", "the text reader's date line")
        t.eq(txt:first("h1"):text(), "Head line", "headline")
        t.same(t.names(txt:select("p"), function(n) return n:text() end), { "first block", "second" },
               "blocks become paragraphs, hard-wrapped lines are joined")
        local x = lode.parse("<r xmlns:q='urn:q'><q:a/></r>", "xml")
        t.eq(x.format, "xml", "xml format")
        t.eq(x:first("q|a"):name(), "q:a", "namespaced element")
        local j = lode.parse(d:write("json"), "json")
        t.eq(j.format, "json", "json format")
        t.eq(j:first("p"):text(), "x", "a JSON tree reads back")
    end)

    t.section("lode.parse failures return nil, message", function()
        local d, err = lode.parse("<a><b></a>", "xml", "bad.xml")
        t.eq(d, nil, "malformed XML: nil")
        t.eq(err, "bad.xml:1:11: Opening and ending tag mismatch: b line 1 and a", "message with name:line:col")
        d, err = lode.parse("a\xffb", "text")
        t.eq(d, nil, "invalid UTF-8 text: nil")
        t.eq(err, "<string>: invalid UTF-8 at byte offset 1 (line 1): byte 0xFF", "message with the byte offset")
        d, err = lode.parse("<p/>", "pdf")
        t.eq(d, nil, "unknown format: nil")
        t.eq(err, "<string>: 'pdf' is not a readable format", "unknown format message")
        d, err = lode.parse("", "html")
        t.eq(err, "<string>: empty document", "empty input")
        t.raises(function() lode.parse("<p/>") end, "bad argument #2 to 'parse' (string expected, got no value)",
                 "the format is required (a programmer error raises)")
        t.raises(function() lode.parse() end, "bad argument #1 to 'parse'", "the string is required")
    end)

    t.section("lode.load", function()
        local d = lode.load("tests/lua/fixtures/a.html")
        t.eq(d.path, "tests/lua/fixtures/a.html", "path")
        t.eq(d.format, "html", "format by extension")
        t.eq(#d:select("p"), 2, "loaded")
        local x = lode.load("tests/lua/fixtures/a.html", "xml")
        t.eq(x.format, "xml", "the second argument forces the format")
        local none, err = lode.load("tests/lua/fixtures/missing.html")
        t.eq(none, nil, "a missing file: nil")
        t.eq(err, "tests/lua/fixtures/missing.html: cannot open: No such file or directory", "missing file message")
        none, err = lode.load("tests/lua/fixtures")
        t.eq(err, "tests/lua/fixtures: is a folder, not a document", "a folder")
        none, err = lode.load("tests/lua/fixtures/tei.xml", "nope")
        t.eq(none, nil, "unknown format: nil")
        t.has(err, "'nope' is not a readable format", "unknown format message")
        t.raises(function() lode.load() end, "bad argument #1 to 'load' (string expected, got no value)",
                 "the path is required")
    end)

    t.section("many documents come and go", function()
        for i = 1, 200 do
            local d = lode.parse("<p id='x" .. i .. "'>" .. i .. "</p>", "html")
            assert(d:first("p"):text() == tostring(i))
        end
        collectgarbage()
        collectgarbage()
        t.ok(true, "200 parsed documents, collected")
    end)
end

return {
    begin = function() module_tests() end,
    document = function(doc, ctx)
        t.eq(ctx.doc, doc, "the input document")
        local other = lode.load(doc.path)
        t.ok(other ~= doc, "loading the same file again gives another document")
        other:first("p"):set_text("changed")
        t.eq(doc:first("p"):text(), "Alpha one", "documents are independent")
        t.done()
    end,
}
