-- inputs: tests/lua/fixtures/order.html
-- test_handler_args.lua -- a handler is called with as many of (node, ctx)
-- as it has parameters (core/src/rules.c, handler_args): a handler without
-- parameters runs without lode wrapping the element in a userdata.  Whatever
-- the parameters, every handler runs, in rule order, and a node seen by
-- several handlers is the same userdata.
--
-- fixtures/order.html:
--   <div id="d1"><p id="p1">a <b>b</b></p><p id="p2">c</p></div>
--   <div id="d2"><p id="p3">e</p></div>
local t = require "harness"

local log = {}
local seen = {}
local function add(s) log[#log + 1] = s end

return {
  { "p", function() add("none") end },
  { "p", function(p) add("node " .. p:attr("id")); seen[#seen + 1] = p end },
  { "p", function(p, ctx) add("both " .. p:attr("id") .. " " .. type(ctx.emit)) end },
  { "p", function(...) add("vararg " .. select("#", ...)) end },
  { "p", { enter = function() add("enter none") end,
           leave = function(p) add("leave " .. p:attr("id")); seen[#seen + 1] = p end } },
  { "b", { leave = function() add("leave none b") end } },
  { "b", function(b, ctx) ctx:skip() add("skip b") end },
  document = function(doc)
    local want = {}
    for _, id in ipairs { "p1", "p2", "p3" } do
      want[#want + 1] = "none"
      want[#want + 1] = "node " .. id
      want[#want + 1] = "both " .. id .. " function"
      want[#want + 1] = "vararg 2"
      want[#want + 1] = "enter none"
      if id == "p1" then
        want[#want + 1] = "skip b"
        want[#want + 1] = "leave none b"
      end
      want[#want + 1] = "leave " .. id
    end
    t.same(log, want, "every handler runs, in rule order, with its parameters' share of (node, ctx)")
    t.eq(#seen, 6, "the node reached the handlers that take it")
    t.ok(seen[1] == seen[2] and seen[3] == seen[4] and seen[1] ~= seen[3],
         "one userdata per node, whether or not earlier handlers took it")
    t.eq(seen[1], doc:first("#p1"), "and the same userdata as a query returns")
    t.done()
  end,
}
