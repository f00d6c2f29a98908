-- links.lua: collect the links of documents, one record per link.
--
--   lode run examples/rules/links.lua examples/documents
--   lode run examples/rules/links.lua site/ -o links.csv
--
-- Links are taken as written (relative links stay relative; nothing is
-- resolved or fetched).  Three vocabularies:
--   HTML  <a href="…">               JATS  <ext-link xlink:href="…"> and others
--   TEI   <ref target="…">
local function link(el, ctx, href)
  ctx:emit{ doc = ctx.doc.path, href = href, text = el:text("normalize"), line = el:line() }
  ctx.report:count("links per document", ctx.doc.path)
end

return {
  -- An array part keeps the three rules in this order.
  { "a[href]",      function(a, ctx) link(a, ctx, a:attr("href")) end },
  { "[xlink|href]", function(el, ctx) link(el, ctx, el:attr("xlink:href")) end },
  { "ref[target]",  function(r, ctx) link(r, ctx, r:attr("target")) end },
}
