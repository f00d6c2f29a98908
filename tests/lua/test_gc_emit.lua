-- inputs: tests/lua/fixtures/a.html tests/lua/fixtures/b.html
-- test_gc_emit.lua -- ctx:emit must not read a node whose document was
-- already freed.  A finalizer object made in begin (so it is finalized
-- after a document made later, in the same cycle) holds a node of doc a; it
-- is dropped during doc b's walk and collected there; its finalizer emits
-- the node.  The record encoder must refuse it ("the node's document was
-- already freed") as node methods do; it once read the freed tree
-- (heap-use-after-free under ASan).
local t = require "harness"

local holder
local result

return {
    begin = function(ctx)
        holder = setmetatable({}, { __gc = function(o)
            if not o.node then return end
            local ok, err = pcall(function() ctx:emit{ text = o.node } end)
            result = { ok = ok, err = tostring(err) }
        end })
    end,
    ["p"] = function(p, ctx)
        if ctx.doc.path:match("a%.html$") then
            holder.node = p
        elseif holder then
            holder = nil
            collectgarbage()
            collectgarbage()
        end
    end,
    finish = function()
        t.ok(result ~= nil, "the finalizer ran during doc b's walk")
        t.eq(result and result.ok, false, "emitting a node of a freed document raises")
        t.has(result and result.err, "document was already freed", "with the usual message")
        t.done()
    end,
}
