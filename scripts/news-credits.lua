-- news-credits.lua: photo credits of news articles — records and a report.
--
--   lode run scripts/news-credits.lua examples/documents/putin-kim-wladiwostok.txt
--   lode run scripts/news-credits.lua corpus/ -o credits.csv --report credits.html
--
-- A caption is a paragraph (or a <figcaption>) that ends in a photo credit:
-- "© Alexander Zemlianichenko/AP (dpa)", "© Kyodo (dpa)", "Foto: Christoph Soeder/dpa".
-- Record fields: doc, line, caption, credit (as written), creator, agency, distributor.
-- Report: photographers, agencies, distributors, captions per document; finish() prints a
-- one-line summary on standard error. Patterns: scripts/lode/news.lua (news.caption).
local news = require "lode.news"

return {
  document = function(doc, ctx)
    local r = ctx.report
    local n = 0
    for _, el in ipairs(doc:select("p, figcaption")) do
      if el:name() == "figcaption" or not el:closest("figcaption") then
        local caption, credit = news.caption(el:text("normalize"))
        if credit then
          n = n + 1
          ctx:emit{ doc = doc.path, line = el:line(), caption = caption, credit = credit.text,
                    creator = credit.creator, agency = credit.agency,
                    distributor = credit.distributor }
          r:top("photographers", credit.creator or "(none named)", 50)
          r:top("agencies", credit.agency or "(none named)", 50)
          r:count("distributors", credit.distributor or "(none)")
          r:top("credits", credit.text, 50)
        end
      end
    end
    r:count("documents", n > 0 and "with captions" or "without captions")
    r:sum("captions", n)
  end,
  finish = function(ctx)
    local r = ctx.report
    io.stderr:write(("news-credits: %d captions in %d documents, %d with captions\n"):format(
      r:get("captions") or 0, r:total("documents"), r:get("documents", "with captions")))
  end,
}
