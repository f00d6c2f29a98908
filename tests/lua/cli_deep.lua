-- cli_deep.lua -- used by run.sh: each div appends a new div to itself; the
-- walk visits appended children, so nesting grows until the walk's depth
-- limit stops the document with an error (no crash, no hang).
return {
    ["div"] = function(d) d:append(d:element("div")) end,
}
