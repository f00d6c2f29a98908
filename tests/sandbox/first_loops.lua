-- Only the first document loops; the state must stay usable for the next.
return { p = function(p, ctx)
  if ctx.doc.path:match("a%.html$") then while true do end end
  ctx:emit{ doc = ctx.doc.path:match("[^/]+$") }
end }
