-- A memory error caught by pcall must not let the script go on allocating.
return { p = function()
  local keep = {}
  for _ = 1, 100 do
    pcall(function() local t = {} for i = 1, math.maxinteger do t[i] = {} end end)
    keep[#keep + 1] = {}
  end
end }
