-- inputs: tests/lua/fixtures/walk.html
-- test_walk_edit.lua -- what the walk visits after a handler edits the tree
-- (docs/lua-api.md, "Editing during the walk").  Each <section> of
-- fixtures/walk.html holds one case; a first rule logs every element the
-- walk visits, per section, and the document phase compares the logs.
local t = require "harness"

local visits = {}   -- section id -> list of "name:text"
local leaves = {}

-- The section each element was in when the walk reached that section
-- (filled by the "section" rule; nodes as table keys), so that nodes of a
-- removed subtree are still counted where they came from.
local home = {}
local function section_of(n)
    if home[n] then return home[n] end
    local s = n:closest("section")          -- elements created during the walk
    return s and s ~= n and s:attr("id") or nil
end

local function log(n)
    local s = section_of(n)
    if not s then return end
    visits[s] = visits[s] or {}
    table.insert(visits[s], n:name() .. ":" .. n:text())
end

local function text_is(n, s) return n:text() == s end

-- :has() and :contains() results are memoised during the walk; an edit by
-- a handler must make later tests see the new tree.
local memo_log = {}
local renamed_hits = {}   -- rules met by the elements rename_all renamed

return {
    { "section", function(n)
        for _, e in ipairs(n:select("*")) do home[e] = n:attr("id") end
    end },
    { "*", log },
    { "#remove > p", {
        enter = function(n) if text_is(n, "r1ri") then n:remove() end end,
        leave = function(n) leaves[#leaves + 1] = n:text() end,
    } },
    { "#wrap > p", function(n) if text_is(n, "w1wi") then n:wrap("div") end end },
    { "#append > div", function(n)
        if text_is(n, "a") then n:append(n:element("em", {}, "new1"), n:element("em", {}, "new2")) end
    end },
    { "#after > p", function(n) if text_is(n, "f1") then n:after(n:element("p", {}, "f1.5")) end end },
    { "#replace > p", function(n) if text_is(n, "x1xi") then n:replace(n:element("p", {}, "xnew")) end end },
    { "#before > p", function(n) if text_is(n, "b2") then n:before(n:element("p", {}, "b1.5")) end end },
    { "#skip > div", function(n, ctx) ctx:skip() end },
    { "#removenext > p", function(n)
        if text_is(n, "n1") then n:next_element():remove(); n:remove() end
    end },
    { "#moveahead > p", function(n) if text_is(n, "m1") then n:next_element():after(n) end end },
    { "#ancestor p", function(n) if text_is(n, "y1yi") then n:parent():remove() end end },
    { "#unwrap > div", function(n) n:unwrap() end },
    { "#settext > p", function(n) if text_is(n, "t1ti") then n:set_text("t1new") end end },
    { "#bulk", function(n) n:unwrap_all("div"); n:remove_all("aside, script") end },
    { "#renamed", function(n) n:rename_all{ p = "q", b = "i" }; n:keep_attrs_all("q") end },
    { "#renamed p, #renamed b", function(n) renamed_hits[#renamed_hits + 1] = "old " .. n:name() end },
    { "#renamed q, #renamed i", function(n)
        renamed_hits[#renamed_hits + 1] = "new " .. n:name() .. (n:attr("class") and " with class" or "")
    end },
    { "#insertremove > p", function(n)
        if text_is(n, "q1") then n:after(n:element("p", {}, "q1.5")) end
        if text_is(n, "q2") then n:remove() end
    end },
    { "section:has(> .flag) > p", function(n) memo_log[#memo_log + 1] = "has " .. n:text() end },
    { "section:contains('k2') > p", function(n) memo_log[#memo_log + 1] = "contains " .. n:text() end },
    { "#memo > p", function(n)
        if text_is(n, "k1") then n:parent():first(".flag"):remove() end
        if text_is(n, "k2") then n:set_text("K2") end
    end },

    document = function(doc)
        local cases = {
            { "remove", { "p:r1ri", "p:r2", "p:r3" },
              "a removed node's children are not visited; its next sibling is" },
            { "wrap", { "p:w1wi", "i:wi", "p:w2" },
              "a wrapped node's children are visited, the wrapper is not (inserted before)" },
            { "append", { "div:a", "em:new1", "em:new2" }, "appended children are visited" },
            { "after", { "p:f1", "p:f1.5", "p:f2" }, "a sibling inserted after the node is visited" },
            { "replace", { "p:x1xi", "p:x2" },
              "after replace: neither the replacement nor the old children are visited" },
            { "before", { "p:b1", "p:b2" }, "a sibling inserted before the node is not visited" },
            { "skip", { "div:s1", "p:s2" }, "ctx:skip() skips the descendants only" },
            { "moveahead", { "p:m1", "p:m3" },
              "a node moved after its next sibling: the walk goes on from its new place" },
            { "ancestor", { "div:y1yiy2", "p:y1yi", "i:yi", "p:y2", "p:y3" },
              "removing an ancestor: the walk finishes that (now detached) subtree, then goes on after it" },
            { "unwrap", { "div:u1u2", "p:u3" },
              "an unwrapped element's former children are not visited (they now lie before the position)" },
            { "settext", { "p:t1ti", "p:t2" }, "set_text: the old children are not visited" },
            { "bulk", { "p:v1", "p:v3" },
              "unwrap_all and remove_all in an enter handler: the walk goes over the changed children" },
            { "renamed", { "q:r1", "div:r2", "i:r2" },
              "rename_all in an enter handler: the walk visits the descendants under their new names" },
            { "insertremove", { "p:q1", "p:q1.5", "p:q2", "p:q3", "p:q4" },
              "a sibling inserted after, then a later node removed: the walk still reaches the rest" },
        }
        for _, c in ipairs(cases) do
            t.same(visits[c[1]] or {}, c[2], c[1] .. ": " .. c[3])
        end
        t.same(renamed_hits, { "new q", "new i" },
               "rename_all, keep_attrs_all in an enter handler: rules match the descendants as they are then")
        -- Removing the node and its next sibling must not end the walk of the
        -- parent's remaining children: n3 is still in the document, after
        -- the position (the walk once stopped there).
        t.same(visits.removenext or {}, { "p:n1", "p:n3" },
               "removenext: removing the node and its next sibling still visits the later siblings")
        t.same(leaves, { "r1ri", "r2", "r3" }, "leave handlers run, also for a node its enter handler removed")
        t.same(memo_log, { "has k1", "contains k1", "contains k2" },
               "after an edit, :has() and :contains() see the changed tree (no stale memo)")
        -- the document reflects every edit
        t.eq(doc:first("#wrap"):write(),
             '<section id="wrap"><div><p>w1<i>wi</i></p></div><p>w2</p></section>', "wrap result")
        t.eq(doc:first("#replace"):write(), '<section id="replace"><p>xnew</p><p>x2</p></section>', "replace result")
        t.eq(doc:first("#unwrap"):write(), '<section id="unwrap"><p>u1</p><p>u2</p><p>u3</p></section>', "unwrap result")
        t.eq(doc:first("#ancestor"):write(), '<section id="ancestor"><p>y3</p></section>', "ancestor removed")
        t.eq(doc:first("#moveahead"):text(), "m2m1m3", "moved")
        t.eq(doc:first("#bulk"):write(), '<section id="bulk"><p>v1</p><p>v3</p></section>', "bulk edits result")
        t.done()
    end,
}
