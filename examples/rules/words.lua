-- words.lua: count the words of each document.
--
--   lode run examples/rules/words.lua examples/documents
--   lode run examples/rules/words.lua ../shared/corpus/news-de --report build/words.html
--
-- A word is what lode.text.words finds (Unicode letters and digits;
-- "Raketen-Programm" and "don't" are one word each).  One record per
-- document; the totals go through ctx.report, which lode merges over all
-- worker threads (a local running total would only see one worker's share).
local text = require "lode.text"

return {
  -- document runs once per document, after its walk.
  document = function(doc, ctx)
    -- The text of the <body> (HTML, TEI and JATS have one; metadata in
    -- <head>/<teiHeader>/<front> is left out), else of the whole document.
    local body = doc:first("body") or doc:root()
    local words = 0
    for _ in text.words(body:text()) do words = words + 1 end
    ctx:emit{ doc = doc.path, words = words }
    ctx.report:sum("words", words)                  -- the corpus total
    ctx.report:stats("words per document", words)   -- n, min, max, mean, stddev
    ctx.report:histogram("document length (words)", words, { 0, 500, 1000, 5000 })
  end,
  -- finish runs once, after every worker is done, with the merged report.
  finish = function(ctx)
    io.stderr:write(("words: %d in %d documents\n"):format(
      ctx.report:get("words"), ctx.report:total("words")))
  end,
}
