-- Unit tests of the dateline, credit and quote patterns of lode.news, printing TAP.
-- Run by tests/scripts/run.sh:  lode run tests/scripts/patterns.lua ANY-DOCUMENT
-- Strings are real variants: the seed article, ../shared/corpus/news-de (wikinews-quotes,
-- 10kgnad-test) and figcaptions of ../shared/corpus/html-news; the few synthetic ones are
-- marked "(synthetic)".
local news = require "lode.news"

local function run()
local n, failed = 0, 0
local function ok(cond, name)
  n = n + 1
  if not cond then failed = failed + 1 end
  print((cond and "ok " or "not ok ") .. n .. " - " .. name)
end
local function eq(got, want, name)
  local c = got == want
  ok(c, name .. (c and "" or (" (got " .. tostring(got) .. ", want " .. tostring(want) .. ")")))
end

local datelines = {
  -- text, place, agency
  { "WLADIWOSTOK - Russlands Präsident Wladimir Putin und", "WLADIWOSTOK", nil },
  { "Moskau (dpa) - Der Kreml hat", "Moskau", "dpa" },
  { "Berlin (dpa/lno) - Die Polizei", "Berlin", "dpa/lno" },                      -- (synthetic)
  { "Frankfurt/Main (dpa) – Die Börse", "Frankfurt/Main", "dpa" },                 -- (synthetic)
  { "LONDON, March 3 (Reuters) - The pound", "LONDON", "Reuters" },                -- (synthetic)
  { "Washington (AP) — The Senate", "Washington", "AP" },                          -- (synthetic)
  { "NEW YORK - Stocks fell", "NEW YORK", nil },                                   -- (synthetic)
  { "St. Petersburg (AFP) - Russland", "St. Petersburg", "AFP" },                  -- (synthetic)
}
for _, d in ipairs(datelines) do
  local r = news.dateline(d[1])
  eq(r and r.place, d[2], "dateline place: " .. d[1])
  eq(r and r.agency, d[3], "dateline agency: " .. d[1])
end
-- not datelines (10kgnad-test and wikinews openings with a dash)
for _, s in ipairs {
  "Vor einem Jahr - damals war", "Hertha BSC Berlin - Bayer Leverkusen 2:1",
  "Neue Kämpfe im Donbass - Kiew meldet", "Rund zehn Prozent. Hongkong – Die",
  "Zeugen hörten Hilferufe – Polizei", "Mitterlehner rüffelt Lopatka – Der",
  "Bei ihrer Begegnung äußerte Putin die Hoffnung, dass Russland",
} do
  eq(news.dateline(s), nil, "no dateline: " .. s)
end

local credits = {
  -- credit, creator, agency, distributor
  { "© Alexander Zemlianichenko/AP (dpa)", "Alexander Zemlianichenko", "AP", "dpa" },
  { "© Primorsky Regional Administration Press Service/AP (dpa)",
    "Primorsky Regional Administration Press Service", "AP", "dpa" },
  { "© Kyodo (dpa)", nil, "Kyodo", "dpa" },
  { "© Yonhap/YNA (dpa)", nil, "Yonhap/YNA", "dpa" },
  { "Foto: Christoph Soeder/dpa", "Christoph Soeder", "dpa", nil },
  { "Foto: Markus Scholz/dpa/Archivbild", "Markus Scholz", "dpa", nil },
  { "Foto: picture alliance/Fabian Sommer/dpa", "Fabian Sommer", "dpa", "picture alliance" },
  { "Foto: APA/AFP/Frederic J. Brown", "Frederic J. Brown", "AFP", "APA" },
  { "© AFP / MARCO BERTORELLO", "MARCO BERTORELLO", "AFP", nil },
  { "© Dieter Mayr (KNA)", "Dieter Mayr", nil, "KNA" },
  { "© Oli Scarff/Getty Images", "Oli Scarff", "Getty Images", nil },
  { "© Odd Andersen /AFP", "Odd Andersen", "AFP", nil },
  { "© Ivo Mayr / Correctiv", "Ivo Mayr", "Correctiv", nil },
  { "© Österreich Werbung / Ulli Cecerle-Uitz", "Ulli Cecerle-Uitz", "Österreich Werbung", nil },
  { "(Foto: dpa)", nil, "dpa", nil },
}
for _, c in ipairs(credits) do
  local r = news.parse_credit(c[1])
  eq(r.creator, c[2], "credit creator: " .. c[1])
  eq(r.agency, c[3], "credit agency: " .. c[1])
  eq(r.distributor, c[4], "credit distributor: " .. c[1])
end
-- captions: split, and paragraphs that are not captions
local cap, cr = news.caption("Kim Jong Un wird am Bahnhof Wladiwostok mit militärischen Ehren empfangen. © Kyodo (dpa)")
eq(cap, "Kim Jong Un wird am Bahnhof Wladiwostok mit militärischen Ehren empfangen.", "caption text split")
eq(cr and cr.agency, "Kyodo", "caption credit parsed")
cap, cr = news.caption("Der Toast-Test zeigt, in der Mitte ist die Hitze am größten Foto: CHIP")
eq(cr and cr.agency, "CHIP", "caption with Foto: credit")
for _, s in ipairs {
  "© 2019 Hearst Communications, Inc.", "© Copyright Gannett 2018",
  "© Zurek Design LLC — Read our fascinating terms of service.",
  "Russland hatte Kim bereits im Mai vergangenen Jahres eingeladen.",
  "Bild: Politiker packen nicht mit an? Dafür hätten die Protagonisten",
} do
  eq(news.caption(s), nil, "not a caption: " .. s)
end

-- quotes: text, quote number, expected inner text, expected speaker (false: none)
local quotes = {
  { [["Ich freue mich, sie hier zu sehen", sagte der Kremlchef, als sich beide Politiker]],
    1, "Ich freue mich, sie hier zu sehen", "der Kremlchef" },
  { [["Wir begrüßen Ihre Anstrengungen bei der Entwicklung", sagte Putin. Er wolle]],
    1, "Wir begrüßen Ihre Anstrengungen bei der Entwicklung", "Putin" },
  -- the seed: the subject follows the cue after a comma, not the sentence's first noun
  { [[Die Luftmanöver gefährdeten die Beziehungen, sagte ein nordkoreanischer Sprecher und kündigte "entsprechende Gegenmaßnahmen von unserer Armee" an.]],
    1, "entsprechende Gegenmaßnahmen von unserer Armee", "ein nordkoreanischer Sprecher" },
  -- wikinews-quotes (train split)
  { "Er hat. „Die Produktion soll in den nächsten Jahren nicht ausgebaut werden“, gab ein Sprecher des Unternehmens bekannt.",
    1, "Die Produktion soll in den nächsten Jahren nicht ausgebaut werden", "ein Sprecher des Unternehmens" },
  { "Sie sei „vollkommen geschockt“ über das Geschehen, sagte die britische Königin, ihre „Gedanken sind bei allen“.",
    1, "vollkommen geschockt", "die britische Königin" },
  { "Der Präsident sei, so Gamkrelids, Schuld daran. „Das war falsch“, so Gamkrelids.",
    1, "Das war falsch", "Gamkrelids" },
  { "Die Liste wird von „And Tango Makes Three“ der Autoren Justin Richardson angeführt.",
    1, "And Tango Makes Three", false },
  { "Anschließend wird der Kreml-Chef zum \"Seidenstraßen\"-Gipfel nach Peking weiterreisen",
    1, "Seidenstraßen", false },
  { "Merkel sagte: „Wir schaffen das.“", 1, "Wir schaffen das.", "Merkel" },         -- (synthetic)
  { "Dazu sagte der Minister: »Das ist gut.«", 1, "Das ist gut.", "der Minister" },  -- (synthetic)
  { "«Wir bleiben», sagte Müller.", 1, "Wir bleiben", "Müller" },                  -- (synthetic)
  { "\"I am happy,\" said John Smith. \"Really.\"", 2, "Really.", "John Smith" },  -- (synthetic)
  { "“We will win,” Smith said.", 1, "We will win,", "Smith" },                    -- (synthetic)
  { "Er nannte es ‚unfair‘ und ging.", 1, "unfair", false },                        -- (synthetic)
  { "Kim's train and Putin's car; 'a good day' he said", 1, "a good day", false },   -- (synthetic)
  { "„Ich bin enttäuscht“, hat Schröder gesagt.", 1, "Ich bin enttäuscht", "Schröder" }, -- (synthetic)
}
for _, q in ipairs(quotes) do
  local found = news.quotes(q[1])
  local f = found[q[2]]
  eq(f and f.text, q[3], "quote text: " .. q[1]:sub(1, 50))
  if q[4] == false then
    eq(f and f.speaker, nil, "no speaker: " .. q[3])
  else
    eq(f and f.speaker, q[4], "speaker: " .. q[3])
  end
end
-- apostrophes and unbalanced marks are not quotes
eq(#news.quotes("Kim's Zug und geht's weiter"), 0, "apostrophes are not quotes")
eq(#news.quotes("Er sagte \"nein und ging"), 0, "an unclosed mark is no quote")
eq(#news.quotes("Die Zahl 5\" und 6\" Zoll"), 0, "inch marks are no quotes")

print("1.." .. n)
if failed > 0 then error(failed .. " of " .. n .. " pattern tests failed", 0) end
end

return { begin = function(ctx) run() end }
