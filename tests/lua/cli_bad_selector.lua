-- cli_bad_selector.lua -- used by run.sh: the second rule's selector is bad.
return {
    ["p"] = function(p) print("never") end,
    ["div >"] = function(p) print("never") end,
    begin = function() print("never") end,
}
