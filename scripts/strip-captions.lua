-- strip-captions.lua: clean body text for NLP — photo captions and their credits removed.
--
--   lode run scripts/strip-captions.lua ../shared/corpus/news-de --write clean -t text
--
-- Removes caption paragraphs (a paragraph ending in a photo credit such as
-- "© Alexander Zemlianichenko/AP (dpa)" or "Foto: Christoph Soeder/dpa"), <figure> and
-- <figcaption> elements, and credit-only paragraphs; keeps the headline and the body
-- paragraphs (datelines included). Write with -t text. Counts go to the report.
local news = require "lode.news"

return {
  ["figure, figcaption"] = function(el, ctx)
    el:remove()
    ctx.report:count("removed", "figure")
  end,
  ["p"] = function(p, ctx)
    local s = p:text("normalize")
    if s ~= "" and news.caption(s) then
      p:remove()
      ctx.report:count("removed", "caption paragraph")
    end
  end,
}
