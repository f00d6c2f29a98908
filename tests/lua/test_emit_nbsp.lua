-- inputs: tests/lua/fixtures/nav.html
-- records: tests/lua/fixtures/emit_nbsp.jsonl
-- test_emit_nbsp.lua -- a node in a record is written as its normalised
-- text, the same as node:text("normalize"), which also treats U+00A0
-- NO-BREAK SPACE as whitespace (#p2 of fixtures/nav.html holds
-- "paragraph&nbsp;here"); the two fields of the record must be equal.
local t = require "harness"
return {
    ["#p2"] = function(p, ctx)
        ctx:emit{ node = p, normalize = p:text("normalize") }
    end,
    finish = function() t.done() end,
}
