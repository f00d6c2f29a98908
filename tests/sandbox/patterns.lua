-- The sandbox's budgeted string.find/match/gmatch/gsub (lua_pattern.c) must
-- give exactly what Lua's own give: run.sh runs this script with and
-- without --sandbox and compares the records.
local subjects = {
  "", "hello world", "  padded  ", "a,b,,c", "THE (quick) [brown] fox", "x = 1; y = 22; z = 333",
  "caf\u{e9} na\u{ef}ve", "aaa", "((a)(b))", "key=value&k2=v2", "line1\nline2\r\nline3", "%d%s",
  "\0nul\0inside", "THE END",
}
local patterns = {
  "", "o", "l+", "l*", "l-", "l?", "^h", "d$", "^$", "%a+", "%A+", "%d+", "%D", "%s*", "%S+", "%w+",
  "%W", "%p", "%u%l+", "%x+", "%c", "%g+", "[aeiou]", "[^aeiou ]+", "[a-c]+", "[%a_][%w_]*",
  "%b()", "%b[]", "%f[%w]%w+", "%f[%W]", "(%w+)=(%w+)", "()a()", "(a*(.)%w(%s*))", "(%a)%1",
  "(h)(e)(l)(l)(o)", ".-", ".-b", "[%]]", "[]]", "[^%s]", "%.", "%%", "\0", "[\0-\31]", "(.)%1",
  "%d+;?", "^%s*(.-)%s*$", "x?y?z?", "[%z]", "[+-]?%d+",
}
local out = {}
-- values escaped byte by byte (records must be UTF-8; no pattern function
-- is used for it, those are what is tested)
local function esc(v)
  local s, r = tostring(v), {}
  for i = 1, #s do
    local b = s:byte(i)
    r[i] = (b >= 32 and b < 127) and string.char(b) or ("\\" .. b)
  end
  return table.concat(r)
end
local function add(...) local t = table.pack(...) for i = 1, t.n do out[#out + 1] = esc(t[i]) end out[#out + 1] = "|" end
for _, s in ipairs(subjects) do
  for _, p in ipairs(patterns) do
    add(pcall(string.find, s, p))
    add(pcall(string.find, s, p, 3))
    add(pcall(string.find, s, p, -4, true))
    add(pcall(string.match, s, p))
    add(pcall(string.match, s, p, 2))
    local ok, err = pcall(function()
      for a, b in string.gmatch(s, p) do add(a, b) end
    end)
    add(ok, err)
    add(pcall(string.gsub, s, p, "<%0>"))
    add(pcall(string.gsub, s, p, "%1", 2))
    add(pcall(string.gsub, s, p, { a = "A", l = false, o = 7 }))
    add(pcall(string.gsub, s, p, function(c) if c == "l" then return nil end return "[" .. tostring(c) .. "]" end))
  end
end
-- errors keep their messages
for _, p in ipairs{ "%", "[a", "(", ")", "%b", "%f", "%fx", "%1", "(()", ("()"):rep(33) } do
  add(pcall(string.find, "abc", p))
  add(pcall(string.gsub, "abc", "b", "%" .. "9"))
  add(pcall(string.gsub, "abc", "(b)", "%2"))
end
add(pcall(string.gsub, "abc", "b", "%x"))
add(pcall(string.gsub, "abc", "b", {b = {}}))
add(pcall(string.gsub, "abc", "b", true))
add(("x"):rep(10):gsub("x", "yy", 3))
add(("hello"):find("l"), ("hello"):match("(h)(.)"), select("#", ("hello"):gsub("", "-")))
add(pcall(string.find, "abc", "b", 10), pcall(string.find, "abc", "", 4), pcall(string.find, "abc", "", 5))
local done = false
return { title = function(t, ctx)
  if done then return end
  done = true
  ctx:emit{ results = table.concat(out, " "), n = #out }
end }
