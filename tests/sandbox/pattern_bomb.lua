-- Backtracking in Lua's matcher runs in C, where the hook never runs: this
-- search takes about 10 s with Lua's own string.find whatever the time
-- limit.  The sandbox's matcher charges its steps to the instruction
-- budget, so it stops, also inside pcall.
return { begin = function()
  local s = ("a"):rep(300)
  pcall(string.find, s, ".-.-.-b")
  return s:match("(.-)(.-)(.-)b")
end }
