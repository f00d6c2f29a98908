-- A plain find is O(subject x needle) in C: charged per candidate too.
return { begin = function()
  local s = ("a"):rep(1000000)
  local needle = ("a"):rep(20000) .. "b"
  for _ = 1, 100 do s:find(needle, 1, true) end
end }
