-- t3_noimg.lua: T3 of the peer benchmarks as Markdown -- pages without their images.
--
--   lode run examples/bench/t3_noimg.lua ../shared/corpus/html-news --write md/ -t markdown
--
-- The counterpart of pandoc -f html -t markdown --lua-filter t3_noimg.lua (which drops
-- every Image): the rules remove the images, the Markdown writer does the rest.
return {
  ["img"] = function(img) img:remove() end,
}
