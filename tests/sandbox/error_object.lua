-- An error object that is a table whose __tostring never returns: the
-- message handler must describe it without calling any metamethod
-- (HARDENING 2.3, item 4), so the run ends at once with a clear message.
return { begin = function()
  error(setmetatable({}, { __tostring = function() while true do end end, __name = "evil" }))
end }
