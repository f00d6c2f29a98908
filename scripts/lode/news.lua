-- lode.news: patterns and transformations for news articles.
--
--   local news = require "lode.news"
--   news.dateline("Moskau (dpa) - Der Kreml …")   --> { place = "Moskau", agency = "dpa", … }
--   news.caption("Kim in Chassan. © Yonhap/YNA (dpa)")
--   news.quotes('"Ich freue mich", sagte Putin.') --> { { text = "Ich freue mich", speaker = "Putin", … } }
--   news.structure(doc)                            -- rewrite a document into semantic HTML5
--
-- Everything here is pure Lua string work on normalised paragraph text (UTF-8), so the
-- functions can be unit-tested without documents; `structure` is the only one that edits a
-- tree. The module keeps no state between documents. See docs/news.md.
local M = {}

M.version = "1"

-------------------------------------------------------------------------------
-- small helpers
-------------------------------------------------------------------------------

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

local function set(words)
  local t = {}
  for w in words:gmatch("%S+") do t[w] = true end
  return t
end

-- ASCII-only upper/lower tests extended by the German capitals Ä Ö Ü (and ß, which has no
-- capital in practice). Enough for datelines, which are written in ASCII capitals plus these.
local UPPER_UTF8 = { ["\195\132"] = true, ["\195\150"] = true, ["\195\156"] = true,
                     ["\195\137"] = true, ["\195\136"] = true, ["\195\135"] = true }
local LOWER_UTF8 = { ["\195\164"] = true, ["\195\182"] = true, ["\195\188"] = true,
                     ["\195\159"] = true, ["\195\169"] = true, ["\195\168"] = true,
                     ["\195\167"] = true, ["\195\161"] = true, ["\195\179"] = true }

-- Is the first character of word w an upper-case letter?
local function is_cap(w)
  local b = w:byte(1)
  if not b then return false end
  if b >= 65 and b <= 90 then return true end
  if b >= 0xC3 then return UPPER_UTF8[w:sub(1, 2)] == true end
  return false
end

-- Is the first character of word w a lower-case letter?
local function is_low(w)
  local b = w:byte(1)
  if not b then return false end
  if b >= 97 and b <= 122 then return true end
  if b >= 0xC3 then return LOWER_UTF8[w:sub(1, 2)] == true end
  return false
end

-- Does s hold no lower-case letter (and at least two letters)?
local function all_caps(s)
  if s:find("%l") then return false end
  for c in s:gmatch("[\195][\128-\191]") do
    if LOWER_UTF8[c] then return false end
  end
  local _, n = s:gsub("[%u\195]", "")
  return n >= 2
end

-------------------------------------------------------------------------------
-- datelines: "WLADIWOSTOK - …", "Moskau (dpa) - …", "Berlin/Wien (APA) – …",
-- "LONDON, March 3 (Reuters) - …", "Washington (AP) — …"
-------------------------------------------------------------------------------

local DASHES = { " - ", " \u{2013} ", " \u{2014} ", " -- " }

-- words that start a sentence, not a place ("Vor einem Jahr - …")
local NOT_PLACE = set [[
  Der Die Das Ein Eine Vor Nach Im In Am An Auf Bei Mit Und Aber Doch Wie Was Wer Wenn
  The A An In On At After Before But And
]]

local function agency_ok(a)
  if #a > 40 or #a == 0 then return false end
  if a:find("[%.;:!?]%s") then return false end
  -- "dpa", "dpa/lno", "AP", "APA, red", "Reuters", "AFP/dpa", "APA/sid/red"
  for part in a:gmatch("[^/,;]+") do
    part = trim(part)
    if part ~= "" and not part:find("^%d") then
      local _, words = part:gsub("%S+", "")
      if words > 3 then return false end
    end
  end
  return true
end

local function place_ok(p, with_agency)
  if #p == 0 or #p > 60 then return false end
  if p:find("[%.!?:;\"]") and not p:find("^%u%a*%.%s") and not p:find("St%.") then return false end
  local first = p:match("^%S+")
  if not is_cap(first) then return false end
  if all_caps(p:gsub("[/%s%-%.']", "")) then return true end
  if not with_agency then return false end
  if NOT_PLACE[first] then return false end
  -- mixed case: every word capitalised (or a particle like "am", "an der", "bei")
  local n = 0
  for w in p:gmatch("[^%s/%-]+") do
    n = n + 1
    if n > 5 then return false end
    if not is_cap(w) and not (w == "am" or w == "an" or w == "der" or w == "bei" or
      w == "im" or w == "de" or w == "la" or w == "upon" or w == "on" or w == "del") then
      return false
    end
  end
  return true
end

--- Parses a dateline at the start of paragraph text `s`.
-- Returns nil or a table { place, agency (or nil), date (or nil), text (the dateline as
-- written, dash included), rest (the paragraph after it), len (bytes of `text`) }.
function M.dateline(s)
  local best_i, best_j
  for _, d in ipairs(DASHES) do
    local i = s:find(d, 1, true)
    if i and i <= 90 and (not best_i or i < best_i) then best_i, best_j = i, i + #d - 1 end
  end
  if not best_i then return nil end
  local head = s:sub(1, best_i - 1)
  local place, agency = head:match("^(.-)%s*%(([^()]+)%)$")
  local date
  if agency then
    if not agency_ok(agency) then return nil end
    -- "(APA, 18.3.2016)": keep the agency names only
    agency = trim((agency:gsub("[,;]?%s*%d+%.?%s*%d*%.?%s*%d*$", "")))
  else
    place = head
  end
  -- "LONDON, March 3", "Berlin, 12.03.2005", "Wien, am Montag"
  local p2, d2 = place:match("^([^,]+),%s*(.+)$")
  if p2 and (d2:find("%d") or d2:find("^am ") or d2:find("^[A-Z][a-z]+ %d")) then
    place, date = p2, d2
  end
  place = trim(place)
  if not place_ok(place, agency ~= nil) then return nil end
  return { place = place, agency = agency ~= "" and agency or nil, date = date,
           text = s:sub(1, best_j), rest = s:sub(best_j + 1), len = best_j }
end

-------------------------------------------------------------------------------
-- photo credits: "© Alexander Zemlianichenko/AP (dpa)", "© Kyodo (dpa)",
-- "Foto: Christoph Soeder/dpa", "Foto: APA/AFP/Frederic J. Brown", "© AFP / MARCO BERTORELLO"
-------------------------------------------------------------------------------

-- Photo agencies and distributors (compared case-insensitively on ASCII).
local AGENCIES = {}
for _, a in ipairs {
  "dpa", "AP", "AFP", "Reuters", "APA", "EPA", "epa", "Kyodo", "Yonhap", "YNA", "Xinhua",
  "KNA", "epd", "sid", "SID", "ddp", "dapd", "DAPD", "Keystone", "AAP", "ANP", "Belga",
  "TASS", "Tass", "Sputnik", "RIA Novosti", "Ria Novosti", "ANSA", "EFE", "PAP", "CTK", "MTI",
  "Kyodo News", "KCNA", "Imago", "imago", "imago images", "Getty Images", "Getty", "picture alliance",
  "picture-alliance", "Picture Alliance", "dpa-Zentralbild", "Zentralbild", "dpa-Bildfunk",
  "Bildfunk", "AP Photo", "NurPhoto", "Anadolu", "ZUMA", "Zuma Press", "Shutterstock",
  "iStock", "istock", "Sipa", "SIPA", "Pool", "POOL", "Abaca", "ABACA", "Agencia Estado",
  "Yonhap News", "Gettyimages", "Photothek", "photothek", "Eibner", "Sven Simon", "SVEN SIMON",
  "Xinhua News Agency", "Pixsell", "Bloomberg", "WireImage", "Action Press", "action press",
  "DPA", "Dpa", "afp", "reuters", "ap", "apa",
} do AGENCIES[a:lower()] = true end

local function is_agency(part)
  if AGENCIES[part:lower()] then return true end
  -- short all-capital codes: "YNA", "KCNA", "AA", "EPA-EFE"
  if #part <= 8 and part:find("^%u[%u%-]+$") then return true end
  -- "dpa-Zentralbild", "dpa-tmn", "AFP/Pool"
  local head = part:match("^(%a+)[%- ]")
  if head and AGENCIES[head:lower()] and not part:find("^%a+ %u%l+ %u%l+") then return true end
  return false
end

-- Qualifiers that follow a credit and name neither a person nor an agency.
local QUALIFIER = set [[ Archivbild Archiv Symbolbild Archivfoto Handout handout
  Illustration Grafik Montage Screenshot Collage Symbolfoto ]]

local ORG_WORDS = { "GmbH", "AG", "Werbung", "Tourismus", "Magazin", "Verlag", "Service",
  "Agentur", "Museum", "Archiv", "Press", "News", "Zeitung", "Ministerium", "Amt", "Inc",
  "Ltd", "LLC", "Stiftung", "Verband", "Universität", "University", "Images", "Photos" }
local function org_hint(part)
  for _, w in ipairs(ORG_WORDS) do
    if part:find(w, 1, true) then return true end
  end
  return false
end

--- Parses a credit string (with or without its "©"/"Foto:" prefix).
-- Returns { text, creator, agency, distributor } (fields nil when absent).
function M.parse_credit(credit)
  local c = trim(credit)
  if c:find("^%(.*%)$") then c = trim(c:sub(2, -2)) end   -- "(Foto: dpa)"
  c = c:gsub("^©%s*", ""):gsub("^[Ff]otos?%s*:%s*", ""):gsub("^[Bb]ild%s*:%s*", "")
       :gsub("^[Pp]hotos?%s*:%s*", ""):gsub("^[Cc]redit%s*:%s*", ""):gsub("^©%s*", "")
  c = trim((c:gsub("%.+$", "")))
  -- a closing bracket without its opening one ("(Foto: dpa)" cut at "Foto:")
  local _, opens = c:gsub("%(", "")
  local _, closes = c:gsub("%)", "")
  if closes > opens then c = trim((c:gsub("%)$", ""))) end
  local r = { text = trim(credit) }
  -- "(dpa)" at the end: the distributor
  local body, dist = c:match("^(.-)%s*%(([^()]+)%)$")
  if body then c = body; r.distributor = trim(dist) end
  local parts = {}
  for part in c:gmatch("[^/|,]+") do
    part = trim(part)
    if part ~= "" and not QUALIFIER[part] and part ~= "-" and part ~= "\u{2013}" then
      parts[#parts + 1] = part
    end
  end
  local agencies, people = {}, {}
  for _, part in ipairs(parts) do
    if is_agency(part) then agencies[#agencies + 1] = part else people[#people + 1] = part end
  end
  if #agencies == 0 and #people >= 2 then
    -- "Ivo Mayr / Correctiv": photographer, then agency (the dpa convention), unless the
    -- first part looks like an organisation ("Österreich Werbung / Ulli Cecerle-Uitz")
    local k = #people
    for i, part in ipairs(people) do
      if org_hint(part) then k = i; break end
    end
    agencies[1] = table.remove(people, k)
  end
  if #people > 0 then r.creator = table.concat(people, ", ") end
  if #agencies == 1 then
    r.agency = agencies[1]
  elseif #agencies > 1 then
    if r.distributor then
      r.agency = table.concat(agencies, "/")
    else
      -- "APA/AFP", "picture alliance/dpa": the first distributes the last's photo
      r.distributor = table.remove(agencies, 1)
      r.agency = table.concat(agencies, "/")
    end
  end
  if r.agency and r.distributor and r.agency == r.distributor then r.distributor = nil end
  return r
end

-- Credits that are copyright notices, not photo credits.
local function notice(c)
  local _, words = c:gsub("%S+", "")
  return words > 12 or c:find("%)%w") or c:find("[{}=!?;]") or c:find(" \u{2014} ") or c:find("[Tt]erms")
      or c:find("%d%d%d%d") or c:find("[Cc]opyright") or c:find("[Rr]ights [Rr]eserved")
      or c:find("[Aa]lle Rechte") or #c > 100
end

--- Splits paragraph text `s` into caption and credit when `s` ends with a photo credit.
-- Returns caption (string, possibly ""), credit (a table as parse_credit gives, with
-- `start`, the byte where the credit starts in `s`) — or nil.
function M.caption(s)
  s = trim(s)
  local i = s:find("©[^©]*$")
  if not i then
    -- "… Foto: Christoph Soeder/dpa", "(Foto: dpa)"
    -- (find the last "Foto:" with a linear scan: ".*" before a pattern backtracks quadratically)
    for _, pat in ipairs { { "()[Ff]otos?:", "^[Ff]otos?:%s*[^:]+$" },
                           { "()[Bb]ild:", "^[Bb]ild:%s*[^:]+/[^:]+$" },
                           { "()[Pp]hotos?:", "^[Pp]hotos?:%s*[^:]+$" } } do
      local k
      for pos in s:gmatch(pat[1]) do k = pos end
      if k and #s - k > 200 then k = nil end
      if k and not s:find(pat[2], k) then k = nil end
      if k then
        local rest = s:sub(k)
        if rest:find("/") or is_agency(trim((rest:gsub("^%a+:%s*", ""):gsub("[%)%.]+$", "")))) then
          i = k
          break
        end
      end
    end
  end
  if not i then return nil end
  local credit = s:sub(i)
  -- "(Foto: dpa)": take the opening bracket along
  local before = s:sub(1, i - 1)
  if before:find("%($") and credit:find("%)$") then
    before = before:sub(1, -2); i = i - 1; credit = s:sub(i)
  end
  if notice(credit) then return nil end
  if #credit < 3 then return nil end
  local r = M.parse_credit(credit)
  if not (r.creator or r.agency or r.distributor) then return nil end
  r.start = i
  return trim(before), r
end

-------------------------------------------------------------------------------
-- quotes
-------------------------------------------------------------------------------

local LQ, RQ = "\u{201E}", "\u{201C}"          -- „ “
local RQ2 = "\u{201D}"                        -- ”
local LSQ, RSQ, RSQ2 = "\u{201A}", "\u{2018}", "\u{2019}"  -- ‚ ‘ ’
local RAQ, LAQ = "\u{00BB}", "\u{00AB}"       -- » «
local RSAQ, LSAQ = "\u{203A}", "\u{2039}"     -- › ‹

-- Verbs (and "so", "laut") that attribute speech. Lower case; compared as words.
M.CUES = set [[
  sagte sagt sagten sagen gesagt sagte: sagt:
  erklärte erklärt erklärten erklärt betonte betont betonten meinte meint meinten
  ergänzte ergänzt fügte fügt schrieb schreibt schrieben warnte warnt kritisierte kritisiert
  forderte fordert räumte räumt unterstrich unterstreicht berichtete berichtet verkündete
  versicherte versichert bekräftigte bekräftigt bestätigte bestätigt antwortete antwortet
  fragte fragt rief ruft twitterte twittert kommentierte kommentiert erläuterte erläutert
  mahnte mahnt appellierte beklagte beklagt kündigte sprach spricht hieß heißt teilte teilt
  zitierte zitiert zitiert bemerkte bemerkt urteilte urteilt stellte stellt gab gibt
  resümierte bilanzierte verriet verrät gestand gesteht lobte lobt klagte klagt jubelte
  begründete begründet argumentierte argumentiert verwies verweist behauptete behauptet
  sagte, so laut äußerte äußert erwiderte entgegnete widersprach drohte droht
  said says say told tells added adds wrote writes stated states explained explains
  asked asks warned warns insisted insists noted notes argued argues declared declares
  replied replies announced announces tweeted continued continues according
]]

local PRONOUNS = set [[ er sie es man wir ich ihr he she they we i it er, sie, ]]

-- Words that may be part of a speaker's noun phrase while written in lower case.
local NP_LOWER = set [[
  der die das des dem den ein eine einer eines einem einen sein seine seiner seines ihr ihre
  ihrer ihres dessen deren von van von der zu the a an of de la le du da dos al bin el
]]

-- Words that end a speaker's noun phrase.
local NP_STOP = set [[
  am im in bei auf gegenüber zu zum zur vor nach mit als dass daß und oder aber während
  wo weil wenn ob denn doch noch auch bereits schon damals heute gestern jetzt nun dann
  on at in to for with after before and but when while as that who which told
  hinzu fest an zufolge
]]

local function words_of(s)
  local t = {}
  for w in s:gmatch("%S+") do t[#t + 1] = w end
  return t
end

local function strip_punct(w)
  return (w:gsub("[,;:%.!?%)]+$", ""))
end

-- The noun phrase at the start of word list `ws` from index k: "der Kremlchef",
-- "Russlands Präsident Wladimir Putin", "der Sprecher des Komitees". Returns the phrase, or nil.
local function np_forward(ws, k)
  local out = {}
  local w = ws[k]
  if not w then return nil end
  local bare = strip_punct(w)
  if PRONOUNS[bare:lower()] and is_low(bare) then return bare end
  while ws[k] and #out < 10 do
    w = ws[k]
    bare = strip_punct(w)
    local lw = bare:lower()
    if bare == "" then break end
    if NP_STOP[bare] then break end
    local ok = is_cap(bare) or NP_LOWER[lw] and is_low(bare)
      or (is_low(bare) and #out > 0 and (bare:find("e$") or bare:find("en$") or bare:find("er$")
          or bare:find("es$")) and ws[k + 1] and is_cap(ws[k + 1]))
      or (is_low(bare) and #out == 0 and (bare:find("e$") or bare:find("en$") or bare:find("er$"))
          and ws[k + 1] and is_cap(ws[k + 1]) and false)
    if not ok then break end
    out[#out + 1] = bare
    if bare ~= w then break end        -- punctuation ends the phrase
    k = k + 1
  end
  -- a phrase must end in a capitalised word (drop trailing articles)
  while #out > 0 and not is_cap(out[#out]) do out[#out] = nil end
  if #out == 0 then return nil end
  if #out == 1 and NOT_PLACE[out[1]] then return nil end
  return table.concat(out, " ")
end

-- The noun phrase that ends at index k of `ws` (walking back): "Putin" in "Putin sagte".
local function np_backward(ws, k)
  local out = {}
  while k >= 1 and #out < 8 do
    local w = ws[k]
    if w:find("[,;:%.!?]$") then break end
    if is_cap(w) or (NP_LOWER[w] and #out > 0) then
      table.insert(out, 1, w)
    elseif #out == 0 and PRONOUNS[w:lower()] then
      return w
    else
      break
    end
    k = k - 1
  end
  if #out == 0 then return nil end
  -- "die staatliche Nachrichtenagentur KCNA": adjectives and a determiner before the noun
  local k0 = k
  while k >= 1 and k0 - k < 3 do
    local w = ws[k]
    if NP_LOWER[w] then table.insert(out, 1, w); break end
    if not (is_low(w) and (w:find("e$") or w:find("en$") or w:find("er$") or w:find("es$"))) then
      break
    end
    k = k - 1
  end
  if not NP_LOWER[out[1]] then
    while not is_cap(out[1]) do table.remove(out, 1) end
  end
  return table.concat(out, " ")
end

-- Capitalised words that start a sentence without being its subject ("Dazu sagte Putin").
local ADVERBS = set [[ Dazu Außerdem Zudem Gestern Heute Später Damals Anschließend Daraufhin
  Dabei Darin Dort Hier Nun Jetzt Auch Zuvor Bereits Weiter Ferner Allerdings Jedoch
  Gleichzeitig Zugleich Schließlich Trotzdem Deshalb Daher Dann Danach Darüber Demnach Doch
  Also Erst Zuletzt Dies Das Dem Damit Darauf Ebenfalls Nach Vor Bei Am Im In Laut So Wie
  Später Morgen Abends Noch Zuletzt Kürzlich Inzwischen Mittlerweile Wörtlich Weiterhin
  Then Later Earlier Also However Yesterday Today Warum Weshalb Wieso Wann Wo Woher Wohin
  Januar Februar März April Mai Juni Juli August September Oktober November Dezember
  Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag ]]

-- Capitalised prepositions: a sentence that starts with one has its subject after the verb.
local PREPS = set [[ Zur Zum Vom Beim Bei Nach Vor Mit Aus Auf Unter Über Gegenüber Während
  Seit Trotz Wegen Laut Gemäß Für Ohne Um Durch In Im Am An Als Anlässlich Angesichts Neben
  Hinsichtlich Bezüglich Innerhalb Außerhalb Zwischen Hinter Ab Bis Dank Zu Von Infolge
  At In On After Before During For With From To By ]]

-- The subject of the cue verb at index k of `ws`, the words of a clause that starts a
-- sentence: before the verb ("Putin sagte", "Der Seismologe Claus Fleischer von der
-- Erdbebenwarte sagte", "Ein Sprecher, für den …, erklärte") or after it ("Dazu sagte Putin",
-- "Zur Begründung erklärte die Richterin"). A pronoun subject gives nil (it names no one).
local function subject_around(ws, k)
  local first = ws[1] and strip_punct(ws[1])
  -- "…, sagte ein Sprecher und …": a cue right after a comma may start an inserted clause
  -- whose subject follows the verb, whatever the sentence began with ("Die Manöver
  -- gefährdeten …, sagte ein Sprecher"); when no phrase follows the verb ("Ein Sprecher, für
  -- den …, erklärte:"), the subject is before it, as usual
  if k > 1 and ws[k - 1]:find(",$") and ws[k + 1] then
    local fwd = np_forward(ws, k + 1)
    if fwd and not PRONOUNS[fwd:lower()] and (is_cap(fwd) or NP_LOWER[fwd:match("^%S+")]) then return fwd end
  end
  local inverted = k == 1 or ADVERBS[first] or PREPS[first] or is_low(first) and not NP_LOWER[first]
  if not inverted and k > 1 then
    if k == 2 and PRONOUNS[first:lower()] then return nil end
    -- the words before the verb, from the sentence start, up to a comma
    local out = {}
    for i = 1, k - 1 do
      local w = ws[i]
      local bare = strip_punct(w)
      if is_low(bare) and not NP_LOWER[bare] and not ((bare:find("e$") or bare:find("en$")
          or bare:find("er$") or bare:find("es$")) and ws[i + 1] and is_cap(ws[i + 1])) then
        break
      end
      if bare ~= "" then out[#out + 1] = bare end
      if bare ~= w or #out >= 10 then break end
    end
    while #out > 0 and not is_cap(out[#out]) do out[#out] = nil end
    while #out > 1 and NP_LOWER[out[1]] and NP_LOWER[out[2]] do table.remove(out, 1) end
    if #out > 0 and (is_cap(out[1]) or NP_LOWER[out[1]]) and not ADVERBS[out[1]] then
      local np = table.concat(out, " ")
      if PRONOUNS[np:lower()] then return nil end
      return np
    end
  end
  local fwd = ws[k + 1] and np_forward(ws, k + 1)
  if fwd and PRONOUNS[fwd:lower()] then return nil end
  if fwd and (is_cap(fwd) or NP_LOWER[fwd:match("^%S+")]) then return fwd end
  return nil
end

-- Finds the cue word in `ws` (from index a to b); returns its index.
local function find_cue(ws, a, b)
  for k = a, math.min(b, #ws) do
    local w = strip_punct(ws[k]):lower()
    if M.CUES[w] then return k end
  end
end

-- Attribution from the text right after a quote: ', sagte Putin.', ', so der Sprecher',
-- '," said John Smith', '," Smith said', ', hat Putin gesagt'.
local function after_speaker(after, inner)
  local comma = after:find("^%s*,") or (inner and inner:find(",%s*$"))
  local clause = after:match("^[%s,]*([^%.;!?\"\u{201E}\u{201C}\u{00BB}\u{00AB}]*)") or ""
  if not after:find("^%s*,") and not after:find("^%s*[%a\195]") then
    -- '"…." Putin sagte' is rare; we accept only a comma or a following word
    return nil
  end
  local ws = words_of(clause)
  if #ws == 0 then return nil end
  local first = strip_punct(ws[1]):lower()
  if M.CUES[first] then
    if first == "according" and ws[2] == "to" then return np_forward(ws, 3), "according to" end
    if first == "laut" then return np_forward(ws, 2), "laut" end
    local sp = np_forward(ws, 2)
    if sp then return sp, strip_punct(ws[1]) end
    return nil
  end
  -- ", hat Putin gesagt", ", hatte der Minister erklärt"
  if first == "hat" or first == "hatte" or first == "heißt" or first == "hieß" then
    local k = find_cue(ws, 3, 8)
    if k then return np_forward(ws, 2), strip_punct(ws[k]) end
    return nil
  end
  -- English / verb-final: '," Smith said', '," the spokesman told reporters' (after a comma:
  -- '„….“ Damit meinte Raabe …' is a new sentence)
  local k = comma and find_cue(ws, 2, 7)
  if k and not ADVERBS[ws[1]] and not PREPS[ws[1]] then
    local sp = np_backward(ws, k - 1)
    if sp and (sp:find("^%u") or PRONOUNS[sp:lower()]) then return sp, strip_punct(ws[k]) end
  end
  return nil
end

-- Attribution from the clause before a quote ending in ':' or ',': 'Putin sagte: "…"',
-- 'Dazu sagte der Minister: „…“', 'He told reporters: "…"'.
local function before_speaker(before)
  if #before > 300 then before = before:sub(-300) end
  local b = before:gsub("%s+$", "")
  if not (b:find(":$") or b:find(",$")) then return nil end
  local clause = b:match("([^%.;!?\"\u{201C}\u{201D}\u{00AB}\u{00BB}]*)$") or b
  local ws = words_of(clause)
  local n = #ws
  if n == 0 then return nil end
  local k = find_cue(ws, math.max(1, n - 12), n)
  if not k then
    -- 'Steinbrück: „…“', 'FDP-Chef Guido Westerwelle: „…“': a bare name before the colon
    if b:find(":$") and n <= 4 then
      for _, w in ipairs(ws) do
        local bare = w:gsub(":$", "")
        if not is_cap(bare) or ADVERBS[bare] or PREPS[bare] or NP_LOWER[bare:lower()] then return nil end
      end
      local np = (table.concat(ws, " "):gsub(":$", ""))
      if NOT_PLACE[np] or ADVERBS[np] then return nil end
      return np, ":"
    end
    return nil
  end
  if strip_punct(ws[k]):lower() == "laut" then return np_forward(ws, k + 1), "laut" end
  local sp = subject_around(ws, k)
  if sp then return sp, strip_punct(ws[k]) end
  return nil
end

-- Small words inside titles ("And Tango Makes Three", "Public Library of Science").
local TITLE_SMALL = set [[ of the and to a an in on for at by de la le der die das und von
  für im am zu des & - ]]

-- Opening marks and the closing marks each can pair with.
local PAIRS_DE = {
  { LQ, { RQ, RQ2 } }, { RAQ, { LAQ } }, { LAQ, { RAQ } }, { LSQ, { RSQ, RSQ2 } },
  { RSAQ, { LSAQ } }, { LSAQ, { RSAQ } }, { '"', { '"' } }, { "'", { "'" } },
}
local PAIRS_EN = {
  { "\u{201C}", { RQ2 } }, { RAQ, { LAQ } }, { LAQ, { RAQ } }, { RSQ, { RSQ2 } },
  { RSAQ, { LSAQ } }, { LSAQ, { RSAQ } }, { '"', { '"' } }, { "'", { "'" } },
}

local function letter_at(s, i)
  local b = s:byte(i)
  if not b then return false end
  return (b >= 65 and b <= 90) or (b >= 97 and b <= 122) or (b >= 48 and b <= 57) or b >= 0xC3
end

-- May the mark at i (length len) open a quote?
local function can_open(s, i, len, mark)
  local nb = s:byte(i + len)
  if not nb or nb == 32 then return false end
  if mark == '"' or mark == "'" or mark == RSQ then
    local pb = s:sub(i - 1, i - 1)
    if i > 1 and not pb:find("[%s%(%[%-/:]") then
      -- after a dash or guillemet-like byte of a multi-byte punctuation is fine
      local prev3 = s:sub(math.max(1, i - 3), i - 1)
      if not (prev3 == "\u{2013}" or prev3 == "\u{2014}") then return false end
    end
    if mark == "'" and not letter_at(s, i + 1) then return false end
  end
  return true
end

-- May the mark at i close a quote?
local function can_close(s, i, len, mark)
  if i > 1 and s:byte(i - 1) == 32 then return false end
  if mark == "'" or mark == RSQ2 then
    -- an apostrophe inside a word ("Kim's", "geht's") is not a closing mark
    if letter_at(s, i + len) then return false end
  end
  return true
end

local MAXLEN = { ["'"] = 400, [RSQ] = 600, [LSQ] = 600, [RSAQ] = 600, [LSAQ] = 600 }

--- Finds the quoted passages of paragraph text `s`.
-- Returns a list of { open, close (byte positions of the marks), i, j (the inner text is
-- s:sub(i, j)), text, mark (the opening mark), speaker, cue, kind } in text order.
-- kind is "speech" (attributed, or a sentence-like quote of four words or more) or "term"
-- (a short unattributed quote: a title, a word used with reservation).
function M.quotes(s)
  local pairs_ = s:find(LQ, 1, true) and PAIRS_DE or (s:find("\u{201C}", 1, true) and PAIRS_EN or PAIRS_DE)
  local out = {}
  local pos = 1
  local n = #s
  while pos <= n do
    -- the next opening mark
    local bi, bm, bc
    for _, p in ipairs(pairs_) do
      local mark = p[1]
      local from = pos
      while true do
        local i = s:find(mark, from, true)
        if not i or (bi and i >= bi) then break end
        if can_open(s, i, #mark, mark) then bi, bm, bc = i, mark, p[2]; break end
        from = i + 1
      end
    end
    if not bi then break end
    -- its closing mark
    local start = bi + #bm
    local ci, cm
    local limit = bi + (MAXLEN[bm] or 3000)
    for _, cmark in ipairs(bc) do
      local from = start
      while true do
        local i = s:find(cmark, from, true)
        if not i or i > limit or (ci and i >= ci) then break end
        if can_close(s, i, #cmark, cmark) then ci, cm = i, cmark; break end
        from = i + 1
      end
    end
    if ci and ci > start then
      local inner = s:sub(start, ci - 1)
      out[#out + 1] = { open = bi, close = ci, i = start, j = ci - 1, text = inner,
                        mark = bm, close_mark = cm }
      pos = ci + #cm
    else
      pos = bi + #bm
    end
  end
  -- attribution
  local prev
  for idx, q in ipairs(out) do
    local after_start = q.close + #q.close_mark
    local nxt = out[idx + 1]
    local after = s:sub(after_start, nxt and nxt.open - 1 or after_start + 200)
    local sp, cue = after_speaker(after, q.text)
    if not sp then
      local from = prev and (prev.close + #prev.close_mark) or math.max(1, q.open - 200)
      sp, cue = before_speaker(s:sub(from, q.open - 1))
    end
    if not sp and prev and prev.speaker then
      -- '"A", sagte Putin. "B"': a quote that continues the previous speaker
      local between = s:sub(prev.close + #prev.close_mark, q.open - 1)
      if #between < 120 and between:find("[%.:]%s*$") then
        sp, cue = prev.speaker, "continued"
      end
    end
    if not sp then
      -- 'Sie sei „geschockt“ über das Geschehen, sagte die Königin.' / '…, so Müller, …'
      local rest = after:match("^(.-[%.!?])%s") or after
      local k = 1
      while true do
        local a, b = rest:find(",%s*", k)
        if not a then break end
        local ws = words_of(rest:sub(b + 1, b + 120))
        local w1 = ws[1] and strip_punct(ws[1]):lower()
        if w1 and M.CUES[w1] and w1 ~= "according" then
          local np = np_forward(ws, 2)
          if np and not PRONOUNS[np:lower()] then sp, cue = np, strip_punct(ws[1]); break end
        end
        k = b + 1
      end
    end
    if not sp then
      -- 'Putin sagte, er sei „bereit“.': a cue earlier in the same sentence
      local from = prev and (prev.close + #prev.close_mark) or math.max(1, q.open - 200)
      if q.open - from > 400 then from = q.open - 400 end
      local before = s:sub(from, q.open - 1)
      local sentence = before:match("[%.!?]%s+([^%.!?]*)$") or (from == 1 and before) or nil
      if sentence then
        local ws = words_of(sentence)
        local k = find_cue(ws, 1, #ws)
        if k then
          local w = strip_punct(ws[k]):lower()
          if w ~= "so" and w ~= "laut" then
            local np = subject_around(ws, k)
            if np then sp, cue = np, strip_punct(ws[k]) end
          end
        end
      end
    end
    if sp and PRONOUNS[sp:lower()] then
      -- "sagte er": speech, but the pronoun names no one (no coreference here)
      q.pronoun, sp = sp, nil
    end
    q.speaker, q.cue = sp, cue
    local _, nw = q.text:gsub("%S+", "")
    local title = nw >= 2 and nw <= 10 and not q.text:find("[%.,;:!?]")
    if title then
      for w in q.text:gmatch("%S+") do
        if not (is_cap(w) or w:find("^%d") or TITLE_SMALL[w]) then title = false; break end
      end
    end
    if title and not (q.cue and q.cue ~= "continued") then
      q.kind = "term"
    elseif sp or q.pronoun or (nw >= 4 and q.text:find("^%s*[%u\195\"]")) or nw >= 6 then
      q.kind = "speech"
    else
      q.kind = "term"
    end
    prev = q
  end
  return out
end

-------------------------------------------------------------------------------
-- the document transformation
-------------------------------------------------------------------------------

local DATE_META = { "date", "article:published_time", "DC.date.issued", "dc.date", "pubdate",
                    "publishdate", "datePublished", "og:published_time", "DC.date" }

function M.date_of(doc)
  for _, name in ipairs(DATE_META) do
    local v = doc:meta(name)
    if type(v) == "string" and v:find("^%d%d%d%d") then return v end
  end
end

-- Wraps the quotes of a paragraph made only of text: its children become text and <q>
-- elements. Returns the quotes found.
local function mark_quotes(p, s, quotes)
  if #quotes == 0 then return quotes end
  local parts = {}
  local pos = 1
  for _, q in ipairs(quotes) do
    parts[#parts + 1] = s:sub(pos, q.i - 1)
    local attrs = { class = q.kind == "term" and "term" or nil, ["data-speaker"] = q.speaker,
                    ["data-cue"] = q.cue }
    parts[#parts + 1] = p:element("q", attrs, q.text)
    pos = q.j + 1
  end
  parts[#parts + 1] = s:sub(pos)
  p:set_text("")
  for _, x in ipairs(parts) do
    if type(x) ~= "string" or x ~= "" then p:append(x) end
  end
  return quotes
end

-- Is this element made only of text children (no inline elements)?
local function text_only(el)
  for _, c in ipairs(el:children()) do
    local t = c:type()
    if t ~= "text" and t ~= "cdata" then return false end
  end
  return true
end

local function credit_element(node, caption, credit, credit_text)
  return node:element("small", { class = "credit", ["data-creator"] = credit.creator,
                                 ["data-agency"] = credit.agency,
                                 ["data-distributor"] = credit.distributor }, credit_text)
end

--- Rewrites the document (text reader or news HTML) into semantic HTML5:
-- article > header > h1 + time, p.dateline, figure > figcaption > small.credit, q.
-- `opts.on_quote(q, p)`, `opts.on_caption(caption, credit, figure)`,
-- `opts.on_dateline(d, p)` are called for what is found (for records and reports).
-- Returns a summary { dateline = d or nil, figures = n, quotes = n }.
function M.structure(doc, opts)
  opts = opts or {}
  local summary = { figures = 0, quotes = 0 }
  local body = doc:first("body")
  if not body then return summary end
  local article = doc:first("article")
  if not article then
    article = doc:element("article")
    for _, c in ipairs(body:children()) do article:append(c) end
    body:append(article)
  end
  -- header: h1 + time
  local h1 = article:first("h1")
  if h1 and not h1:closest("header") then
    local header = doc:element("header")
    h1:before(header)
    header:append(h1)
    local date = M.date_of(doc)
    if date then header:append(doc:element("time", { datetime = date }, date)) end
  elseif h1 then
    local header = h1:closest("header")
    local date = M.date_of(doc)
    if date and not header:first("time") then
      header:append(doc:element("time", { datetime = date }, date))
    end
  end
  -- existing figcaptions (news HTML)
  for _, fc in ipairs(article:select("figcaption")) do
    if not fc:first("small.credit") and text_only(fc) then
      local s = fc:text("normalize")
      local caption, credit = M.caption(s)
      if credit then
        fc:set_text(caption)
        if caption ~= "" then fc:append(" ") end
        fc:append(credit_element(fc, caption, credit, s:sub(credit.start)))
        summary.figures = summary.figures + 1
        if opts.on_caption then opts.on_caption(caption, credit, fc:parent()) end
      end
    end
  end
  local first = true
  for _, p in ipairs(article:select("p")) do
    if not p:closest("figure, figcaption, header, footer, nav, aside, blockquote, li, table") then
      local only_text = text_only(p)
      local s = p:text("normalize")
      local caption, credit
      if s ~= "" then caption, credit = M.caption(s) end
      if credit and caption ~= "" then
        local figcaption = p:element("figcaption", {}, caption, " ",
                                     credit_element(p, caption, credit, s:sub(credit.start)))
        local figure = p:element("figure", {}, figcaption)
        p:replace(figure)
        summary.figures = summary.figures + 1
        if opts.on_caption then opts.on_caption(caption, credit, figure, p) end
      elseif s ~= "" then
        local d = first and M.dateline(s) or nil
        if s ~= "" then first = false end
        local quotes = M.quotes(s)
        if only_text then
          if d then
            p:set_attr("class", "dateline")
            p:set_attr("data-place", d.place)
            p:set_attr("data-agency", d.agency)
            summary.dateline = d
            if opts.on_dateline then opts.on_dateline(d, p) end
          end
          mark_quotes(p, s, quotes)
          if d then
            -- the dateline itself as a span at the start
            local t = p:first_child()
            if t and t:type() == "text" and t:text():sub(1, d.len) == d.text then
              local rest = t:text():sub(d.len + 1)
              local span = p:element("span", { class = "dateline" },
                p:element("span", { class = "place" }, d.place))
              local tail = d.text:sub(#d.place + 1)
              if d.agency then
                local a, b = tail:find(d.agency, 1, true)
                span:append(tail:sub(1, a - 1), p:element("span", { class = "agency" }, d.agency),
                            tail:sub(b + 1))
              else
                span:append(tail)
              end
              t:replace(span)
              if rest ~= "" then span:after(rest) end
            end
          end
        end
        summary.quotes = summary.quotes + #quotes
        if opts.on_quote then
          for _, q in ipairs(quotes) do opts.on_quote(q, p) end
        end
      end
    end
  end
  return summary
end

return M
