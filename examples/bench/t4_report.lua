-- t4_report.lua: T4 of the peer benchmarks -- a word report over a corpus of plain texts.
--
--   lode run examples/bench/t4_report.lua ../shared/corpus/news-de > report.tsv
--
-- Prints, byte for byte, what ../shared/bench/peers/t4_report.py prints:
--   docs, paragraphs, paras_per_doc_min/median/max (the lower median), tokens,
--   distinct, then "top<TAB>RANK<TAB>WORD<TAB>COUNT" for the 100 most frequent
--   words (ties in code point order).
-- A paragraph is a run of non-blank lines: a <p> of lode's text reader. A token is a
-- maximal run of letters and digits (Unicode categories L* and N*) of the
-- lowercased text, as Python's re [^\W_]+ over str.lower() finds them.
--
-- text.count_words(s, counts, "alnum") finds exactly those runs and counts them in C.
-- Lowercasing is the one difference left: Python's lower() maps "İ" to "i" + U+0307
-- (a mark, so a token boundary) and a word-final "Σ" to "ς"; lode's text.lower
-- (Unicode's simple mappings) maps them to "i" and "σ". The few paragraphs holding
-- one of the two take the slow path, which does what Python does.
--
-- Everything spanning documents goes through ctx.report, so the report is the
-- same whatever -j is. report:count_words counts a paragraph's words straight
-- into the report, in C, without a Lua string for each word.
local text = require "lode.text"
local category, lower, words = text.category, text.lower, text.words

local report, paras -- the report of the document being read, its paragraphs

local function add(w)
  report:count("words", w)
end

-- A token lowercased as Python does, with its final-sigma rule (a "Σ" ending
-- a word after a cased letter becomes "ς", not "σ").
local function add_lower(t)
  local l = lower(t)
  if #t > 2 and t:sub(-2) == "\206\163" then
    local prev = utf8.codepoint(t, utf8.offset(t, -2))
    local c = category(prev)
    if c == "Lu" or c == "Ll" or c == "Lt" then l = l:sub(1, -3) .. "\207\130" end
  end
  add(l)
end

-- The slow path: a run of letters and digits that may hold "İ", which ends
-- a token as "i" (Python: "i" + U+0307, and the mark is a boundary).
local function split(w)
  local from = 1
  while true do
    local at = w:find("\196\176", from, true)
    if not at then
      if from <= #w then add_lower(w:sub(from)) end
      return
    end
    add(lower(w:sub(from, at - 1)) .. "i")
    from = at + 2
  end
end

return {
  ["p"] = function(p, ctx)
    if not report then report, paras = ctx.report, 0 end
    paras = paras + 1
    local s = p:text()
    if s:find("\196\176", 1, true) or s:find("\206\163", 1, true) then
      for w in words(s, "alnum") do split(w) end          -- "İ" or "Σ"
    else
      report:count_words("words", lower(s), "alnum")
    end
  end,

  document = function(doc, ctx)
    ctx.report:count("paragraphs per document", paras or 0)
    report, paras = nil, nil
  end,

  finish = function(ctx)
    local r = ctx.report
    local per_doc, docs, total = {}, 0, 0
    for _, e in ipairs(r:entries("paragraphs per document")) do
      per_doc[#per_doc + 1] = { n = tonumber(e.key), docs = e.count }
      docs, total = docs + e.count, total + tonumber(e.key) * e.count
    end
    table.sort(per_doc, function(a, b) return a.n < b.n end)
    local out = { ("docs\t%d\nparagraphs\t%d\n"):format(docs, total) }
    if docs > 0 then
      -- the lower median: the ((docs - 1) // 2 + 1)-th smallest
      local want, seen, median = (docs - 1) // 2 + 1, 0, nil
      for _, x in ipairs(per_doc) do
        seen = seen + x.docs
        if seen >= want then median = x.n break end
      end
      out[#out + 1] = ("paras_per_doc_min\t%d\nparas_per_doc_median\t%d\nparas_per_doc_max\t%d\n"):format(
        per_doc[1].n, median, per_doc[#per_doc].n)
    end
    out[#out + 1] = ("tokens\t%d\ndistinct\t%d\n"):format(r:total("words"), r:size("words"))
    for i, e in ipairs(r:entries("words", 100)) do
      out[#out + 1] = ("top\t%d\t%s\t%d\n"):format(i, e.key, e.count)
    end
    io.write(table.concat(out))
  end,
}
