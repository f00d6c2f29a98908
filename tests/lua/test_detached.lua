-- inputs: tests/lua/fixtures/a.html
-- test_detached.lua -- removed and newly created nodes are outside the tree:
-- parent(), next() and prev() are nil, path() and closest() stay within the
-- node, and nothing reaches the document's list of parked nodes.  (Parked
-- nodes used to be children of a hidden "lode-detached" element that
-- parent() returned; inserting it into the tree freed the document twice.
-- The last section tries exactly that, so a regression crashes the run.)
local t = require "harness"

return {
    document = function(doc)
        local a1, a2 = doc:first("#a1"), doc:first("#a2")
        a1:remove()
        a2:remove()
        local fresh = doc:element("span")
        t.section("removed and new nodes have no parent", function()
            t.eq(a1:parent(), nil, "parent() of a removed node is nil")
            t.eq(fresh:parent(), nil, "parent() of a new element is nil")
            t.eq(doc:text_node("x"):parent(), nil, "parent() of a new text node is nil")
            t.eq(a1:next(), nil, "next() of a removed node is nil (not another parked node)")
            t.eq(a2:prev(), nil, "prev() of a removed node is nil")
            t.eq(a1:next_element(), nil, "next_element() of a removed node is nil")
            t.eq(a1:closest("*"), a1, "closest('*') of a removed node is the node itself")
            t.eq(fresh:closest("lode-detached"), nil, "closest() never finds the parking element")
            t.eq(a1:path():find("lode-detached", 1, true), nil, "path() does not name the parking element")
            t.same(a1:xpath("ancestor::*", {}), {}, "xpath: a removed node has no ancestors")
        end)
        t.section("the parking element cannot reach the tree", function()
            local lot = a1:parent()
            t.eq(lot, nil, "no handle on the parking element")
            if lot then
                -- what a script can do today: put the parking element in the tree
                doc:first("body"):append(lot)
                doc:element("i")   -- parks a new node: now inside the tree
                t.note("a parking element was inserted into the tree: expect a double free")
            end
        end)
        t.done()
    end,
}
