-- news-structure.lua: turn a news article into semantic HTML5.
--
--   lode run scripts/news-structure.lua article.txt --write out -t html
--   lode run scripts/news-structure.lua ../shared/corpus/news-de --write out -t html -q
--
-- The article (from the text reader, or a news HTML page) becomes
--   article > header > h1 + time[datetime]
--   p.dateline[data-place][data-agency] > span.dateline > span.place (+ span.agency)
--   p … q[data-speaker][data-cue]         direct speech (q.term: short unattributed quotes)
--   figure > figcaption > small.credit[data-creator][data-agency][data-distributor]
-- The quote marks stay in the text around each <q>; a style in the head keeps browsers from
-- adding a second pair. No records are emitted; counts go to the report (--report x.html).
-- The patterns live in scripts/lode/news.lua (require "lode.news"); see docs/news.md.
local news = require "lode.news"

return {
  document = function(doc, ctx)
    local r = ctx.report
    local s = news.structure(doc, {
      on_caption = function(caption, credit)
        r:count("credits by agency", credit.agency or credit.distributor or "unknown")
      end,
      on_quote = function(q)
        r:count("quotes", q.kind .. (q.speaker and " (attributed)" or ""))
      end,
    })
    local head = doc:first("head")
    if head and s.quotes > 0 then
      head:append(doc:element("style", {}, "q::before,q::after{content:none}"))
    end
    r:count("documents", s.dateline and "with dateline" or "without dateline")
    r:sum("figures", s.figures)
  end,
}
