-- inputs: tests/lua/fixtures/order.html tests/lua/fixtures/order.html
-- test_order.lua -- the order handlers run in: the array part first (array
-- order), then the keyed rules by the line where their handler is defined
-- (ties by selector text); enter before descendants, leave after them,
-- several leave handlers of one node in rule order; ctx:skip(); the phases
-- (begin once, document after the walk of each document, finish once).
--
-- fixtures/order.html:
--   <div id="d1"><p id="p1">a <b>b</b></p><p id="p2">c</p></div>
--   <div id="d2"><p id="p3">e</p></div>
local t = require "harness"

local log = {}
local phases = {}
local docs = 0

local function add(s) log[#log + 1] = s end
local function id(n) return n:attr("id") or n:name() end

-- Two keyed handlers defined on the same line: the tie is broken by
-- selector text ("b" before "p b"), whatever the order in the table.
local tie_b, tie_pb = function() add("tie 'b'") end, function() add("tie 'p b'") end

local expected = {
    "array1 div d1", "enter2 d1",
    "array1 p p1", "keyed p p1", "keyed ids p1",
    "tie 'b'", "tie 'p b'",
    "leave b (rule 3)", "leave b (rule 4)",
    "leave p1",
    "array1 p p2", "keyed p p2", "keyed ids p2", "leave p2",
    "leave d1",
    "array1 div d2", "enter2 d2", "skip d2",
    "leave d2",
}

return {
    -- keyed rules, written before the array part: they still run after it,
    -- in the order of the lines where their handlers are defined
    ["#d2"] = function(n, ctx) add("skip d2"); ctx:skip() end,
    ["p b"] = tie_pb,
    ["p"] = function(n) add("keyed p " .. id(n)) end,
    ["#p1, #p2, #p3"] = function(n) add("keyed ids " .. id(n)) end,
    ["b"] = tie_b,

    -- the array part runs first, in array order
    { "div", function(n) add("array1 div " .. id(n)) end },
    { "div", { enter = function(n) add("enter2 " .. id(n)) end, leave = function(n) add("leave " .. id(n)) end } },
    { "b", { leave = function(n) add("leave b (rule 3)") end } },
    { "b", { leave = function(n) add("leave b (rule 4)") end } },
    { "p", { leave = function(n) add("leave " .. id(n)) end } },
    { "p", function(n) add("array1 p " .. id(n)) end },

    begin = function(ctx)
        phases[#phases + 1] = "begin"
        t.eq(ctx.doc, nil, "ctx.doc is nil in begin")
    end,
    document = function(doc, ctx)
        docs = docs + 1
        phases[#phases + 1] = "document"
        t.eq(ctx.doc, doc, "document(doc, ctx): ctx.doc is doc")
        if docs == 1 then
            t.same(log, expected, "handler order for the first document")
        else
            -- the second run of the same file gives the same order
            local second = {}
            for i = #expected + 1, #log do second[#second + 1] = log[i] end
            t.same(second, expected, "the same order for the second document")
        end
    end,
    finish = function(ctx)
        phases[#phases + 1] = "finish"
        t.same(phases, { "begin", "document", "document", "finish" }, "phases: begin once, document per input, finish once")
        t.eq(ctx.doc, nil, "ctx.doc is nil in finish")
        t.done()
    end,
}
