-- t3_simplify.lua: T3 of the peer benchmarks -- an HTML page simplified to a small XML vocabulary.
--
--   lode run examples/bench/t3_simplify.lua ../shared/corpus/html-news --write out/ -t xml
--
-- Writes each page as
--   <doc><title>TITLE</title><body>…</body></doc>
-- with the rules of ../shared/bench/peers/t3_simplify.xsl (and .py):
--   h1…h6 → <h level="N">, p → <p>, ul/ol → <list>, li → <item>, pre → <pre>,
--   blockquote → <quote>, table → <table>, tr → <row>, td/th → <cell>,
--   a[href] → <link href>, em/i → <em>, strong/b → <strong>, code/tt/kbd → <code>,
--   with no other attributes; head, script, style, … (DROP below) are removed with
--   their content; every other element is unwrapped (its content stays in its place);
--   text is kept as it is; comments and processing instructions are removed.
--
-- The dropped and unwrapped elements are dealt with in C, at the root, before the
-- walk goes down: node:remove_all and node:unwrap_all match first, then edit, and
-- Lua is entered only for the elements that stay. Renaming happens in `leave`
-- handlers, after the element's children were walked.
local DROP = "head, script, style, noscript, template, img, picture, svg, iframe, object, video, audio, "
  .. "canvas, map, form"
local RENAME = {
  p = "p", ul = "list", ol = "list", li = "item", pre = "pre", blockquote = "quote",
  table = "table", tr = "row", td = "cell", th = "cell",
  em = "em", i = "em", strong = "strong", b = "strong", code = "code", tt = "code", kbd = "code",
}
local KEPT = "p, ul, ol, li, pre, blockquote, table, tr, td, th, em, i, strong, b, code, tt, kbd, "
  .. "h1, h2, h3, h4, h5, h6, a[href]"

local title

local function collapse(s)
  return (s:gsub("[ \t\r\n]+", " "):gsub("^ ", ""):gsub(" $", ""))
end

return {
  -- The title is read first, then <head> and the other dropped elements go with
  -- their content, and every element that is not kept is unwrapped (its content
  -- stays in its place; <body> is unwrapped at the end).
  { ":root", function(root, ctx)
      local t = ctx.doc:first("title")
      title = t and collapse(t:text()) or ""
      root:remove_all(DROP)
      root:unwrap_all(":not(" .. KEPT .. ", body)")
    end },
  { "p, ul, ol, li, pre, blockquote, table, tr, td, th, em, i, strong, b, code, tt, kbd",
    { leave = function(el)
        el:keep_attrs():rename(RENAME[el:name()])
      end } },
  { "h1, h2, h3, h4, h5, h6",
    { leave = function(h)
        local level = h:name():sub(2)
        h:keep_attrs():rename("h"):set_attr("level", level)
      end } },
  { "a[href]", { leave = function(a)
      a:keep_attrs("href"):rename("link")
    end } },

  document = function(doc)
    for _, n in ipairs(doc:xpath("//comment() | //processing-instruction()")) do n:remove() end
    -- <html> becomes <doc><title/><body/></doc>; its content (the old <body>,
    -- unwrapped, and what lay around it) goes into the new <body>.
    local root = doc:root()
    local body = root:element("body")
    body:append(table.unpack(root:children()))
    local old = body:first("body")
    if old then old:unwrap() end
    root:keep_attrs():rename("doc"):append(root:element("title", {}, title), body)
  end,
}
