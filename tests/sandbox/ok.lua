-- A well-behaved script works the same in the sandbox.
local text = require "lode.text"
return { p = function(p, ctx) ctx:emit{ words = #p:text():gsub("%S+", "") > 0, upper = text.upper("äö") } end }
