-- inputs: tests/lua/fixtures/a.html
-- test_set_text_empty.lua -- node:set_text("") empties an element without
-- leaking: the new text node used to be created, unlinked and never freed
-- when the text was empty (LeakSanitizer: 120 bytes per call).  The checks
-- pass in any build; under `make test SAN=1` a leak report fails the script.
local t = require "harness"

return {
    document = function(doc)
        local p = doc:first("#a1")
        t.eq(p:set_text(""):write(), '<p id="a1"></p>', "set_text('') empties the element")
        t.eq(p:first_child(), nil, "no child left")
        t.eq(p:set_text("back"):text(), "back", "and it can be filled again")
        t.done()
    end,
}
