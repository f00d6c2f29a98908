-- inputs: tests/lua/fixtures/a.html tests/lua/fixtures/b.html
-- records: tests/lua/fixtures/ctx.jsonl
-- stderr-has: lode: warning: tests/lua/fixtures/a.html:1: tests/lua/test_ctx.lua:26: seen a1
-- stderr-has: lode: warning: tests/lua/fixtures/b.html: tests/lua/test_ctx.lua:61: document b.html
-- stderr-has: lode: warning: tests/lua/test_ctx.lua:19: in begin
-- test_ctx.lua -- the ctx object: ctx.doc, ctx.script, ctx:emit and the
-- JSON encoding of records (the records are compared with
-- fixtures/ctx.jsonl by run.sh), emit errors, ctx:warn, ctx.report.
local t = require "harness"

local seen_docs = {}

return {
    begin = function(ctx)
        t.eq(ctx.script, "tests/lua/test_ctx.lua", "ctx.script is the script path as given")
        t.eq(ctx.doc, nil, "no ctx.doc in begin")
        t.raises(function() ctx:emit{ x = 1 } end, "ctx:emit() outside a document (in begin or finish)",
                 "emit in begin raises")
        ctx:warn("in begin")
        t.eq(getmetatable(ctx).__name, "lode.ctx", "ctx's metatable is named lode.ctx")
    end,

    ["p"] = function(p, ctx)
        ctx.report:count("ids", p:attr("id"))
        ctx.report:count("docs", ctx.doc.path, 2)
        if p:attr("id") == "a1" then ctx:warn("seen " .. p:attr("id")) end
        ctx:emit{ doc = ctx.doc.path, format = ctx.doc.format, id = p:attr("id"), line = p:line(), node = p }
    end,

    ["#a2"] = function(p, ctx)
        -- every value kind, and the encoding rules of lua_json.h
        ctx:emit{ i = 42, neg = -7, big = math.maxinteger, f = 0.1, third = 1 / 3, whole = 2.0, e = 1e300,
                  nan = 0 / 0, inf = math.huge, ninf = -math.huge }
        ctx:emit{ s = "tab\there \"q\" back\\ nl\n cr\r ctl\1 \u{E9} \u{20AC}", yes = true, no = false }
        ctx:emit{ list = { 1, "two", { 3 } }, empty = {}, obj = { b = 1, a = 2, B = 3 }, node = p }
        ctx:emit{}
        ctx:emit{ "a", "list", "record" }
        -- encoding errors raise and emit nothing
        t.raises(function() ctx:emit{ f = print } end, "ctx:emit: field 'f': a function cannot be written as JSON",
                 "a function value")
        t.raises(function() ctx:emit{ k = "\xff" } end, "ctx:emit: field 'k': string is not valid UTF-8",
                 "invalid UTF-8 value")
        t.raises(function() ctx:emit{ [1.5] = 1 } end, "a record's keys must be strings (or 1..n for a list)",
                 "a float key")
        t.raises(function() ctx:emit{ 1, 2, nil, 4 } end, "a record's keys must be strings (or 1..n for a list)",
                 "a list with a hole")
        t.raises(function() ctx:emit{ x = { y = coroutine.create(print) } } end,
                 "ctx:emit: field 'y': a thread cannot be written as JSON", "nested bad value names its field")
        t.raises(function() ctx:emit{ ["\xff"] = 1 } end, "ctx:emit: a key is not valid UTF-8", "invalid UTF-8 key")
        local cycle = {}
        cycle.self = cycle
        t.raises(function() ctx:emit(cycle) end, "tables nested deeper than 32 (a cycle?)", "a cycle")
        t.raises(function() ctx:emit("text") end, "bad argument #1 to 'emit' (table expected, got string)",
                 "a record must be a table")
    end,

    document = function(doc, ctx)
        seen_docs[#seen_docs + 1] = doc.path
        t.eq(ctx.doc, doc, "ctx.doc in document()")
        t.eq(doc.format, "html", "doc.format")
        if doc.path:match("b%.html$") then ctx:warn("document b.html") end
        ctx:emit{ phase = "document", doc = doc.path, title = doc:first("p"):text() }
    end,

    finish = function(ctx)
        t.same(seen_docs, { "tests/lua/fixtures/a.html", "tests/lua/fixtures/b.html" }, "doc.path is the path as given")
        t.raises(function() ctx:emit{ x = 1 } end, "outside a document", "emit in finish raises")
        local r = ctx.report
        t.eq(r:get("ids", "a1"), 1, "report:get")
        t.eq(r:get("ids", "zz"), 0, "report:get of an unknown key is 0")
        t.eq(r:get("nope", "x"), 0, "report:get of an unknown counter is 0")
        t.same(r:get("ids"), { a1 = 1, a2 = 1, b1 = 1 }, "report:get(name) copies the whole counter")
        t.eq(r:get("nope"), nil, "report:get(unknown) is nil")
        t.eq(r:kind("ids"), "count", "report:kind")
        t.eq(r:kind("nope"), nil, "report:kind of an unknown name is nil")
        t.eq(r:total("docs"), 6, "report:total sums the counts (n = 2 per call)")
        t.eq(r:total("nope"), 0, "report:total of an unknown counter")
        t.same(r:entries("docs"), { { key = "tests/lua/fixtures/a.html", count = 4 },
                                    { key = "tests/lua/fixtures/b.html", count = 2 } }, "report:entries, highest first")
        t.same(r:entries("ids", 2), { { key = "a1", count = 1 }, { key = "a2", count = 1 } },
               "report:entries(n): ties by key, cut to n")
        -- entries(name, n) selects the first n without sorting every key:
        -- the same as the first n of the full order, ties included
        local seed = 12345
        for i = 1, 3000 do
          seed = (seed * 1103515245 + 12345) % 2147483648
          r:count("many", "k" .. (seed % 700), 1 + seed % 3)
        end
        local all = r:entries("many")
        t.ok(#all > 600, "entries: every key")
        local same = true
        for _, n in ipairs{ 1, 2, 7, 100, 350, #all - 1, #all, #all + 1 } do
          local first = r:entries("many", n)
          if #first ~= math.min(n, #all) then same = false end
          for i = 1, #first do
            if first[i].key ~= all[i].key or first[i].count ~= all[i].count then same = false end
          end
        end
        t.ok(same, "report:entries(name, n) = the first n of report:entries(name), for n from 1 to past the end")
        t.same(r:names(), { "docs", "ids", "many" }, "report:names, sorted")
        r:count("num", 15)
        t.eq(r:get("num", "15"), 1, "keys are converted with tostring")
        t.eq(r:get("num", 15), 1, "and looked up the same way")
        r:count("num", 15, -1)
        t.eq(r:get("num", 15), 0, "n may be negative")
        r:count("num", "\xff")
        t.eq(r:get("num", "\u{FFFD}"), 1, "ill-formed UTF-8 in keys becomes U+FFFD")
        t.raises(function() r:count(1, "x") end, "bad argument #1 to 'count' (string expected", "count: bad name")
        t.raises(function() r:count("x") end, "bad argument #2 to 'count' (string key expected, got no value)", "count: no key")
        t.raises(function() r:count("x", "k", "n") end, "bad argument #3 to 'count' (number expected", "count: bad n")
        t.raises(function() r:count("x", "k", 1.5) end, "number has no integer representation", "count: n is an integer")
        t.raises(function() r:sum("ids", 1) end, "report 'ids' is a count, not a sum", "one kind per name")
        r:sum("huge", 1e308)
        t.raises(function() r:sum("huge", 1e308) end, "report 'huge': the sum or spread of its values is beyond the range of a double",
                 "a sum past the range of a double raises")
        t.eq(r:get("huge"), 1e308, "and leaves the sum as it was")
        t.raises(function() r:entries("huge") end, "report 'huge' is a sum: entries() reads count and top",
                 "entries of a sum raises")
        t.raises(function() r:get("huge", "k") end, "report 'huge' is not a count or top: get(name, key) reads those",
                 "get(name, key) of a sum raises")
        -- count(name, t): every pair of t in one call, keys converted as for one key
        r:count("bulk", { a = 2, b = 1 })
        r:count("bulk", { a = 1, [7] = 3, [true] = 1, ["\xff"] = 1, c = 2.0 })
        t.same(r:get("bulk"), { a = 3, b = 1, ["7"] = 3, ["true"] = 1, ["\u{FFFD}"] = 1, c = 2 },
               "count(name, t) adds every pair")
        t.eq(r:size("bulk"), 6, "size: the number of keys of a count")
        r:count("bulk", {})
        t.eq(r:total("bulk"), 11, "count(name, {}) adds nothing")
        t.raises(function() r:count("bulk", { x = "1" }) end, "holds a string key with a string value",
                 "count(name, t): counts must be integers")
        t.raises(function() r:count("bulk", { x = 1.5 }) end, "holds a string key with a number value",
                 "count(name, t): no fractions")
        t.raises(function() r:count("bulk", { [{}] = 1 }) end, "holds a table key", "count(name, t): bad key")
        t.raises(function() r:count("bulk", { x = 1 }, 2) end, "no n with a table of counts",
                 "count(name, t, n) refused")
        t.raises(function() r:count("ids2", { x = 1 }, nil) end, "no n with a table of counts",
                 "count(name, t, nil) refused too: count_words' two results")
        t.eq(r:size("nope"), 0, "size of an unknown name")
        -- count_words(name, s [, mode]): the words text.count_words finds, counted in the report
        local text = require "lode.text"
        local s = "Der Hund, der-Hund und d'Artagnan: 42 Hunde \u{E9}t\u{E9} Stra\u{DF}e caf\u{E9}\u{301}s"
        for _, mode in ipairs({ "words", "alnum" }) do
            local name = "cw " .. mode
            local n = r:count_words(name, s, mode)
            local counts, m = text.count_words(s, nil, mode)
            t.eq(n, m, "count_words (" .. mode .. "): the number of words text.count_words finds")
            t.same(r:get(name), counts, "count_words (" .. mode .. "): the same counts as text.count_words")
        end
        t.eq(r:count_words("cw default", "a-b a b"), 3, "count_words: text.words' rules by default")
        t.same(r:get("cw default"), { ["a-b"] = 1, a = 1, b = 1 }, "count_words: a-b is one word by default")
        t.eq(r:count_words("cw default", ""), 0, "count_words of an empty string: 0")
        t.raises(function() r:count_words("cw default", "ok \xff") end, "invalid UTF-8 at byte 4",
                 "count_words: invalid UTF-8 raises, naming the byte")
        t.raises(function() r:count_words("cw default", "x", "letters") end, "invalid option 'letters'",
                 "count_words: a bad mode")
        r:sum("a sum", 1)
        t.raises(function() r:count_words("a sum", "a b") end, "is a sum, not a count",
                 "count_words: a kind clash raises")
        t.raises(function() r:stats("s", 0/0) end, "finite number expected", "stats: NaN refused")
        r:top("t", "a"); r:top("t", "b", 1); r:top("t", "b")
        t.same(r:entries("t"), { { key = "b", count = 2 } }, "top: entries cut to the largest n asked for")
        t.eq(r:get("t", "a"), 1, "top: exact counts kept for every key")
        t.eq(r:size("t"), 2, "size of a top: every key, not only those shown")
        t.raises(function() r:count("t", { x = 1 }) end, "report 't' is a top, not a count",
                 "count(name, t) of a top")
        r:stats("s", 1); r:stats("s", 2); r:stats("s", 3); r:stats("s", 4)
        local s = r:get("s")
        t.eq(s.n, 4, "stats n"); t.eq(s.min, 1, "stats min"); t.eq(s.max, 4, "stats max")
        t.eq(s.mean, 2.5, "stats mean"); t.ok(math.abs(s.stddev - 1.2909944487358) < 1e-12, "stats stddev (sample)")
        r:sum("sum", 0.5); r:sum("sum", 2)
        t.eq(r:get("sum"), 2.5, "sum")
        for _, x in ipairs{ 5, 15, 15, 25, -1, 100 } do r:histogram("h", x, { 0, 10, 20, 30 }) end
        local h = r:get("h")
        t.eq(#h.bins, 3, "histogram: fixed edges give their bins")
        t.same({ h.bins[1].count, h.bins[2].count, h.bins[3].count, h.under, h.over }, { 1, 2, 1, 1, 1 },
               "histogram: counts, under and over")
        t.raises(function() r:histogram("h", 1, 5) end, "bins differ", "histogram: bins fixed by the first call")
        for i = 1, 100 do r:distinct("d", i % 7) end
        t.eq(r:get("d"), 7, "distinct: exact count")
        t.eq(r:size("d"), 7, "size of a distinct")
        t.eq(r:size("sum"), 0, "size of a sum is 0")
        ctx:skip() -- outside the walk: no effect, no error
        t.ok(true, "ctx:skip() outside the walk is harmless")
        t.done()
    end,
}
