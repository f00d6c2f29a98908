-- string.rep bombs: huge results and the 2^62 empty loop of Lua 5.4.4.
return { p = function()
  local ok = pcall(string.rep, "x", 1 << 40)
  assert(not ok, "huge rep must fail")
  assert(("").rep("", 1 << 62) == "", "empty rep returns at once")
  local s = ("x"):rep(1 << 40) -- method syntax reaches the same wrapper
end }
