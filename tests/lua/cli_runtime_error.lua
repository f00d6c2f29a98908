-- cli_runtime_error.lua -- used by run.sh: a handler error on one document.
-- Every p emits a record; the p with id "p2" (line 12 of fixtures/nav.html)
-- raises.  Expected: that document's records are all dropped, the next
-- document runs, exit status 1, a summary line per failed document.
return {
    ["p"] = function(p, ctx)
        ctx:emit{ doc = ctx.doc.path, id = p:attr("id") }
        if p:attr("id") == "p2" then error("boom " .. p:attr("id")) end
    end,
}
