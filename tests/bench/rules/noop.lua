-- noop.lua: the reference of the `rules` benchmark (tests/bench/bench.py).
--
--   build/lode run tests/bench/rules/noop.lua FILE|FOLDER... -q
--
-- No rules, so `lode run` reads and parses every document and frees it
-- without walking it: the cost of parsing alone through `lode run`.
return {}
