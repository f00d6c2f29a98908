-- table.move over a huge range loops in C: refused.
return { p = function() table.move({}, 1, 1 << 62, 2) end }
