-- count10.lua: the `rules` benchmark (tests/bench/bench.py, docs/performance.md).
--
--   build/lode run tests/bench/rules/count10.lua FILE|FOLDER... -q
--
-- Ten selector rules, in the array form {selector, handler}, whose handlers
-- only count their matches (one Lua call per match, nothing else).  finish
-- prints the counts to stderr in one line, e.g.
--   count10: calls=123 p=.. a=.. ...
-- so the benchmark can show that Lua ran once per match and no more.
local selectors = {
  "p", "a", "h1", "h2", "li", "img", "div.content", "table td", "meta[name]", "span > a",
}

local counts = {}
local rules = {}
for i, sel in ipairs(selectors) do
  counts[i] = 0
  rules[i] = { sel, function() counts[i] = counts[i] + 1 end }
end

rules.finish = function()
  local total, parts = 0, {}
  for i, sel in ipairs(selectors) do
    total = total + counts[i]
    parts[#parts + 1] = string.format("%s=%d", sel:gsub(" ", "_"), counts[i])
  end
  io.stderr:write(string.format("count10: calls=%d %s\n", total, table.concat(parts, " ")))
end

return rules
