-- cli_records.lua -- used by run.sh: records with hostile strings for -o
-- FILE.csv / .tsv / .jsonl.  One record per p of fixtures/a.html, plus one
-- with other keys, so the columns are the union of keys in first-seen order.
local hostile = {
    'comma, here',
    'quote " inside',
    '"starts with a quote',
    'new\nline',
    'carriage\r\nreturn',
    'tab\there',
    'back\\slash',
    ' leading and trailing ',
    '',
    'unicode \u{E9}\u{20AC}\u{1F600}',
}
return {
    ["#a1"] = function(p, ctx)
        for i, s in ipairs(hostile) do
            ctx:emit{ n = i, value = s, id = p:attr("id") }
        end
    end,
    ["#a2"] = function(p, ctx)
        ctx:emit{ zeta = "last column", id = p:attr("id"), flag = true, ratio = 0.1, list = { 1, "x" } }
    end,
}
