-- The readability of each article's body (German news), and over the corpus.
local readability = require "readability"
return {
  ["body"] = function(body, ctx)
    local r = readability.measure(body, "de")
    if r.score then
      ctx:emit{ score = r.score, scale = r.scale, words = r.words, sentences = r.sentences }
      ctx.report:stats("readability", r.score)
      ctx.report:count("scale", r.scale)
    end
  end,
}
