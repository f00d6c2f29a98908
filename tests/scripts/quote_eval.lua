-- quote_eval.lua: precision and recall of lode.news direct-quote detection against
-- tests/scripts/quotes-gold.tsv. Run through tests/scripts/quote_eval.sh.
-- A predicted direct quote is a news.quotes() result of kind "speech"; it matches a gold
-- row of the same file with the same text (whitespace collapsed). A speaker is right when
-- the last word of the gold speaker occurs in the predicted one or the other way round.
local news = require "lode.news"
local GOLD = os.getenv("QUOTES_GOLD") or "tests/scripts/quotes-gold.tsv"

local gold  -- file -> list of rows
local function load()
  gold = {}
  for line in io.lines(GOLD) do
    if not line:find("^#") and not line:find("^file\t") and line ~= "" then
      local file, direct, speaker, quote = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      gold[file] = gold[file] or {}
      table.insert(gold[file], { direct = direct == "1", speaker = speaker, quote = quote })
    end
  end
end

local function last_word(s) return s:match("(%S+)$") end

return {
  begin = function(ctx) load() end,
  document = function(doc, ctx)
    local r = ctx.report
    local file = doc.path:match("([^/]+)$")
    local rows = gold[file]
    if not rows then return end
    local pred = {}
    for _, p in ipairs(doc:select("p")) do
      for _, q in ipairs(news.quotes(p:text("normalize"))) do
        if q.kind == "speech" then pred[#pred + 1] = q end
      end
    end
    local used = {}
    for _, g in ipairs(rows) do
      local hit
      for i, q in ipairs(pred) do
        if not used[i] and q.text == g.quote then hit = i; break end
      end
      if g.direct then
        if hit then
          used[hit] = true
          r:count("detection", "tp")
          if g.speaker ~= "" then
            local ps = pred[hit].speaker
            local ok = ps and (ps:find(last_word(g.speaker), 1, true) or g.speaker:find(last_word(ps), 1, true))
            r:count("speaker", ok and "right" or (ps and "wrong" or "none"))
            if not ok then
              ctx:emit{ file = file, error = ps and "wrong speaker" or "no speaker", quote = g.quote,
                        gold = g.speaker, got = ps }
            end
          end
        else
          r:count("detection", "fn")
          ctx:emit{ file = file, error = "missed", quote = g.quote, gold = g.speaker }
        end
      end
    end
    for i, q in ipairs(pred) do
      if not used[i] then
        r:count("detection", "fp")
        ctx:emit{ file = file, error = "false positive", quote = q.text, got = q.speaker }
      end
    end
  end,
  finish = function(ctx)
    local r = ctx.report
    local tp, fp, fn = r:get("detection", "tp"), r:get("detection", "fp"), r:get("detection", "fn")
    local p = tp + fp > 0 and tp / (tp + fp) or 0
    local rc = tp + fn > 0 and tp / (tp + fn) or 0
    local right, wrong, none = r:get("speaker", "right"), r:get("speaker", "wrong"), r:get("speaker", "none")
    print(("direct quotes: gold %d, predicted %d, correct %d"):format(tp + fn, tp + fp, tp))
    print(("precision %.3f  recall %.3f  F1 %.3f"):format(p, rc, p + rc > 0 and 2 * p * rc / (p + rc) or 0))
    print(("speaker (correct quotes with a named gold speaker): %d right, %d wrong, %d none; accuracy %.3f"):format(
      right, wrong, none, right + wrong + none > 0 and right / (right + wrong + none) or 0))
  end,
}
