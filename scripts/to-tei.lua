-- to-tei.lua: export news articles as TEI P5.
--
--   lode run scripts/to-tei.lua article.txt --write out -t xml
--   lode run scripts/to-tei.lua ../shared/corpus/news-de --write tei -t xml -q
--
-- Each document becomes
--   TEI[xmlns=http://www.tei-c.org/ns/1.0]
--     teiHeader > fileDesc (titleStmt/title, publicationStmt/date, sourceDesc/p: the input path)
--               + profileDesc/particDesc/listPerson/person[@xml:id]/persName (the speakers)
--     text > body > div[@type=article] > head (the headline), opener/dateline
--       (placeName, orgName), p with q[@who] (direct speech; who points to a person),
--       figure > head (the caption) + note[@type=credit] (persName, orgName[@role]).
-- Write it with -t xml. Patterns: scripts/lode/news.lua; see docs/news.md.
local news = require "lode.news"

local TEI_NS = "http://www.tei-c.org/ns/1.0"
local SKIP = "script, style, nav, footer, aside, form, noscript, figure p"

-- an xml:id from a speaker's name: "der Kremlchef" -> "der_Kremlchef"
local function id_of(name)
  local id = name:gsub("[%s%p]+", "_"):gsub("^_+", ""):gsub("_+$", "")
  if id == "" or id:find("^[%d%-%.]") then id = "p_" .. id end
  return id
end

-- The paragraph's text as TEI children: text with q[@who] elements.
local function fill(doc, el, s, speakers)
  local pos = 1
  for _, q in ipairs(news.quotes(s)) do
    el:append(s:sub(pos, q.i - 1))
    local attrs = {}
    if q.kind == "term" then
      attrs.type = "term"
    elseif q.speaker then
      local id = id_of(q.speaker)
      attrs.who = "#" .. id
      if not speakers[id] then
        speakers[id] = q.speaker
        speakers[#speakers + 1] = id
      end
    end
    el:append(doc:element(q.kind == "term" and "soCalled" or "q", attrs, q.text))
    pos = q.j + 1
  end
  el:append(s:sub(pos))
end

-- note[@type=credit]: the credit as written, its parts marked up where they occur in it
local function credit_note(doc, credit, text)
  local note = doc:element("note", { type = "credit" })
  local marks = {}
  for _, f in ipairs { { "creator", "persName", "photographer" }, { "agency", "orgName", "agency" },
                       { "distributor", "orgName", "distributor" } } do
    local v = credit[f[1]]
    local a, b
    if v then a, b = text:find(v, 1, true) end
    if a then marks[#marks + 1] = { a = a, b = b, el = f[2], role = f[3] } end
  end
  table.sort(marks, function(x, y) return x.a < y.a end)
  local pos = 1
  for _, m in ipairs(marks) do
    if m.a >= pos then
      note:append(text:sub(pos, m.a - 1), doc:element(m.el, { role = m.role }, text:sub(m.a, m.b)))
      pos = m.b + 1
    end
  end
  note:append(text:sub(pos))
  return note
end

return {
  document = function(doc, ctx)
    local root = doc:root()
    local title = doc:title() or (doc:first("h1") and doc:first("h1"):text("normalize")) or doc.path
    local date = news.date_of(doc)
    local div = doc:element("div", { type = "article" })
    local speakers = {}
    local h1 = doc:first("h1")
    if h1 then div:append(doc:element("head", {}, h1:text("normalize"))) end
    local first = true
    for _, el in ipairs(doc:select("p, figcaption, h2, h3, blockquote, li")) do
      if not el:closest(SKIP) and not (el:name() ~= "p" and el:first("p")) then
        local s = el:text("normalize")
        if s ~= "" then
          local name = el:name()
          local caption, credit = news.caption(s)
          if credit and (caption ~= "" or name == "figcaption") then
            local fig = doc:element("figure", {}, doc:element("head", {}, caption))
            fig:append(credit_note(doc, credit, s:sub(credit.start)))
            div:append(fig)
          elseif name == "h2" or name == "h3" then
            div:append(doc:element("head", { type = "sub" }, s))
          else
            local d = first and name == "p" and news.dateline(s) or nil
            first = false
            if d then
              local dl = doc:element("dateline", {}, doc:element("placeName", {}, d.place))
              if d.agency then dl:append(" ", doc:element("orgName", {}, d.agency)) end
              div:append(doc:element("opener", {}, dl))
              s = d.rest
            end
            local p = doc:element(name == "blockquote" and "quote" or "p")
            fill(doc, p, s, speakers)
            div:append(p)
          end
        end
      end
    end
    -- header
    local pub = doc:element("publicationStmt", {})
    if date then pub:append(doc:element("date", { when = date:sub(1, 10) }, date))
    else pub:append(doc:element("p", {}, "Unknown")) end
    local header = doc:element("teiHeader", {},
      doc:element("fileDesc", {},
        doc:element("titleStmt", {}, doc:element("title", {}, title)),
        pub,
        doc:element("sourceDesc", {}, doc:element("p", {}, doc.path))))
    if #speakers > 0 then
      local list = doc:element("listPerson")
      for _, id in ipairs(speakers) do
        list:append(doc:element("person", { ["xml:id"] = id }, doc:element("persName", {}, speakers[id])))
      end
      header:append(doc:element("profileDesc", {}, doc:element("particDesc", {}, list)))
    end
    -- replace the HTML tree
    for _, c in ipairs(root:children()) do c:remove() end
    for k in pairs(root:attrs()) do root:remove_attr(k) end
    root:rename("TEI")
    root:set_attr("xmlns", TEI_NS)
    root:append(header, doc:element("text", {}, doc:element("body", {}, div)))
    ctx.report:sum("speakers", #speakers)
  end,
}
