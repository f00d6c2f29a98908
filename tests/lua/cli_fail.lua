-- cli_fail.lua -- used by run.sh: every document fails (for --fail-fast).
return {
    ["p"] = function(p, ctx) error("fails in " .. ctx.doc.path) end,
}
