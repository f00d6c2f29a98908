-- captions.lua: turn photo-caption paragraphs into <figure><figcaption>.
--
--   lode run examples/rules/captions.lua examples/documents/putin-kim-wladiwostok.txt \
--       --write build/captions -t html
--
-- A caption in the news text format is a paragraph that ends with a photo
-- credit: "© Name/Agency (dpa)" or "Foto: Name/dpa".  The credit is split out
-- into <small class="credit">, so a stylesheet or a later rule can treat it
-- separately.  One record per caption reports what was found.
local function credit_of(text)
  local before, credit = text:match("^(.-)%s*(©%s*[^©]+)$")
  if not credit then
    before, credit = text:match("^(.-)%s*(Foto:%s*[^:]+/%a+)$")
  end
  return before, credit
end

return {
  ["body > p"] = function(p, ctx)
    local text = p:text("normalize")
    local caption, credit = credit_of(text)
    if not credit then return end
    local figcaption = p:element("figcaption", {}, caption)
    if caption ~= "" then figcaption:append(" ") end
    figcaption:append(p:element("small", { class = "credit" }, credit))
    p:replace(p:element("figure", { class = "photo" }, figcaption))
    ctx.report:count("captions", "total")
    ctx:emit{ doc = ctx.doc.path, line = p:line(), caption = caption, credit = credit }
  end,
  finish = function(ctx)
    io.stderr:write(("captions: %d\n"):format(ctx.report:get("captions", "total")))
  end,
}
