-- cli_modules.lua -- used by run.sh: require finds modules next to the
-- script (harness) and in -M folders (fixtures/mods/greet.lua).
local t = require "harness"
local greet = require "greet"
return {
    document = function(doc)
        t.eq(greet.hello(doc:first("p"):attr("id")), "hello a1", "require through -M")
        t.done()
    end,
}
