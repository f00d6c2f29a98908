-- inputs: tests/lua/fixtures/a.html
-- test_root.lua -- the root element cannot leave its place: besides
-- remove/replace/wrap/unwrap (test_edit.lua), neither the element
-- constructor's children nor append/prepend to a detached element nor
-- before/after a detached node may take it (the document was once left
-- without a root that way).
local t = require "harness"

local function fresh()
    local d = assert(lode.parse("<html><body><p>1</p><p>2</p></body></html>", "html"))
    return d, d:root()
end

return {
    document = function(doc)
        local d, root = fresh()
        t.raises(function() d:element("x", root) end, "root", "doc:element(name, root) raises")
        t.eq(d:root(), root, "the root is still the root (after the constructor)")
        d, root = fresh()
        t.raises(function() d:element("x"):append(root) end, "root", "append(root) to a detached element raises")
        t.eq(d:root(), root, "the root is still the root (after append)")
        d, root = fresh()
        t.raises(function() d:element("x"):prepend(root) end, "root", "prepend(root) to a detached element raises")
        d, root = fresh()
        local holder = d:element("x", d:element("y"))
        t.raises(function() holder:first_child():after(root) end, "root", "after(root) next to a detached node raises")
        t.eq(d:root(), root, "the root is still the root (after after)")
        -- and in a rule script's own document
        t.raises(function() doc:element("x", doc:root()) end, "root", "the input document's root cannot be moved")
        t.eq(#doc:select("p"), 2, "the input document still has its paragraphs")
        t.done()
    end,
}
