-- inputs: tests/lua/fixtures/order.html tests/lua/fixtures/order.html
-- test_many_rules.lua -- a script with more rules than the walk keeps on its
-- stack (WALK_STACK_RULES, 256, in core/src/rules.c): past that, each
-- handler is looked up when it is called.  Every handler must still run on
-- the elements its selector matches, in rule order, with its own node and
-- ctx, enter before the descendants and leave after them.
--
-- fixtures/order.html:
--   <div id="d1"><p id="p1">a <b>b</b></p><p id="p2">c</p></div>
--   <div id="d2"><p id="p3">e</p></div>
local t = require "harness"

local N = 300
local SELECTORS = { "p", "div", "*", "#p2", "b" }

local log = {}
local rules = {}
for i = 1, N do
    local sel = SELECTORS[(i - 1) % #SELECTORS + 1]
    local enter = function(n, ctx)
        log[#log + 1] = i .. " " .. (n:attr("id") or n:name())
        assert(ctx.doc == n:doc(), "the handler's ctx is the run's")
    end
    if i % 60 == 0 then
        rules[i] = { sel, { enter = enter,
            leave = function(n) log[#log + 1] = "leave " .. i .. " " .. (n:attr("id") or n:name()) end } }
    else
        rules[i] = { sel, enter }
    end
end

-- The reference: the walk's order computed from the tree alone.
local function expected(doc)
    local want = {}
    local function visit(n)
        local label = n:attr("id") or n:name()
        local leaves = {}
        for i = 1, N do
            if n:matches(SELECTORS[(i - 1) % #SELECTORS + 1]) then
                want[#want + 1] = i .. " " .. label
                if i % 60 == 0 then leaves[#leaves + 1] = "leave " .. i .. " " .. label end
            end
        end
        for _, c in ipairs(n:children("elements")) do visit(c) end
        for _, l in ipairs(leaves) do want[#want + 1] = l end
    end
    visit(doc:root())
    return want
end

local docs = 0
rules.document = function(doc)
    docs = docs + 1
    local want = expected(doc)
    t.ok(#want > 2 * N, "document " .. docs .. ": the rules ran " .. #want .. " times")
    -- the first difference, not two lists of a thousand entries
    local first
    for i = 1, math.max(#log, #want) do
        if log[i] ~= want[i] then first = i; break end
    end
    t.eq(first and (first .. ": " .. tostring(log[first]) .. " instead of " .. tostring(want[first])), nil,
         "document " .. docs .. ": every handler of " .. N ..
         " rules on its elements, in rule order, leave after the descendants")
    log = {}
    if docs == 2 then t.done() end
end

return rules
