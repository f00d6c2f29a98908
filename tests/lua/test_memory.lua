-- inputs: tests/lua/fixtures/a.html tests/lua/fixtures/b.html
-- stdout-has: ok - finalizer at close (object made after the document): the node still works
-- stdout-has: ok - finalizer at close (object made before the document): the node works or raises cleanly
-- test_memory.lua -- scripts that try to reach freed memory; they must pass
-- and be clean under AddressSanitizer (make test SAN=1): nodes kept after
-- removal, the root, nodes and documents in globals across documents and in
-- finish, nodes of one document used in another (copied), clone then
-- insert, set_text with the old text node kept, wrap/unwrap loops, cache
-- churn, and __gc finalizers that touch nodes when the state closes.
local t = require "harness"

local kept = {}            -- nodes kept across documents
local docs = {}            -- documents kept across documents
local removed = {}         -- nodes removed from their document
local old_texts = {}       -- text nodes replaced by set_text
local early                -- a finalizer object made before any document
local bulk_kept            -- a node removed by remove_all, kept until finish

return {
    begin = function()
        early = setmetatable({}, { __gc = function(o)
            if not o.node then return end
            local ok, err = pcall(function() return o.node:text() end)
            t.ok(ok or tostring(err):find("document was already freed", 1, true),
                 "finalizer at close (object made before the document): the node works or raises cleanly")
        end })
    end,

    ["p"] = function(p, ctx)
        kept[#kept + 1] = p
        if not early.node then early.node = p end
    end,

    document = function(doc, ctx)
        docs[#docs + 1] = doc
        if #docs == 1 then
            -- doc a: remove things and keep them
            local a1 = doc:first("#a1")
            local text = a1:first_child()
            a1:set_text("replaced")
            old_texts[#old_texts + 1] = text
            removed[#removed + 1] = doc:first("#a2"):remove()
            -- a finalizer object made after the document: finalized first at close
            _G.late = setmetatable({ node = a1 }, { __gc = function(o)
                local ok, res = pcall(function() return o.node:text() end)
                t.ok(ok and res == "edited in finish", "finalizer at close (object made after the document): the node still works")
            end })
            t.section("removed nodes stay usable", function()
                local r = removed[1]
                t.eq(r:text(), "Alpha two", "text of a removed node")
                t.eq(r:write(), '<p id="a2">Alpha two</p>', "write of a removed node")
                t.eq(#doc:select("p"), 1, "gone from the document")
                t.eq(old_texts[1]:text(), "Alpha one", "the replaced text node keeps its content")
                t.eq(old_texts[1]:type(), "text", "and its type")
                collectgarbage()
                collectgarbage()
                t.eq(r:attr("id"), "a2", "after a collection")
            end)
            t.section("the root cannot be removed", function()
                local root = doc:root()
                t.raises(function() root:remove() end, "cannot remove the root element", "remove raises")
                t.eq(doc:root(), root, "the root is still in place")
                t.eq(#doc:select("body"), 1, "the document is intact")
            end)
        else
            -- doc b: use doc a's nodes here
            t.section("nodes of another document are copied", function()
                local b1 = doc:first("#b1")
                local a_node = kept[1]           -- #a1 of doc a, now "replaced"
                b1:after(a_node)
                local copy = b1:next()
                t.ok(copy ~= a_node, "after() inserted a copy, not the node itself")
                t.eq(copy:doc(), doc, "the copy belongs to doc b")
                t.eq(a_node:doc(), docs[1], "the original still belongs to doc a")
                t.eq(a_node:parent():name(), "body", "and is still in doc a's tree")
                copy:set_text("copy changed")
                t.eq(a_node:text(), "replaced", "changing the copy leaves the original")
                local r = removed[1]
                doc:first("body"):append(r)
                t.eq(doc:first("body"):last_child():text(), "Alpha two", "a removed node of doc a copied into doc b")
                local wrapper = docs[1]:element("section", { id = "from-a" })
                local w = b1:wrap(wrapper)
                t.ok(w ~= wrapper, "wrap with another document's element wraps in a copy")
                t.eq(w:attr("id"), "from-a", "the copy has the attributes")
                t.eq(b1:parent(), w, "and holds the node")
                local old = old_texts[1]
                b1:append(old)
                t.eq(b1:text(), "Beta oneAlpha one", "a kept text node of doc a copied into doc b")
            end)
            t.section("clone then insert", function()
                local b1 = doc:first("#b1")
                local c = b1:clone()
                doc:first("body"):append(c)
                doc:first("body"):prepend(c)
                t.eq(doc:first("body"):first_child(), c, "a clone can be inserted and moved")
                local c2 = kept[1]:clone()
                t.eq(c2:doc(), docs[1], "a clone stays in its node's document")
                doc:first("body"):append(c2)
                t.eq(doc:first("body"):last_child():text(), "replaced", "inserted into another document: copied")
                t.eq(#docs[1]:select("p"), 1, "doc a did not get the clone")
            end)
            t.section("wrap/unwrap loops", function()
                local b1 = doc:first("#b1")
                local before = doc:first("body"):write()
                for i = 1, 500 do
                    local w = b1:wrap(i % 2 == 0 and "div" or "span")
                    assert(w:unwrap() == b1)
                end
                for i = 1, 200 do
                    b1:wrap("em")
                end
                for i = 1, 200 do
                    b1:parent():unwrap()
                end
                t.eq(doc:first("body"):write(), before, "the tree is back as it was")
                collectgarbage()
                t.eq(b1:text(), "Beta oneAlpha one", "the node is fine")
            end)
            t.section("bulk edits: nodes kept from before stay usable", function()
                local body = doc:first("body")
                for i = 1, 300 do
                    body:append(doc:element("div", { class = "w" },
                        doc:element("span", { n = i }, doc:element("b", {}, tostring(i)))))
                end
                local spans, bs = doc:select("div.w > span"), doc:select("div.w b")
                t.eq(body:unwrap_all("div.w"), 300, "300 wrappers unwrapped")
                t.eq(body:remove_all("span"), 300, "300 spans removed, with their b")
                collectgarbage()
                collectgarbage()
                t.eq(spans[150]:attr("n"), "150", "a removed span kept from before")
                t.eq(bs[300]:parent(), spans[300], "its b still inside it")
                t.eq(bs[1]:text(), "1", "and readable")
                body:append(spans[7])
                t.eq(body:last_child():write(), '<span n="7"><b>7</b></span>', "a removed span inserted again")
                bulk_kept = spans[8] -- used in finish
            end)
            t.section("selector and XPath cache churn", function()
                local n = 0
                for i = 1, 1500 do
                    n = n + #doc:select("p:nth-child(" .. i .. ")")
                end
                t.ok(n > 0, "1500 distinct selectors (past the cache limit)")
                local m = 0
                for i = 1, 1500 do
                    m = m + docs[1]:xpath("count(//p[" .. i .. "])", {})
                end
                t.eq(m, 1, "1500 distinct XPath expressions")
                collectgarbage()
                t.eq(#doc:select("p"), #doc:select("p"), "selecting still works")
            end)
            t.section("many new nodes", function()
                local body = doc:first("body")
                for i = 1, 2000 do
                    local e = doc:element("i", { n = i }, tostring(i))
                    if i % 2 == 0 then body:append(e) end
                end
                collectgarbage()
                t.eq(#doc:select("body > i"), 1000, "half of them inserted, the rest parked")
            end)
        end
    end,

    finish = function(ctx)
        t.section("nodes and documents kept until finish", function()
            t.eq(#kept, 3, "three p elements seen")
            t.eq(kept[1]:text(), "replaced", "doc a's node")
            t.eq(kept[3]:doc().path, "tests/lua/fixtures/b.html", "doc b's node knows its document")
            t.eq(docs[1]:first("p"), kept[1], "doc a still answers queries")
            kept[1]:set_text("edited in finish")
            t.eq(docs[1]:first("p"):text(), "edited in finish", "editing in finish")
            docs[2]:first("body"):append(kept[1])
            t.has(docs[2]:write("text"), "edited in finish", "moving between documents in finish (copied)")
            t.eq(removed[1]:closest("p"), removed[1], "removed node in finish")
            t.eq(old_texts[1]:text(), "Alpha one", "old text node in finish")
            t.eq(bulk_kept:write(), '<span n="8"><b>8</b></span>', "a node removed by remove_all, in finish")
        end)
        kept, docs = nil, nil
        collectgarbage()
        collectgarbage()
        t.ok(true, "dropping everything and collecting")
        t.done()
    end,
}
