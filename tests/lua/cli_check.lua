-- cli_check.lua -- used by run.sh for `lode check`: the listing shows the
-- rules in the order they run (array part, then keyed rules by line; a C
-- function has no line and sorts first among the keyed rules).
return {
    ["p.lead"] = function(p) end,
    ["li:nth-child(2n+1)"] = { leave = function(li) end },
    ["#main"] = type,
    { "div > p", { enter = function(p) end, leave = function(p) end } },
    { "ul", function(ul) end },
    finish = function(ctx) end,
}
