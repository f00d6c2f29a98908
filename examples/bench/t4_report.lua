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
-- lode.text.words also finds runs of letters and digits, but keeps joiners
-- ("Raketen-Programm", "don't") and combining marks inside a word, so a word
-- with anything but ASCII letters/digits and Latin-1 letters is split again,
-- code point by code point. Python's lower() maps "İ" to "i" + U+0307 (a mark,
-- so a token boundary) and a word-final "Σ" to "ς"; lode's text.lower (Unicode's
-- simple mappings) maps them to "i" and "σ": the slow path does what Python does.
--
-- Everything spanning documents goes through ctx.report, so the report is the
-- same whatever -j is. Each document's counts are gathered in a Lua table
-- first and handed to the report once per distinct word.
local text = require "lode.text"
local category, lower, words = text.category, text.lower, text.words

local counts, paras = {}, 0

local function add(w)
  counts[w] = (counts[w] or 0) + 1
end

-- A token of the slow path, lowercased as Python does: also its final-sigma
-- rule (a "Σ" ending a word after a cased letter becomes "ς", not "σ").
local function add_lower(t)
  local l = lower(t)
  if #t > 2 and t:sub(-2) == "\206\163" then
    local prev = utf8.codepoint(t, utf8.offset(t, -2))
    local c = category(prev)
    if c == "Lu" or c == "Ll" or c == "Lt" then l = l:sub(1, -3) .. "\207\130" end
  end
  add(l)
end

-- The slow path: the tokens of one word of text.words, code point by code point.
local function split(w)
  local from = nil
  for p, cp in utf8.codes(w) do
    local c = category(cp):byte()
    if cp == 0x130 then                                 -- "İ": "i" then a boundary
      if from then add_lower(w:sub(from, p - 1)) end
      add("i")
      from = nil
    elseif c == 76 or c == 78 then                      -- "L*", "N*"
      from = from or p
    elseif from then
      add_lower(w:sub(from, p - 1))
      from = nil
    end
  end
  if from then add_lower(w:sub(from)) end
end

return {
  ["p"] = function(p)
    paras = paras + 1
    local s = p:text()
    if s:find("\196\176") or s:gsub("\226\128[\128-\139\142-\191]", ""):find("[\204-\255]") then
      -- an "İ", or a code point from U+0300 on other than general punctuation
      -- (U+2000-U+203F; ZWNJ and ZWJ are marks): maybe marks, Greek, …
      for w in words(s) do split(w) end
    else
      -- Only code points below U+0300 (letters, digits, punctuation: no marks), so
      -- simple lowercasing is Python's, and a word is a token once its joiners
      -- (' - ’ ‐ ‑) are spaces.
      s = lower((s:gsub("['%-]", " "):gsub("\226\128[\144\145\153]", " ")))
      for w in words(s) do counts[w] = (counts[w] or 0) + 1 end
    end
  end,

  document = function(doc, ctx)
    local r = ctx.report
    r:count("paragraphs per document", paras)
    for w, n in pairs(counts) do r:count("words", w, n) end
    counts, paras = {}, 0
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
    local distinct = 0
    for _ in pairs(r:get("words") or {}) do distinct = distinct + 1 end
    out[#out + 1] = ("tokens\t%d\ndistinct\t%d\n"):format(r:total("words"), distinct)
    for i, e in ipairs(r:entries("words", 100)) do
      out[#out + 1] = ("top\t%d\t%s\t%d\n"):format(i, e.key, e.count)
    end
    io.write(table.concat(out))
  end,
}
