-- cli_records_nul.lua -- used by run.sh: a record whose string holds U+0000
-- (valid UTF-8, written as \u0000 in JSON) must reach CSV/TSV too.
return {
    ["#a1"] = function(p, ctx) ctx:emit{ id = "a1", value = "nul\0inside" } end,
}
