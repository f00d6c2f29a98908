-- t1_count.lua: T1 of the peer benchmarks -- how many elements each document has.
--
--   lode run examples/bench/t1_count.lua ../shared/corpus/html-news -o counts.jsonl
--
-- One record per document, {"doc": PATH, "elements": N}, in input order. The
-- peers (../shared/bench/peers/t1_count.*) print the same number: lxml's
-- iter(Element), XPath count(//*), cheerio's $('*').length.
--
-- The rule "*" matches every element, so Lua is entered once per element: the
-- cost of a rule call is what this task measures. A script that only wants
-- the number would ask libxml2 in C: doc:xpath("count(//*)").
local n = 0

return {
  ["*"] = function() n = n + 1 end,
  document = function(doc, ctx)
    ctx:emit{ doc = doc.path, elements = n }
    n = 0          -- upvalues are per worker, and a worker walks one document at a time
  end,
}
