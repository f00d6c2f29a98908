-- An endless loop: stopped by the instruction limit.
return { p = function() while true do end end }
