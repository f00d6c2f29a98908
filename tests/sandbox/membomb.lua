-- Table growth until memory runs out: stopped by the memory cap.
return { p = function() local t = {} for i = 1, math.maxinteger do t[i] = ("x"):rep(1000) .. i end end }
