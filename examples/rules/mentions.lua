-- mentions.lua: every paragraph that mentions a name, one record each.
--
--   lode run examples/rules/mentions.lua examples/documents
--   lode run examples/rules/mentions.lua ../shared/corpus/news-de -o mentions.csv
--
-- Edit NAME to look for someone else.  The match is a plain substring
-- (no Lua patterns, case-sensitive), so "Putin" also finds "Putins".
local NAME = "Putin"

return {
  -- "p" matches HTML paragraphs and TEI/JATS <p> alike (any namespace).
  ["p"] = function(p, ctx)
    local text = p:text("normalize")          -- whitespace collapsed, trimmed
    if text:find(NAME, 1, true) then          -- true: plain find, no pattern
      ctx:emit{ doc = ctx.doc.path, line = p:line(), text = text }
      ctx.report:count("paragraphs mentioning " .. NAME, ctx.doc.path)
    end
  end,
}
