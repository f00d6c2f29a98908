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
-- Everything happens at the root: node:remove_all, unwrap_all, keep_attrs_all and
-- rename_all each match first, then edit, in C, with no Lua call per element; Lua
-- runs only for the headings, whose new attribute depends on their old name. A
-- script whose rules all match :root alone is not walked below the root.
local DROP = "head, script, style, noscript, template, img, picture, svg, iframe, object, video, audio, "
  .. "canvas, map, form"
local KEPT = "p, ul, ol, li, pre, blockquote, table, tr, td, th, em, i, strong, b, code, tt, kbd, "
  .. "h1, h2, h3, h4, h5, h6, a[href]"
-- old name -> new name, for node:rename_all (one walk for all of them)
local RENAME = {
  ul = "list", ol = "list", li = "item", blockquote = "quote", tr = "row", td = "cell", th = "cell",
  i = "em", b = "strong", tt = "code", kbd = "code", a = "link",
}

local title

local function collapse(s)
  return (s:gsub("[ \t\r\n]+", " "):gsub("^ ", ""):gsub(" $", ""))
end

return {
  -- The title is read first, then <head> and the other dropped elements go with
  -- their content, and every element that is not kept is unwrapped (its content
  -- stays in its place; <body> is unwrapped at the end). The kept elements lose
  -- their attributes (links keep href: every <a> left has one) and take their
  -- new names.
  { ":root", function(root, ctx)
      local t = ctx.doc:first("title")
      title = t and collapse(t:text()) or ""
      root:remove_all(DROP)
      root:unwrap_all(":not(" .. KEPT .. ", body)")
      root:keep_attrs_all(":not(a)")
      root:keep_attrs_all("a", "href")
      root:rename_all(RENAME)
      for _, h in ipairs(root:select("h1, h2, h3, h4, h5, h6")) do
        h:set_attr("level", h:name():sub(2)):rename("h")
      end
    end },

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
