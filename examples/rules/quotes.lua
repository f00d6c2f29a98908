-- quotes.lua: one record per quoted passage ("…") in an article's paragraphs.
--
--   lode run examples/rules/quotes.lua examples/documents/putin-kim-wladiwostok.txt
--
-- Each record: the document, the paragraph's source line, the quote, and the
-- quote's position in the paragraph (1 = first quote of the paragraph).
-- Straight double quotes are what the dpa text uses; German „…“ and English
-- “…” quotes are matched too.
local patterns = {
  '"([^"]+)"',          -- "…"
  '\u{201E}([^\u{201C}\u{201D}]+)[\u{201C}\u{201D}]', -- „…“
  '\u{201C}([^\u{201D}]+)\u{201D}',                   -- “…”
}

return {
  ["p"] = function(p, ctx)
    local text = p:text("normalize")
    local n = 0
    for _, pattern in ipairs(patterns) do
      for quote in text:gmatch(pattern) do
        n = n + 1
        ctx:emit{ doc = ctx.doc.path, line = p:line(), n = n, quote = quote }
      end
    end
  end,
}
