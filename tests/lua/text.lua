-- text.lua -- tests of the lode.text module, run by build/tests/test_lua_text
-- from the project root.
--
-- The host provides two globals: check(ok, name [, detail [, level]]) records
-- one TAP check (level: the stack level whose line is reported, 1 = the
-- caller of check), and note(msg) prints a TAP comment.
--
-- Sections: unit cases for every function; every example of docs/lua-text.md
-- (each `--> ...` comment is one printed line); Unicode conformance:
-- NormalizationTest.txt (every line, and part 2: every other code point is
-- invariant) and GraphemeBreakTest.txt (every line).  The Unicode data files
-- come from Debian's unicode-data package ($LODE_UNICODE_DIR overrides
-- /usr/share/unicode); NormalizationTest.txt may be bzip2-compressed.

local text = require "lode.text"

local fmt = string.format

-- Shows a string with its non-ASCII and control bytes escaped.
local function show(v)
    if type(v) ~= "string" then
        return tostring(v)
    end
    return '"' .. v:gsub("[%c\128-\255\"\\]", function(c)
        return fmt("\\x%02X", c:byte())
    end) .. '"'
end

local function eq(got, want, name)
    check(got == want, name, fmt("got %s, expected %s", show(got), show(want)), 2)
end

-- Compares two lists of values.
local function eq_list(got, want, name)
    local ok = #got == #want
    for i = 1, math.max(#got, #want) do
        ok = ok and got[i] == want[i]
    end
    local function list(t)
        local parts = {}
        for i = 1, #t do
            parts[i] = show(t[i])
        end
        return "{" .. table.concat(parts, ", ") .. "}"
    end
    check(ok, name, "got " .. list(got) .. ", expected " .. list(want), 2)
end

-- f() must raise an error whose message contains msg (plain text).
local function raises(f, msg, name)
    local ok, err = pcall(f)
    check(not ok and tostring(err):find(msg, 1, true) ~= nil, name,
          ok and "no error" or ("error: " .. tostring(err)), 2)
end

local function collect(iter)
    local values, positions = {}, {}
    for v, pos in iter do
        values[#values + 1] = v
        positions[#positions + 1] = pos
    end
    return values, positions
end

local function cps(...)
    return utf8.char(...)
end

-- Strings from a list of hex code points ("0044 0307").
local function from_hex(field)
    local t = {}
    for h in field:gmatch("%x+") do
        t[#t + 1] = tonumber(h, 16)
    end
    return utf8.char(table.unpack(t))
end

------------------------------------------------------------------------------
-- Unit cases
------------------------------------------------------------------------------

local BAD = "ab\xFFc" -- invalid at byte 3

local function test_module()
    eq(package.loaded["lode.text"], text, "require caches the module")
    check(type(text.unicode_version) == "string" and text.unicode_version:match("^%d+%.%d+%.%d+$"),
          "unicode_version is a version string", tostring(text.unicode_version))
    for _, name in ipairs { "normalize", "casefold", "lower", "upper", "len", "graphemes", "words",
                            "count_words", "width", "category", "valid", "repair", "strip_marks", "sub" } do
        eq(type(text[name]), "function", "text." .. name .. " is a function")
    end
end

local function test_normalize()
    local e_acute = "\u{E9}"
    local e_comb = "e\u{301}"
    eq(text.normalize(e_comb), e_acute, "NFC composes")
    eq(text.normalize(e_comb, "NFC"), e_acute, "NFC explicitly")
    eq(text.normalize(e_acute, "NFD"), e_comb, "NFD decomposes")
    eq(text.normalize("\u{FB01}\u{B2}", "NFKC"), "fi2", "NFKC replaces compatibility characters")
    eq(text.normalize("\u{FB01}\u{B2}", "NFKD"), "fi2", "NFKD")
    eq(text.normalize("\u{FB01}"), "\u{FB01}", "NFC keeps compatibility characters")
    eq(text.normalize("\u{212B}"), "\u{C5}", "NFC: ANGSTROM SIGN is Å")
    eq(text.normalize("\u{1E9B}\u{323}", "NFKD"), "s\u{323}\u{307}", "NFKD reorders marks")
    eq(text.normalize("a\u{316}\u{301}\u{300}", "NFD"), "a\u{316}\u{301}\u{300}", "NFD keeps canonical order")
    eq(text.normalize("a\u{301}\u{316}", "NFD"), "a\u{316}\u{301}", "NFD reorders by combining class")
    eq(text.normalize("\u{1100}\u{1161}\u{11A8}"), "\u{AC01}", "NFC composes Hangul jamo")
    eq(text.normalize("\u{AC01}", "NFD"), "\u{1100}\u{1161}\u{11A8}", "NFD decomposes Hangul")
    eq(text.normalize(""), "", "empty string")
    eq(text.normalize("plain ASCII"), "plain ASCII", "ASCII unchanged")
    eq(text.normalize("a\0\u{301}b"), "a\0\u{301}b", "NUL is kept (and blocks nothing)")
    eq(text.normalize("\0e\u{301}"), "\0\u{E9}", "NUL-safe: text after a NUL is normalised")
    eq(text.normalize(12), "12", "a number is converted")
    raises(function() local _ = text.normalize(BAD) end,
           "bad argument #1 to 'normalize' (invalid UTF-8 at byte 3)", "normalize: invalid UTF-8")
    raises(function() local _ = text.normalize("a", "nfc") end,
           "bad argument #2 to 'normalize' (invalid option 'nfc')", "normalize: form names are upper case")
    raises(function() local _ = text.normalize() end,
           "bad argument #1 to 'normalize' (string expected, got no value)", "normalize: no argument")
    raises(function() local _ = text.normalize({}) end,
           "bad argument #1 to 'normalize' (string expected, got table)", "normalize: a table")

    -- Stream-safe guard: a CGJ after every 30 non-starters, none below.
    local cgj = "\u{34F}"
    local thirty = "a" .. ("\u{301}"):rep(30)
    eq(text.normalize(thirty, "NFD"), thirty, "30 marks: no CGJ")
    eq(text.normalize(thirty .. "\u{301}", "NFD"), thirty .. cgj .. "\u{301}", "31 marks: CGJ before the 31st")
    local many = "a" .. ("\u{301}"):rep(95)
    local expect_nfd = "a" .. ("\u{301}"):rep(30) .. cgj .. ("\u{301}"):rep(30) .. cgj ..
                       ("\u{301}"):rep(30) .. cgj .. ("\u{301}"):rep(5)
    eq(text.normalize(many, "NFD"), expect_nfd, "95 marks: three CGJs")
    eq(text.normalize(many), "\u{E1}" .. expect_nfd:sub(4), "NFC of 95 marks composes the first")
    -- Non-starters are counted in NFKD: U+0344 is two of them.
    local s344 = "a" .. ("\u{301}"):rep(29) .. "\u{344}"
    eq(text.normalize(s344, "NFD"), "a" .. ("\u{301}"):rep(29) .. cgj .. "\u{308}\u{301}",
       "a mark decomposing into two non-starters counts two")
    -- A starter resets the count.
    local reset = "a" .. ("\u{301}"):rep(30) .. "b" .. ("\u{301}"):rep(30)
    eq(text.normalize(reset, "NFD"), reset, "a starter resets the count")
    -- The result is stream-safe: normalising again changes nothing.
    for _, form in ipairs { "NFC", "NFD", "NFKC", "NFKD" } do
        local big = "x" .. ("\u{301}\u{316}"):rep(500) .. "y"
        local once = text.normalize(big, form)
        eq(text.normalize(once, form), once, form .. " is idempotent on long runs")
        eq(text.valid(once), true, form .. " output of long runs is valid UTF-8")
    end
end

local function test_strip_marks()
    eq(text.strip_marks("Ångström café"), "Angstrom cafe", "strip_marks: Ångström café")
    eq(text.strip_marks("Dvořák, Łódź, ø"), "Dvorak, Łodz, ø", "strip_marks: only decomposable marks")
    eq(text.strip_marks("\u{212B}"), "A", "strip_marks: ANGSTROM SIGN")
    eq(text.strip_marks("e\u{301}\u{20DD}"), "e\u{20DD}", "strip_marks keeps Me")
    eq(text.strip_marks("\u{915}\u{93F}"), "\u{915}\u{93F}", "strip_marks keeps Mc (Devanagari vowel sign)")
    eq(text.strip_marks("\u{915}\u{94D}"), "\u{915}", "strip_marks removes Mn virama")
    eq(text.strip_marks("a" .. ("\u{301}"):rep(100)), "a", "strip_marks: long runs (and the CGJs) go")
    eq(text.strip_marks(""), "", "strip_marks: empty")
    eq(text.strip_marks("ascii"), "ascii", "strip_marks: ASCII")
    eq(text.strip_marks("\u{301}x"), "x", "strip_marks: leading mark")
    raises(function() local _ = text.strip_marks(BAD) end,
           "bad argument #1 to 'strip_marks' (invalid UTF-8 at byte 3)", "strip_marks: invalid UTF-8")
end

local function test_case()
    eq(text.lower("ÄÖÜ"), "äöü", "lower ÄÖÜ")
    eq(text.upper("äöü"), "ÄÖÜ", "upper äöü")
    eq(text.lower("ABC xyz 123"), "abc xyz 123", "lower ASCII")
    eq(text.upper("abc XYZ 123"), "ABC XYZ 123", "upper ASCII")
    -- long ASCII runs (mapped eight bytes at a time) around non-ASCII, and
    -- the neighbours of the letter ranges, which stay as they are
    local edges = "@AZ[`az{ ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0189"
    eq(text.lower(edges .. "Ä" .. edges), "@az[`az{ abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz 0189ä"
       .. "@az[`az{ abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz 0189", "lower: long ASCII runs")
    eq(text.upper(edges .. "ä" .. edges), "@AZ[`AZ{ ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLMNOPQRSTUVWXYZ 0189Ä"
       .. "@AZ[`AZ{ ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLMNOPQRSTUVWXYZ 0189", "upper: long ASCII runs")
    -- Latin-1's letters (mapped without utf8proc) against Unicode's simple mappings
    local bad = {}
    for cp = 0xC0, 0xFF do
        local c = utf8.char(cp)
        local lo = (cp <= 0xDE and cp ~= 0xD7) and utf8.char(cp + 0x20) or c
        local up = (cp >= 0xE0 and cp <= 0xFE and cp ~= 0xF7) and utf8.char(cp - 0x20)
                   or cp == 0xFF and "\u{178}" or cp == 0xDF and "\u{1E9E}" or c
        local fold = cp == 0xDF and "ss" or lo
        for _, case in ipairs({ { "lower", lo }, { "upper", up }, { "casefold", fold } }) do
            local got = text[case[1]]("x" .. c .. c .. "X")
            local want = text[case[1]]("x") .. case[2] .. case[2] .. text[case[1]]("X")
            if got ~= want then bad[#bad + 1] = ("%s(U+%04X): %q, not %q"):format(case[1], cp, got, want) end
        end
    end
    eq(table.concat(bad, "; "), "", "lower, upper and casefold of U+00C0..U+00FF")
    eq(text.lower("\u{100}\u{C4}\u{130}\u{C4}"), "\u{101}\u{E4}i\u{E4}", "Latin-1 next to other letters")
    eq(text.casefold("STRASSE Straße " .. edges), "strasse strasse @az[`az{ abcdefghijklmnopqrstuvwxyz "
       .. "abcdefghijklmnopqrstuvwxyz 0189", "casefold: ASCII runs and ß")
    eq(text.lower("ΣΑΣ"), "σασ", "lower is simple: no final sigma")
    eq(text.lower("İ"), "i", "lower İ is simple")
    eq(text.upper("ß"), "ẞ", "upper ß is utf8proc's ẞ")
    eq(text.upper("\u{FB01}"), "\u{FB01}", "upper ﬁ has no simple mapping")
    eq(text.upper("ǆ"), "Ǆ", "upper digraph")
    eq(text.lower("ǅ"), "ǆ", "lower titlecase digraph")
    eq(text.upper("ɐ"), "Ɐ", "upper changes the UTF-8 length")
    eq(text.lower("Ⱥ"), "ⱥ", "lower changes the UTF-8 length")
    eq(text.upper("𐐨"), "𐐀", "upper outside the BMP (Deseret)")
    eq(text.lower(""), "", "lower empty")
    eq(text.lower("A\0B"), "a\0b", "lower is NUL-safe")
    eq(text.casefold("Straße"), "strasse", "casefold ß")
    eq(text.casefold("Straße"), text.casefold("STRASSE"), "casefold: Straße == STRASSE")
    eq(text.casefold("\u{FB01}"), "fi", "casefold ﬁ")
    eq(text.casefold("ΣΑΣ"), text.casefold("σας"), "casefold sigma forms")
    eq(text.casefold("İ"), "i\u{307}", "casefold İ (full)")
    eq(text.casefold("ẞ"), "ss", "casefold capital sharp s")
    eq(text.casefold("ᾼ"), "αι", "casefold Greek prosgegrammeni")
    eq(text.casefold("𐐀"), "𐐨", "casefold outside the BMP")
    eq(text.casefold("MiXeD"), "mixed", "casefold ASCII")
    eq(text.casefold("\u{1F0}"), "j\u{30C}", "casefold can leave NFC (ǰ has no single-code-point fold)")
    raises(function() local _ = text.lower(BAD) end,
           "bad argument #1 to 'lower' (invalid UTF-8 at byte 3)", "lower: invalid UTF-8")
    raises(function() local _ = text.upper(BAD) end,
           "bad argument #1 to 'upper' (invalid UTF-8 at byte 3)", "upper: invalid UTF-8")
    raises(function() local _ = text.casefold(BAD) end,
           "bad argument #1 to 'casefold' (invalid UTF-8 at byte 3)", "casefold: invalid UTF-8")
    -- Called without a name (through pcall), Lua names the function by its
    -- place in package.loaded.
    local ok, err = pcall(text.lower, BAD)
    eq(ok, false, "pcall(text.lower, bad) fails")
    eq(err, "bad argument #1 to 'lode.text.lower' (invalid UTF-8 at byte 3)", "message through pcall")
end

local function test_len()
    eq(text.len(""), 0, "len empty")
    eq(text.len("abc"), 3, "len ASCII")
    eq(text.len("Grüße"), 5, "len code points")
    eq(text.len("e\u{301}🇩🇪", "codepoints"), 4, "len codepoints explicit")
    eq(text.len("e\u{301}🇩🇪", "graphemes"), 2, "len graphemes")
    eq(text.len("\r\n", "graphemes"), 1, "CRLF is one grapheme")
    eq(text.len("🇩🇪🇫🇷🇮", "graphemes"), 3, "regional indicators pair up")
    eq(text.len("a" .. ("\u{301}"):rep(1000), "graphemes"), 1, "1000 marks: one grapheme")
    eq(text.len("", "graphemes"), 0, "len graphemes empty")
    raises(function() local _ = text.len("a", "bytes") end,
           "bad argument #2 to 'len' (invalid option 'bytes')", "len: unknown unit")
    raises(function() local _ = text.len(BAD) end,
           "bad argument #1 to 'len' (invalid UTF-8 at byte 3)", "len: invalid UTF-8")
end

local function test_graphemes()
    local g, p = collect(text.graphemes("e\u{301}🇩🇪👩‍💻!"))
    eq_list(g, { "e\u{301}", "🇩🇪", "👩‍💻", "!" }, "graphemes")
    eq_list(p, { 1, 4, 12, 23 }, "grapheme positions")
    g = collect(text.graphemes(""))
    eq_list(g, {}, "graphemes of empty string")
    g = collect(text.graphemes("ab\r\nc"))
    eq_list(g, { "a", "b", "\r\n", "c" }, "graphemes CRLF")
    g = collect(text.graphemes("🇩🇪🇫🇷🇮"))
    eq_list(g, { "🇩🇪", "🇫🇷", "🇮" }, "graphemes: regional indicator state carries over")
    g = collect(text.graphemes("\u{1100}\u{1161}\u{11A8}\u{AC00}"))
    eq_list(g, { "\u{1100}\u{1161}\u{11A8}", "\u{AC00}" }, "graphemes: Hangul")
    g = collect(text.graphemes("\0\0"))
    eq_list(g, { "\0", "\0" }, "graphemes: NUL")
    -- Iterators are independent of each other.
    local it1, it2 = text.graphemes("ab"), text.graphemes("xy")
    eq_list({ it1(), it2(), it1(), it2(), it1() }, { "a", "x", "b", "y" }, "two iterators interleave")
    eq(it1(), nil, "a finished iterator stays finished")
    raises(function() local _ = text.graphemes(BAD) end,
           "bad argument #1 to 'graphemes' (invalid UTF-8 at byte 3)", "graphemes: invalid UTF-8")
end

local function test_words()
    local function words(s)
        return (collect(text.words(s)))
    end
    eq_list(words("Raketen-Programm"), { "Raketen-Programm" }, "words: inner hyphen")
    eq_list(words("don't"), { "don't" }, "words: inner apostrophe")
    eq_list(words("l’homme"), { "l’homme" }, "words: inner typographic apostrophe")
    eq_list(words("Atomwaffen- und"), { "Atomwaffen", "und" }, "words: trailing hyphen")
    eq_list(words("'tis ’twas"), { "tis", "twas" }, "words: leading apostrophes")
    eq_list(words("rock--roll rock-'n'-roll"), { "rock", "roll", "rock", "n", "roll" }, "words: two joiners separate")
    eq_list(words("non‐breaking non‑breaking"), { "non‐breaking", "non‑breaking" }, "words: U+2010, U+2011")
    eq_list(words("COVID-19 3.14 1,000"), { "COVID-19", "3", "14", "1", "000" }, "words: digits")
    eq_list(words("e\u{301}cole naï\u{308}ve"), { "e\u{301}cole", "naï\u{308}ve" }, "words: marks attach")
    eq_list(words("\u{301}abc"), { "abc" }, "words: a leading mark is skipped")
    eq_list(words("می\u{200C}خواهم"), { "می\u{200C}خواهم" }, "words: ZWNJ inside a Persian word")
    eq_list(words("snake_case x.y"), { "snake", "case", "x", "y" }, "words: _ and . separate")
    eq_list(words("Ⅻ ½ ²"), { "Ⅻ", "½", "²" }, "words: Nl and No are digits")
    eq_list(words("日本語のテキスト"), { "日本語のテキスト" }, "words: no dictionary segmentation")
    eq_list(words("  \t\n"), {}, "words: only spaces")
    eq_list(words(""), {}, "words: empty")
    eq_list(words("-'-"), {}, "words: only joiners")
    eq_list(words("a-"), { "a" }, "words: joiner at the end of the text")
    local w, p = collect(text.words("Raketen-Programm: Atomwaffen- und don't!"))
    eq_list(w, { "Raketen-Programm", "Atomwaffen", "und", "don't" }, "words: sentence")
    eq_list(p, { 1, 19, 31, 35 }, "words: byte positions")
    w, p = collect(text.words("Größe über"))
    eq_list(p, { 1, 9 }, "words: byte positions after multi-byte letters")
    eq_list(words("a\u{D7}b \u{E4}\u{F7}\u{F6} \u{C0}\u{FF}\u{DF} \u{BF}x\u{C6}"),
            { "a", "b", "\u{E4}", "\u{F6}", "\u{C0}\u{FF}\u{DF}", "x\u{C6}" },
            "words: Latin-1 letters are letters, \u{D7} \u{F7} \u{BF} are not")
    raises(function() local _ = text.words(BAD) end,
           "bad argument #1 to 'words' (invalid UTF-8 at byte 3)", "words: invalid UTF-8")

    -- mode "alnum": maximal runs of letters and digits, what the regex
    -- [^\W_]+ finds; joiners, marks, ZWNJ and _ all separate
    local function alnum(s)
        return (collect(text.words(s, "alnum")))
    end
    eq_list(alnum("Raketen-Programm don't l’homme"), { "Raketen", "Programm", "don", "t", "l", "homme" },
            "words alnum: joiners separate")
    eq_list(alnum("e\u{301}cole naï\u{308}ve"), { "e", "cole", "naï", "ve" }, "words alnum: marks separate")
    eq_list(alnum("می\u{200C}خواهم"), { "می", "خواهم" }, "words alnum: ZWNJ separates")
    eq_list(alnum("snake_case Ⅻ½² COVID-19 日本語"), { "snake", "case", "Ⅻ½²", "COVID", "19", "日本語" },
            "words alnum: L* and N* runs")
    eq_list(alnum("a-"), { "a" }, "words alnum: joiner at the end")
    eq_list(alnum(""), {}, "words alnum: empty")
    w, p = collect(text.words("Größe über-all", "alnum"))
    eq_list(p, { 1, 9, 15 }, "words alnum: byte positions")
    eq_list(collect(text.words("a-b", "words")), { "a-b" }, "words: mode \"words\" is the default")
    raises(function() local _ = text.words("x", "bogus") end,
           "bad argument #2 to 'words' (invalid option 'bogus')", "words: unknown mode")
end

local function test_count_words()
    local t, n = text.count_words("Der Hund und der Hund, der-Hund")
    eq(n, 6, "count_words: number of words")
    eq(t.Hund, 2, "count_words: counts a word")
    eq(t["der-Hund"], 1, "count_words: text.words' rules by default")
    eq(t.der, 1, "count_words: case-sensitive")
    local t2, n2 = text.count_words("der Hund x", t, "alnum")
    eq(t2, t, "count_words: adds to the given table and returns it")
    eq(n2, 3, "count_words: n counts this call's words only")
    eq(t.Hund, 3, "count_words: adds to existing counts")
    eq(t.x, 1, "count_words: new keys start at 1")
    local same = {}
    for w in text.words("a b a", "alnum") do same[w] = (same[w] or 0) + 1 end
    local got = text.count_words("a b a", nil, "alnum")
    check(got.a == same.a and got.b == same.b and next(got, next(got, next(got))) == nil,
          "count_words: equals counting text.words in Lua")
    local _, zero = text.count_words("  -- ")
    eq(zero, 0, "count_words: no words")
    local counts = setmetatable({}, { __newindex = function() error("metamethod called") end })
    text.count_words("raw", counts)
    eq(rawget(counts, "raw"), 1, "count_words: raw access, no metamethods")
    raises(function() text.count_words("x", { x = "1" }) end,
           [[bad argument #2 to 'count_words' (counts["x"] is a string, not an integer)]],
           "count_words: a non-integer count raises")
    raises(function() text.count_words("x", { x = 1.5 }) end, "is a number, not an integer",
           "count_words: a fractional count raises")
    raises(function() text.count_words("x", 5) end, "bad argument #2 to 'count_words' (table expected",
           "count_words: counts must be a table")
    raises(function() text.count_words(BAD) end, "bad argument #1 to 'count_words' (invalid UTF-8 at byte 3)",
           "count_words: invalid UTF-8")
    raises(function() text.count_words("x", nil, "bogus") end, "invalid option 'bogus'",
           "count_words: unknown mode")
end

local function test_width()
    eq(text.width(""), 0, "width empty")
    eq(text.width("abc"), 3, "width ASCII")
    eq(text.width("日本語"), 6, "width wide")
    eq(text.width("ＡＢ"), 4, "width fullwidth")
    eq(text.width("e\u{301}"), 1, "width: marks are 0")
    eq(text.width("\t\n\0"), 0, "width: controls are 0")
    eq(text.width("\u{200B}"), 0, "width: ZWSP is 0")
    eq(text.width("😀"), 2, "width: emoji")
    eq(text.width("\u{AD}"), 1, "width: SOFT HYPHEN is 1")
    eq(text.width("👍🏽"), 4, "width counts each code point of an emoji sequence")
    eq(text.width("🇩🇪"), 2, "width of a flag (two regional indicators)")
    raises(function() local _ = text.width(BAD) end,
           "bad argument #1 to 'width' (invalid UTF-8 at byte 3)", "width: invalid UTF-8")
    raises(function() local _ = text.width(nil) end,
           "bad argument #1 to 'width' (string expected, got nil)", "width: nil")
end

local function test_category()
    eq(text.category("A"), "Lu", "category Lu")
    eq(text.category("a"), "Ll", "category Ll")
    eq(text.category(0x1C5), "Lt", "category Lt")
    eq(text.category("7"), "Nd", "category of a digit string")
    eq(text.category(7), "Cc", "category of the integer 7 (a control)")
    eq(text.category(0x301), "Mn", "category Mn")
    eq(text.category(" "), "Zs", "category Zs")
    eq(text.category("€"), "Sc", "category Sc")
    eq(text.category("😀"), "So", "category outside the BMP")
    eq(text.category(0x378), "Cn", "category unassigned")
    eq(text.category(0xD800), "Cs", "category surrogate")
    eq(text.category(0xE000), "Co", "category private use")
    eq(text.category(0x10FFFF), "Cn", "category U+10FFFF")
    eq(text.category(0), "Cc", "category U+0000")
    eq(text.category("\0"), "Cc", "category of a NUL string")
    eq(text.category(65.0), "Lu", "category of a float with an integer value")
    raises(function() local _ = text.category(0x110000) end,
           "bad argument #1 to 'category' (code point out of range)", "category: too large")
    raises(function() local _ = text.category(-1) end,
           "bad argument #1 to 'category' (code point out of range)", "category: negative")
    raises(function() local _ = text.category(65.5) end,
           "bad argument #1 to 'category' (number has no integer representation)", "category: fraction")
    raises(function() local _ = text.category("") end,
           "bad argument #1 to 'category' (one character expected, got an empty string)", "category: empty")
    raises(function() local _ = text.category("ab") end,
           "bad argument #1 to 'category' (one character expected, got several)", "category: two")
    raises(function() local _ = text.category("e\u{301}") end,
           "(one character expected, got several)", "category: a cluster of two code points")
    raises(function() local _ = text.category("\xFF") end,
           "bad argument #1 to 'category' (invalid UTF-8 at byte 1)", "category: invalid UTF-8")
    raises(function() local _ = text.category(true) end,
           "bad argument #1 to 'category' (integer or string expected, got boolean)", "category: boolean")
    raises(function() local _ = text.category() end,
           "bad argument #1 to 'category' (integer or string expected, got no value)", "category: nothing")
end

local function test_valid_repair()
    eq_list({ text.valid("") }, { true }, "valid empty")
    eq_list({ text.valid("Grüße") }, { true }, "valid")
    eq_list({ text.valid("Gr\xFC\xDFe") }, { false, 3 }, "invalid: Latin-1")
    eq_list({ text.valid("\xC0\xAF") }, { false, 1 }, "invalid: overlong")
    eq_list({ text.valid("ab\xED\xA0\x80") }, { false, 3 }, "invalid: surrogate")
    eq_list({ text.valid("\xF4\x90\x80\x80") }, { false, 1 }, "invalid: above U+10FFFF")
    eq_list({ text.valid("abc\xE2\x82") }, { false, 4 }, "invalid: truncated at the end")
    eq_list({ text.valid(("x"):rep(100) .. "\x80") }, { false, 101 }, "invalid after the fast ASCII path")
    eq_list({ text.valid("a\0b") }, { true }, "NUL is valid UTF-8")
    raises(function() local _ = text.valid() end,
           "bad argument #1 to 'valid' (string expected, got no value)", "valid: no argument")

    eq_list({ text.repair("ok") }, { "ok", 0 }, "repair valid")
    eq_list({ text.repair("") }, { "", 0 }, "repair empty")
    eq_list({ text.repair("a\xF1\x80\x80b\xC0\xAF") }, { "a\u{FFFD}b\u{FFFD}\u{FFFD}", 3 }, "repair maximal subparts")
    eq_list({ text.repair("\xED\xA0\x80") }, { "\u{FFFD}\u{FFFD}\u{FFFD}", 3 }, "repair surrogate: three")
    eq_list({ text.repair("\xF1\x80\x80\x41") }, { "\u{FFFD}A", 1 }, "repair truncated: one")
    eq_list({ text.repair("caf\xE9") }, { "caf\u{FFFD}", 1 }, "repair Latin-1")
    local big = ("\xFF"):rep(10000)
    local fixed, n = text.repair(big)
    eq(n, 10000, "repair counts 10000")
    eq(fixed, ("\u{FFFD}"):rep(10000), "repair of 10000 bad bytes")
    raises(function() local _ = text.repair(nil) end,
           "bad argument #1 to 'repair' (string expected, got nil)", "repair: nil")
end

local function test_sub()
    local s = "Grüße"
    -- Every (i, j) in -7..7 agrees with string.sub on the code point list.
    local chars = {}
    for _, c in utf8.codes(s) do
        chars[#chars + 1] = utf8.char(c)
    end
    local ascii = "abcde" -- same number of code points: string.sub is the model
    local bad = 0
    for i = -7, 7 do
        for j = -7, 7 do
            local want = {}
            local model = ascii:sub(i, j)
            if model ~= "" then
                local first = ascii:find(model, 1, true)
                for k = first, first + #model - 1 do
                    want[#want + 1] = chars[k]
                end
            end
            if text.sub(s, i, j) ~= table.concat(want) then
                bad = bad + 1
            end
        end
    end
    eq(bad, 0, "sub agrees with string.sub for all i, j in -7..7")
    eq(text.sub(s, 2, 4), "rüß", "sub 2..4")
    eq(text.sub(s, -2), "ße", "sub -2")
    eq(text.sub(s, 3), "üße", "sub without j")
    eq(text.sub(s, 0), s, "sub 0")
    eq(text.sub(s, 4, 2), "", "sub empty range")
    eq(text.sub(s, 6), "", "sub past the end")
    eq(text.sub(s, math.mininteger, math.maxinteger), s, "sub extreme positions")
    eq(text.sub("", 1), "", "sub of empty")
    eq(text.sub("a\0b", 2, 2), "\0", "sub is NUL-safe")
    eq(text.sub("e\u{301}x", 1, 1), "e", "sub counts code points, not clusters")
    raises(function() local _ = text.sub(s) end,
           "bad argument #2 to 'sub' (number expected, got no value)", "sub: no i")
    raises(function() local _ = text.sub(s, 1.5) end,
           "bad argument #2 to 'sub' (number has no integer representation)", "sub: fraction")
    raises(function() local _ = text.sub(BAD, 1) end,
           "bad argument #1 to 'sub' (invalid UTF-8 at byte 3)", "sub: invalid UTF-8")
end

-- Pathological input stays fast (C measures the times precisely; this
-- catches a regression that makes any of the functions quadratic).
local function test_pathological()
    local marks = "a" .. ("\u{301}\u{316}"):rep(50000)
    local t0 = os.clock()
    for _, form in ipairs { "NFC", "NFD", "NFKC", "NFKD" } do
        local _ = text.normalize(marks, form)
    end
    local _ = text.strip_marks(marks)
    _ = text.len(marks, "graphemes")
    _ = text.width(marks)
    _ = text.casefold(marks)
    for _ in text.words(marks) do end
    for _ in text.graphemes(marks) do end
    local dt = os.clock() - t0
    note(fmt("all functions on 100,000 alternating combining marks: %.3f s", dt))
    check(dt < 5, "100,000 combining marks: all functions in < 5 s", fmt("%.3f s", dt))
end

------------------------------------------------------------------------------
-- Every example of docs/lua-text.md
------------------------------------------------------------------------------

local function squash(s)
    return (s:gsub("[ \t]+", " "):gsub("^ ", ""):gsub(" $", ""))
end

-- An expected line: literal text, whitespace squashed, "..." matching anything.
local function line_matches(got, want)
    local pattern = squash(want):gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"):gsub("%%%.%%%.%%%.", ".-")
    return squash(got):find("^" .. pattern .. "$") ~= nil
end

local function test_doc_examples()
    local path = "docs/lua-text.md"
    local f = io.open(path, "rb")
    check(f ~= nil, "docs/lua-text.md found", "run the test from the project root")
    if not f then
        return
    end
    local md = f:read("a")
    f:close()
    local n = 0
    for block in md:gmatch("```lua\n(.-)```") do
        n = n + 1
        local expected = {}
        for line in block:gmatch("[^\n]+") do
            local want = line:match("%-%->%s*(.*)$")
            if want then
                expected[#expected + 1] = want
            end
        end
        local out = {}
        local env = setmetatable({
            print = function(...)
                local t = table.pack(...)
                for i = 1, t.n do
                    t[i] = tostring(t[i])
                end
                out[#out + 1] = table.concat(t, "\t", 1, t.n)
            end,
        }, { __index = _G })
        local name = fmt("docs/lua-text.md example %d", n)
        local chunk, err = load(block, "=" .. name, "t", env)
        local ok = chunk ~= nil
        if ok then
            ok, err = pcall(chunk)
        end
        local same = ok and #out == #expected
        for i = 1, math.max(#out, #expected) do
            same = same and line_matches(out[i], expected[i])
        end
        local detail = err and tostring(err) or ""
        if ok and not same then
            local lines = {}
            for i = 1, math.max(#out, #expected) do
                lines[#lines + 1] = fmt("line %d: printed %s, documented %s", i, show(out[i]), show(expected[i]))
            end
            detail = table.concat(lines, "; ")
        end
        check(same, fmt("%s (%s...)", name, show(block:match("[^\n]*\n([^\n]*)") or "")), detail)
    end
    check(n >= 15, "docs/lua-text.md has an example per function", n .. " examples")
end

------------------------------------------------------------------------------
-- Unicode conformance
------------------------------------------------------------------------------

local UNIDIR = os.getenv("LODE_UNICODE_DIR") or "/usr/share/unicode"

-- Opens a Unicode data file, or its .bz2 through bzip2.  Returns a file
-- handle, or nil and a message.
local function open_data(name)
    local path = UNIDIR .. "/" .. name
    local f = io.open(path, "rb")
    if f then
        return f
    end
    local bz = io.open(path .. ".bz2", "rb")
    if bz then
        bz:close()
        return io.popen("bzip2 -dc '" .. path .. ".bz2'", "r")
    end
    return nil, path .. "[.bz2] not found: install Debian's unicode-data package " ..
                "(apt-get install unicode-data) or set LODE_UNICODE_DIR"
end

local function file_version(first_line)
    return first_line and first_line:match("%-(%d+%.%d+%.%d+)%.txt") or "unknown"
end

local function test_normalization_conformance()
    local f, err = open_data("NormalizationTest.txt")
    check(f ~= nil, "NormalizationTest.txt readable", err)
    if not f then
        return
    end
    local version, part
    local lines, passed, failures = 0, 0, {}
    local in_part1 = {}
    local NFC, NFD, NFKC, NFKD = "NFC", "NFD", "NFKC", "NFKD"
    local norm = text.normalize
    for line in f:lines() do
        version = version or file_version(line)
        local p = line:match("^@Part(%d)")
        if p then
            part = tonumber(p)
        elseif line:match("^%x") then
            local c = {}
            for field in line:gmatch("([^;]*);") do
                c[#c + 1] = from_hex(field)
                if #c == 5 then
                    break
                end
            end
            if part == 1 then
                in_part1[utf8.codepoint(c[1])] = true
            end
            local c1, c2, c3, c4, c5 = c[1], c[2], c[3], c[4], c[5]
            local ok =
                c2 == norm(c1, NFC) and c2 == norm(c2, NFC) and c2 == norm(c3, NFC) and
                c4 == norm(c4, NFC) and c4 == norm(c5, NFC) and
                c3 == norm(c1, NFD) and c3 == norm(c2, NFD) and c3 == norm(c3, NFD) and
                c5 == norm(c4, NFD) and c5 == norm(c5, NFD) and
                c4 == norm(c1, NFKC) and c4 == norm(c2, NFKC) and c4 == norm(c3, NFKC) and
                c4 == norm(c4, NFKC) and c4 == norm(c5, NFKC) and
                c5 == norm(c1, NFKD) and c5 == norm(c2, NFKD) and c5 == norm(c3, NFKD) and
                c5 == norm(c4, NFKD) and c5 == norm(c5, NFKD)
            lines = lines + 1
            if ok then
                passed = passed + 1
            elseif #failures < 10 then
                failures[#failures + 1] = line
            end
        end
    end
    local closed = f:close()
    check(closed, "NormalizationTest.txt read completely")
    note(fmt("NormalizationTest: %d/%d lines (file: Unicode %s, utf8proc: Unicode %s)",
             passed, lines, version, text.unicode_version))
    for _, l in ipairs(failures) do
        note("  failed: " .. l)
    end
    check(lines > 18000 and passed == lines,
          fmt("NormalizationTest: %d/%d lines", passed, lines),
          fmt("file version %s, utf8proc %s", version, text.unicode_version))

    -- Part 2 of the conformance clause: every code point not listed in part
    -- 1 is its own NFC, NFD, NFKC and NFKD.  Tested 1,000 code points at a
    -- time, each between two newlines: a newline is a starter that neither
    -- composes nor reorders with anything, so normalising the batch is
    -- normalising each code point; a batch that changes is retried one by one.
    local total, invariant, bad = 0, 0, {}
    local batch, members = {}, {}
    local function flush()
        if #members == 0 then
            return
        end
        local s = "\n" .. table.concat(batch, "\n") .. "\n"
        if norm(s, NFC) == s and norm(s, NFD) == s and norm(s, NFKC) == s and norm(s, NFKD) == s then
            invariant = invariant + #members
        else
            for i, x in ipairs(batch) do
                if norm(x, NFC) == x and norm(x, NFD) == x and norm(x, NFKC) == x and norm(x, NFKD) == x then
                    invariant = invariant + 1
                elseif #bad < 10 then
                    bad[#bad + 1] = fmt("U+%04X", members[i])
                end
            end
        end
        batch, members = {}, {}
    end
    for cp = 0, 0x10FFFF do
        if (cp < 0xD800 or cp > 0xDFFF) and not in_part1[cp] then
            total = total + 1
            batch[#batch + 1] = utf8.char(cp)
            members[#members + 1] = cp
            if #members == 1000 then
                flush()
            end
        end
    end
    flush()
    note(fmt("NormalizationTest part 2: %d/%d other code points invariant", invariant, total))
    check(invariant == total, fmt("NormalizationTest part 2: %d/%d code points", invariant, total),
          "not invariant: " .. table.concat(bad, " "))
end

local function test_grapheme_conformance()
    local f, err = open_data("auxiliary/GraphemeBreakTest.txt")
    check(f ~= nil, "GraphemeBreakTest.txt readable", err)
    if not f then
        return
    end
    local version
    local lines, passed, failures = 0, 0, {}
    for line in f:lines() do
        version = version or file_version(line)
        local body = line:match("^([^#]*)")
        if body:find("%x") then
            local clusters, cur, s = {}, {}, {}
            for tok in body:gmatch("%S+") do
                if tok == "÷" then
                    if #cur > 0 then
                        clusters[#clusters + 1] = table.concat(cur)
                        cur = {}
                    end
                elseif tok == "×" then -- no break: keep filling the cluster
                else
                    local ch = utf8.char(tonumber(tok, 16))
                    cur[#cur + 1] = ch
                    s[#s + 1] = ch
                end
            end
            if #cur > 0 then
                clusters[#clusters + 1] = table.concat(cur)
            end
            local got = collect(text.graphemes(table.concat(s)))
            local ok = #got == #clusters
            for i = 1, #clusters do
                ok = ok and got[i] == clusters[i]
            end
            ok = ok and text.len(table.concat(s), "graphemes") == #clusters
            lines = lines + 1
            if ok then
                passed = passed + 1
            elseif #failures < 10 then
                failures[#failures + 1] = line
            end
        end
    end
    f:close()
    note(fmt("GraphemeBreakTest: %d/%d (file: Unicode %s, utf8proc: Unicode %s)",
             passed, lines, version, text.unicode_version))
    for _, l in ipairs(failures) do
        note("  failed: " .. l)
    end
    check(lines > 500 and passed == lines, fmt("GraphemeBreakTest: %d/%d", passed, lines),
          fmt("file version %s, utf8proc %s", version, text.unicode_version))
end

test_module()
test_normalize()
test_strip_marks()
test_case()
test_len()
test_graphemes()
test_words()
test_count_words()
test_width()
test_category()
test_valid_repair()
test_sub()
test_pathological()
test_doc_examples()
test_normalization_conformance()
test_grapheme_conformance()
