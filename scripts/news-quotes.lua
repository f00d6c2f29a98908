-- news-quotes.lua: one record per quoted passage of a news article.
--
--   lode run scripts/news-quotes.lua ../shared/corpus/news-de/wikinews-quotes -o quotes.csv
--   lode run scripts/news-quotes.lua article.txt --report quotes.html
--
-- Record fields: doc, line (the paragraph's source line), n (the quote's number in the
-- document), quote (the text between the marks), mark (the opening mark), kind ("speech" or
-- "term": a short unattributed quote such as a title or a word used with reservation),
-- speaker and cue (the attributing verb: "sagte", "so", "said", …; "continued" for a quote
-- that continues the previous speaker's) when the sentence attributes it.
-- Set LODE_NEWS_QUOTES=speech to emit direct speech only (terms left out).
-- The patterns are in scripts/lode/news.lua (news.quotes); see docs/news.md.
local news = require "lode.news"

local only_speech = os.getenv and os.getenv("LODE_NEWS_QUOTES") == "speech"

local SKIP = "figure, figcaption, nav, footer, aside, header, script, style"

return {
  document = function(doc, ctx)
    local r = ctx.report
    local n = 0
    for _, p in ipairs(doc:select("p, blockquote, li")) do
      if not p:closest(SKIP) and not (p:name() ~= "p" and p:first("p")) then
        local s = p:text("normalize")
        if s ~= "" and not news.caption(s) then
          for _, q in ipairs(news.quotes(s)) do
            if not only_speech or q.kind == "speech" then
              n = n + 1
              ctx:emit{ doc = doc.path, line = p:line(), n = n, quote = q.text, mark = q.mark,
                        kind = q.kind, speaker = q.speaker, cue = q.cue }
              r:count("quotes by kind", q.kind)
              if q.speaker then
                r:top("speakers", q.speaker, 30)
                r:top("cue verbs", q.cue, 30)
              end
              r:count("quote marks", q.mark)
            end
          end
        end
      end
    end
    r:histogram("quotes per document", n, { 0, 1, 2, 5, 10, 20, 50 })
  end,
}
