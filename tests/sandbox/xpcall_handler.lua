-- A message handler that loops: it runs after unwinding, under the hook.
return { p = function() xpcall(function() error("x") end, function() while true do end end) end }
