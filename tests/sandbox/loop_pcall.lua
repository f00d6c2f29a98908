-- The limit cannot be caught: pcall around the loop, and a loop after it.
return { p = function() for _ = 1, 1000 do pcall(function() while true do end end) end while true do end end }
