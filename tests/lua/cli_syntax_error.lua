-- cli_syntax_error.lua -- used by run.sh: does not compile (line 4).
return {
    ["p"] = function(p) print("never") end
    begin = function() print("never") end,
}
