-- Expensive C calls in a loop: caught by the deadline between calls.
return { p = function() local s = ("a"):rep(1 << 20) while true do s:find("b", 1, true) end end }
