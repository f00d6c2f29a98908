-- Selector matching runs in C, where the hook never runs.  On the deep
-- document of run.sh (200 nested divs around 20,000 paragraphs) one
-- matches() call tests :has() on each of the 200 ancestors, each scan
-- visiting 20,000 paragraphs and climbing 200 levels from each: some 800
-- million steps in one call.  The matcher charges its steps to the
-- instruction budget, so the call stops, also inside pcall.
return { document = function(doc)
  local p = doc:first("p")
  pcall(p.matches, p, ":has(p p) *")
  return p:matches(":has(p p) *")
end }
