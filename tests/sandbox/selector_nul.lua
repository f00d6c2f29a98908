-- A selector with a NUL byte would be compiled from its C string as "p":
-- refused instead (HARDENING 2.3, item 6: no NUL in strings from Lua).
return { ["p\0script"] = function(p, ctx) ctx:emit{ matched = true } end }
