-- cli_begin_error.lua -- used by run.sh: begin emits, which raises.
return {
    begin = function(ctx) ctx:emit{ x = 1 } end,
    ["p"] = function(p, ctx) end,
}
