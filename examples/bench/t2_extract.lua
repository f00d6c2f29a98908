-- t2_extract.lua: T2 of the peer benchmarks -- title, paragraphs and links of each page.
--
--   lode run examples/bench/t2_extract.lua ../shared/corpus/html-news -o pages.jsonl
--
-- One record per document: {"doc", "title", "paras", "links"}:
--   title  the text of the first <title>, whitespace collapsed
--   paras  the text of every <p>, whitespace collapsed, empty ones left out
--   links  the href of every <a href>, as written
-- in document order. Whitespace is collapsed as XPath's normalize-space() does
-- (space, tab, CR, LF), which is what the peers do (../shared/bench/peers/t2_extract.*).
-- node:text("normalize") does that in C, but also folds U+00A0 and form feeds:
-- for text holding one of them the collapsing is done here, in Lua.
--
-- Note: an empty Lua table is written as {} (lode cannot tell an empty array
-- from an empty object), so a page without paragraphs has "paras":{}.
local title, paras, links = nil, {}, {}

local function text(el)
  local s = el:text()
  if not (s:find("\194\160", 1, true) or s:find("\f", 1, true)) then
    return el:text("normalize")
  end
  s = s:gsub("[ \t\r\n]+", " ")
  if s:byte(1) == 32 then s = s:sub(2) end
  if s:byte(-1) == 32 then s = s:sub(1, -2) end
  return s
end

return {
  ["title"] = function(t)
    if not title then title = text(t) end
  end,
  ["p"] = function(p)
    local s = text(p)
    if s ~= "" then paras[#paras + 1] = s end
  end,
  ["a[href]"] = function(a)
    links[#links + 1] = a:attr("href")
  end,
  document = function(doc, ctx)
    ctx:emit{ doc = doc.path, title = title or "", paras = paras, links = links }
    title, paras, links = nil, {}, {}
  end,
}
