-- cli_write.lua -- used by run.sh with --write: marks every p, and fails on
-- a document whose first p has the id "fail" (that one must not be written).
return {
    ["p"] = function(p, ctx)
        if p:attr("id") == "fail" then error("not this one") end
        p:set_attr("data-seen", "yes")
    end,
}
