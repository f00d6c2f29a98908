-- readability -- a Lua plugin: readability figures of a text or a node.
--
--   local readability = require "readability"
--   local r = readability.measure(node_or_string, "de")
--   r.sentences, r.words, r.syllables, r.score, r.scale
--
-- Scores: Flesch Reading Ease for English (206.835 - 1.015 * words per
-- sentence - 84.6 * syllables per word) and Amstad's German adaptation
-- (180 - words per sentence - 58.5 * syllables per word); both are clamped
-- to 0..100, higher is easier.  Syllables are counted as groups of vowels
-- (with y, and the German umlauts), at least one per word; a silent final
-- English "e" is not counted.  Sentences end at ., ! or ? followed by a
-- space or the end (an abbreviation such as "Dr." counts as one); a text
-- without any counts as one sentence.
local text = require "lode.text"

local M = {}

local vowels = {
  en = "[aeiouy]+",
  de = "[aeiouyäöü]+",
}

-- Syllables of one word (lower case), by vowel groups.
local function syllables(word, lang)
  local pattern = vowels[lang] or vowels.en
  local n = 0
  for _ in word:gmatch(pattern) do n = n + 1 end
  if lang == "en" and n > 1 and word:match("[^aeiouy]e$") and not word:match("le$") then
    n = n - 1
  end
  return math.max(n, 1)
end

-- The figures of s (a string, or a node: its text) in lang ("de" or "en").
function M.measure(s, lang)
  lang = lang or "en"
  if vowels[lang] == nil then error("readability: unknown language '" .. tostring(lang) .. "' (de, en)", 2) end
  if type(s) ~= "string" then s = s:text() end
  local words, syl = 0, 0
  for w in text.words(s) do
    words = words + 1
    syl = syl + syllables(text.lower(w), lang)
  end
  local sentences = 0
  for _ in (s .. " "):gmatch("[%.!?]+[%s\"'»«”“)]") do sentences = sentences + 1 end
  if sentences == 0 and words > 0 then sentences = 1 end
  local r = { sentences = sentences, words = words, syllables = syl, lang = lang }
  if words == 0 then r.score = nil return r end
  local wps, spw = words / sentences, syl / words
  local score
  if lang == "de" then
    score = 180 - wps - 58.5 * spw
  else
    score = 206.835 - 1.015 * wps - 84.6 * spw
  end
  r.score = math.floor(math.min(100, math.max(0, score)) * 10 + 0.5) / 10
  r.scale = r.score >= 80 and "easy" or r.score >= 60 and "standard" or r.score >= 30 and "difficult" or "very difficult"
  return r
end

return M
