-- inputs: tests/lua/fixtures/nav.html
-- test_nav.lua -- reading and navigating the tree: type, name, attributes,
-- text (raw and normalized), line, path, parent/children/siblings, doc,
-- tostring, and one userdata per node (== and table keys).
local t = require "harness"

local function nav(doc)
    local main, p1, p2 = doc:first("#main"), doc:first("#p1"), doc:first("#p2")

    t.section("type and name", function()
        t.eq(p1:type(), "element", "element type")
        t.eq(p1:name(), "p", "element name")
        t.eq(p1:first_child():type(), "text", "text node type")
        t.eq(p1:first_child():name(), "#text", "text node name")
        local comment = p1:next_element() and p1:next():next()
        t.eq(comment:type(), "comment", "comment node type")
        t.eq(comment:name(), "#comment", "comment node name")
        t.eq(comment:text(), " a comment ", "comment text is its content")
        t.eq(doc:root():name(), "html", "root element")
    end)

    t.section("attributes", function()
        t.eq(p1:attr("id"), "p1", "attr")
        t.eq(p1:attr("nope"), nil, "missing attr is nil")
        t.eq(p2:attr("data-x"), "Mixed", "HTML attribute names are lower-cased by the parser")
        t.eq(p2:attr("DATA-X"), "Mixed", "attr() ignores case in HTML documents")
        t.same(p2:attrs(), { id = "p2", ["data-x"] = "Mixed" }, "attrs() table")
        t.same(p1:first_child():attrs(), {}, "attrs() of a text node is empty")
        t.eq(p1:first_child():attr("id"), nil, "attr() of a text node is nil")
        t.eq(main:has_class("box"), true, "has_class first token")
        t.eq(main:has_class("wide"), true, "has_class second token")
        t.eq(main:has_class("bo"), false, "has_class is not a substring test")
        t.eq(main:has_class("BOX"), false, "has_class is case-sensitive")
        t.eq(main:has_class(""), false, "has_class of empty string")
        t.eq(p2:has_class("x"), false, "has_class without a class attribute")
        t.raises(function() p1:attr() end, "bad argument #1 to 'attr' (string expected, got no value)",
                 "attr() without a name raises in Lua's format")
    end)

    t.section("text", function()
        t.eq(p1:text(), "First bold and it.", "text() concatenates descendant text")
        t.eq(p1:text("raw"), "First bold and it.", "text('raw') is the default")
        t.eq(p2:text(), "Second\n  paragraph\u{A0}here", "raw text keeps newlines, spaces and NBSP")
        t.eq(p2:text("normalize"), "Second paragraph here", "normalize collapses whitespace and NBSP")
        t.eq(main:first_child():text("normalize"), "", "whitespace-only text normalizes to empty")
        t.eq(doc:first("ul"):text(), "onetwothree", "no separator between elements")
        t.raises(function() p1:text("squash") end, "invalid option 'squash'", "unknown text mode raises")
    end)

    t.section("line and path", function()
        t.eq(p1:line(), 10, "line of p1")
        t.eq(p2:line(), 12, "line of p2")
        t.eq(doc:first("#outside"):line(), 16, "line of the last p")
        t.eq(math.type(p1:line()), "integer", "line is an integer")
        t.eq(p1:path(), "/html/body/div/p[1]", "path of p1")
        t.eq(doc:first("li.x"):path(), "/html/body/div/ul/li[2]", "path of li.x")
        t.eq(doc:first("#outside"):path(), "/html/body/p", "path of an only p child")
        t.eq(p1:first_child():path(), "/html/body/div/p[1]/text()[1]", "path of a text node")
        t.eq(doc:element("span"):line(), nil, "a new element has no line")
    end)

    t.section("navigation", function()
        t.eq(p1:parent(), main, "parent")
        t.eq(doc:root():parent(), nil, "the root has no parent")
        t.eq(p1:next_element(), p2, "next_element skips text and comments")
        t.eq(p2:prev_element(), p1, "prev_element")
        t.eq(p1:prev_element(), nil, "no previous element")
        t.eq(doc:first("#outside"):next_element(), nil, "no next element")
        t.eq(p1:next():type(), "text", "next() returns the whitespace text node")
        t.eq(p1:next():prev(), p1, "prev() of next() is the node")
        t.eq(p1:first_child():text(), "First ", "first_child is a text node")
        t.eq(p1:last_child():text(), ".", "last_child")
        t.eq(p1:first_child():first_child(), nil, "a text node has no children")
        t.eq(p1:first_child():parent(), p1, "parent of a text node")
        t.eq(#main:children(), 9, "children() counts every node")
        t.same(t.names(main:children("elements")), { "p", "p", "ul" }, "children('elements')")
        t.same(t.names(p1:children()), { "#text", "b", "#text", "i", "#text" }, "children() mixed")
        t.same(p1:first_child():children(), {}, "children() of a text node is empty")
        t.raises(function() p1:children("nodes") end, "invalid option 'nodes'", "bad children kind raises")
        t.eq(p1:doc(), doc, "doc() is the document userdata")
        t.eq(p1:first_child():doc(), doc, "doc() of a text node")
    end)

    t.section("one userdata per node", function()
        local via_select = doc:select("p")[1]
        t.ok(rawequal(via_select, p1), "select and first give the same userdata")
        t.ok(rawequal(p1:next_element():prev_element(), p1), "navigation gives the same userdata")
        t.ok(rawequal(p1:first_child():parent(), p1), "parent of child is the same userdata")
        local seen = {}
        seen[p1] = "first"
        t.eq(seen[doc:first("#p1")], "first", "a node works as a table key")
        t.eq(seen[p2], nil, "another node is another key")
        collectgarbage()
        collectgarbage()
        t.eq(seen[main:children("elements")[1]], "first", "still the same key after a collection")
        local count = 0
        for _ in pairs(seen) do count = count + 1 end
        t.eq(count, 1, "one key")
        t.ok(p1 ~= p2, "different nodes are not equal")
    end)

    t.section("tostring", function()
        t.eq(tostring(p1), "<p> (line 10)", "tostring of an element")
        t.eq(tostring(p1:first_child()), "text node (line 10)", "tostring of a text node")
        t.match(tostring(doc), "^document tests/lua/fixtures/nav%.html %(html%)$", "tostring of a document")
    end)
end

return {
    document = function(doc, ctx)
        nav(doc)
        t.done()
    end,
}
