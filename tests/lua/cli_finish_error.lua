-- cli_finish_error.lua -- used by run.sh: finish raises after a good run.
return {
    ["p"] = function(p, ctx) ctx:emit{ id = p:attr("id") } end,
    finish = function(ctx) error("finish failed") end,
}
