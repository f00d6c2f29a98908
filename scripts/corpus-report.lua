-- corpus-report.lua: what is in a corpus of news articles, as a report.
--
--   lode run scripts/corpus-report.lua ../shared/corpus/news-de --report report.html
--
-- Per document it counts words, paragraphs, sentences and photo captions; over the
-- corpus it reports documents per format and per month, the distribution
-- of article length, sentences per article, the share of captions among paragraphs,
-- the most frequent words (case-folded, German and English stop words removed) and
-- the size of the vocabulary. Captions are recognised by lode.news (news.caption).  Everything
-- goes through ctx.report, so the report is the same whatever -j is, and
-- shards of a corpus merge into it (lode run --partial, lode merge).
local text = require "lode.text"
local news = require "lode.news"

local stop = {}
for w in ([[
  der die das den dem des ein eine einer eines einem einen und oder aber doch
  nicht kein keine auch als wie so dass daß zu zum zur im in am an auf aus bei
  mit nach von vor über unter um durch für gegen ohne bis seit sich er sie es
  wir ihr ich du man ist sind war waren wird werden wurde wurden hat haben
  hatte hatten sei sein seine seiner seinen ihre ihren ihrem noch nur schon sehr
  mehr dies diese dieser dieses diesem jetzt dann wenn weil ob was wer wo hier
  da dort alle alles beim vom ins einem soll sollen kann können muss müssen
  the a an and or but not no of to in on at by for with from as is are was
  were be been has have had it its this that these those he she they we you
  i his her their our will would can could said says also than then there
]]):gmatch("%S+") do stop[w] = true end

local function is_caption(s)
  return news.caption(s) ~= nil
end

-- Sentences: ends of sentences (. ! ? or … maybe followed by a closing quote) before a space
-- and a capital, a digit or an opening quote, plus the paragraph's end. Abbreviations
-- ("Dr. Müller", "z. B.") and ordinals ("3. Mai") are not counted as ends.
local ABBREV = {}
for w in ("Dr Prof Nr St Hr Fr bzw ca vgl z B u a Mio Mrd Jh Abs Art Mr Mrs Ms Jr Inc Co ggf usw etc evtl"):gmatch("%S+") do
  ABBREV[w] = true
end
local function sentences(s)
  local n = 0
  for word, stop in s:gmatch("(%S*)([%.!?]+)[\"'\u{201C}\u{201D}\u{00AB}\u{00BB})]*%s+[%u\195\"\u{201E}\u{201C}\u{00BB}\u{00AB}%d]") do
    local bare = word:gsub("^%p+", "")
    if not (stop == "." and (ABBREV[bare] or bare:find("^%d+$") or #bare == 1)) then n = n + 1 end
  end
  if s:find("%S") then n = n + 1 end
  return n
end

return {
  document = function(doc, ctx)
    local r = ctx.report
    local words, paragraphs, captions, sents = 0, 0, 0, 0
    for _, p in ipairs(doc:select("p")) do
      local s = p:text("normalize")
      if is_caption(s) then
        captions = captions + 1
      else
        paragraphs = paragraphs + 1
        sents = sents + sentences(s)
        for w in text.words(s) do
          words = words + 1
          local f = text.casefold(w)
          if not stop[f] and text.len(f) > 2 and not f:find("^%d+$") then
            r:top("top words", f, 30)
            r:distinct("vocabulary", f)
          end
        end
      end
    end
    r:count("documents by format", doc.format)
    r:count("documents by month", (doc:meta("date") or "unknown"):sub(1, 7))
    r:histogram("article length (words)", words)
    r:stats("words per article", words)
    r:stats("paragraphs per article", paragraphs)
    r:sum("captions", captions)
    r:sum("paragraphs", paragraphs)
    r:sum("sentences", sents)
    r:stats("sentences per article", sents)
    if paragraphs + captions > 0 then
      r:stats("caption share per article (%)", 100 * captions / (paragraphs + captions))
    end
    r:count("articles with captions", captions > 0 and "with captions" or "without")
  end,
  finish = function(ctx)
    local r = ctx.report
    local caps, paras = r:get("captions") or 0, r:get("paragraphs") or 0
    io.stderr:write(("corpus-report: %d documents, %d sentences, %d distinct words, " ..
      "captions %.1f%% of %d paragraphs\n"):format(r:total("words per article"),
      r:get("sentences") or 0, r:get("vocabulary") or 0,
      caps + paras > 0 and 100 * caps / (caps + paras) or 0, caps + paras))
  end,
}
