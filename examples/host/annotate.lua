-- annotate.lua: an editor's rule script for lode-annotate (runs in the
-- sandbox): for each paragraph naming a known person, one record with the
-- person's role from the host.
local names = { "Putin", "Kim Jong Un", "Trump" }
return {
  p = function(p, ctx)
    local text = p:text("normalize")
    for _, name in ipairs(names) do
      if text:find(name, 1, true) then
        ctx:emit{ line = p:line(), person = name, role = host.lookup(name) }
      end
    end
  end,
}
