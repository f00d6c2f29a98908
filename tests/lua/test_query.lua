-- inputs: tests/lua/fixtures/nav.html tests/lua/fixtures/tei.xml
-- test_query.lua -- CSS selectors from Lua: doc:select/first, node:select,
-- first, matches, closest; scope, document order, case rules for HTML and
-- XML, namespace prefixes, and selector errors (raised, with a caret).
local t = require "harness"

local function ids(list)
    return t.names(list, function(n) return n:attr("id") or n:name() end)
end

local function html(doc)
    local main, p1 = doc:first("#main"), doc:first("#p1")
    t.section("select and first", function()
        t.same(ids(doc:select("p")), { "p1", "p2", "outside" }, "doc:select in document order")
        t.same(ids(doc:select("#outside, p, #p1")), { "p1", "p2", "outside" },
               "a selector list gives document order without duplicates")
        t.same(ids(main:select("p")), { "p1", "p2" }, "node:select searches descendants only")
        t.same(main:select("div"), {}, "node:select does not include the node itself")
        t.same(t.names(p1:select("div b")), { "b" }, "combinators may look outside the scope (querySelectorAll)")
        t.eq(doc:first("p"), p1, "doc:first")
        t.eq(main:first("li:last-child"):text(), "three", "node:first")
        t.eq(doc:first("article"), nil, "first without a match is nil")
        t.same(doc:select("article"), {}, "select without a match is an empty table")
        t.same(p1:first_child():select("*"), {}, "select on a text node finds nothing")
        t.eq(p1:first_child():first("*"), nil, "first on a text node is nil")
        t.eq(#doc:select("*"), 16, "every element once")
    end)

    t.section("HTML case rules", function()
        t.same(ids(doc:select("P")), { "p1", "p2", "outside" }, "element names ignore case in HTML")
        t.same(ids(doc:select("[DATA-X]")), { "p2" }, "attribute names ignore case in HTML")
        t.same(ids(doc:select("[data-x=mixed]")), {}, "attribute values are case-sensitive")
        t.same(ids(doc:select("[data-x=mixed i]")), { "p2" }, "the i flag folds ASCII case")
        t.same(doc:select(".LEAD"), {}, "classes are case-sensitive")
        t.same(doc:select("#P1"), {}, "ids are case-sensitive")
    end)

    t.section("selector features", function()
        t.same(ids(doc:select("div > p")), { "p1", "p2" }, "child combinator")
        t.same(ids(doc:select("p + ul")), { "ul" }, "next-sibling combinator")
        t.same(ids(doc:select("#p1 ~ *")), { "p2", "ul" }, "subsequent-sibling combinator")
        t.same(ids(doc:select("p:not(.lead)")), { "p2", "outside" }, ":not")
        t.same(ids(doc:select("div:has(> ul)")), { "main" }, ":has")
        t.same(ids(doc:select("p:contains(\"bold and\")")), { "p1" }, ":contains spans elements")
        t.same(t.names(doc:select("li:nth-child(2n+1)"), function(n) return n:text() end), { "one", "three" },
               ":nth-child")
        t.same(ids(doc:select(":root")), { "html" }, ":root")
        t.same(ids(doc:select("[class~=wide]")), { "main" }, "~=")
        t.same(ids(doc:select("[id^=p]")), { "p1", "p2" }, "^=")
        t.same(ids(doc:select("[id$=side]")), { "outside" }, "$=")
        t.same(ids(doc:select("[id*=ut]")), { "outside" }, "*=")
        t.same(ids(doc:select("[lang|=en]")), { "html" }, "|=")
        t.same(ids(doc:select("meta[property='og:type']")), { "meta" }, "quoted attribute value")
    end)

    t.section("matches and closest", function()
        t.eq(p1:matches("div > p.lead"), true, "matches")
        t.eq(p1:matches("ul p"), false, "does not match")
        t.eq(p1:first_child():matches("*"), false, "a text node matches nothing")
        t.eq(p1:closest("p"), p1, "closest can be the node itself")
        t.eq(p1:closest("div"), main, "closest ancestor")
        t.eq(p1:closest("body > *"), main, "closest with a combinator")
        t.eq(p1:closest("ul"), nil, "no closest")
        t.eq(doc:first("b"):first_child():closest("p"), p1, "closest from a text node")
    end)

    t.section("bad selectors raise", function()
        t.raises(function() doc:select("p >") end, "bad selector: dangling combinator '>' at column 3\n  p >\n    ^",
                 "doc:select raises with a caret")
        t.raises(function() p1:select("p[") end, "bad selector", "node:select raises")
        t.raises(function() p1:first(":nope") end, "bad selector", "node:first raises")
        t.raises(function() p1:matches("a,,b") end, "bad selector", "node:matches raises")
        t.raises(function() p1:closest("") end, "bad selector", "node:closest raises on the empty selector")
        t.raises(function() doc:select("p::before") end, "bad selector", "pseudo-elements are refused")
        t.raises(function() doc:select("\xff") end, "bad selector", "invalid UTF-8 is refused")
        t.raises(function() doc:select() end, "bad argument #1 to 'select' (string expected, got no value)",
                 "a missing selector raises in Lua's format")
        local ok, err = pcall(doc.select, doc, "div > )")
        t.eq(ok, false, "pcall sees the error")
        t.has(err, "div > )\n        ^", "the caret is under the offending character")
        -- the state is still fine afterwards, and the cache does not keep bad selectors
        t.eq(#doc:select("p"), 3, "selecting works after an error")
        t.raises(function() doc:select("p >") end, "dangling combinator", "the same bad selector raises again")
    end)
end

local function xml(doc)
    t.section("XML case rules and namespaces", function()
        t.eq(#doc:select("p"), 3, "unprefixed type selectors match any namespace")
        t.eq(#doc:select("P"), 0, "element names are case-sensitive in XML")
        t.eq(#doc:select("Note"), 1, "exact case matches")
        t.eq(#doc:select("note"), 0, "other case does not")
        t.eq(#doc:select("[PLACE]"), 0, "attribute names are case-sensitive in XML")
        t.eq(#doc:select("*|p"), 3, "*|p")
        t.eq(#doc:select("|p"), 0, "|p: no element without namespace")
        t.eq(#doc:select("m|mi"), 1, "prefix as used in the document")
        t.eq(#doc:select("m|math > m|mi"), 1, "prefixed compounds")
        t.eq(#doc:select("xlink|ref"), 0, "the prefix must be the element's own")
        t.eq(#doc:select("[xlink|href]"), 1, "prefixed attribute")
        t.eq(#doc:select("[href]"), 0, "an unprefixed attribute selector ignores namespaced attributes")
        t.eq(#doc:select("#letter"), 1, "#id matches xml:id in XML documents")
        t.eq(doc:first("p:contains('gut')"):attr("n"), "2", ":contains in XML")
        t.eq(doc:first("title"):text(), "Ein Brief", "title text")
    end)
end

return {
    document = function(doc, ctx)
        if doc.format == "html" then html(doc) else xml(doc) end
    end,
    finish = function() t.done() end,
}
