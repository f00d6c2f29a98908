-- As selector_bomb_matches.lua, as a rule's selector: matching the rules
-- during the walk runs no Lua at all while nothing matches.
return { [":has(p p) p"] = function() end }
