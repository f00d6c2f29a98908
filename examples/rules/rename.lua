-- rename.lua: rename elements, keeping their attributes and children.
--
--   lode run examples/rules/rename.lua page.html --write build/renamed
--
-- Presentational HTML becomes semantic HTML: <b> → <strong>, <i> → <em>,
-- and a caption written as <div class="caption"> becomes <figcaption>.
-- Add a line to RENAME for more: the key is any CSS selector, the value
-- the new element name.  Nothing is emitted; use --write to get the result.
local RENAME = {
  ["b"] = "strong",
  ["i"] = "em",
  ["div.caption"] = "figcaption",
}

local rules = {}
for selector, new_name in pairs(RENAME) do
  -- One rule per selector.  All the handlers are defined on the same line
  -- below, so lode runs them in the byte order of their selectors.
  rules[selector] = function(el, ctx)
    el:rename(new_name)
    ctx.report:count("renamed", selector .. " -> " .. new_name)
  end
end
return rules
