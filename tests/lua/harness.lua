-- harness.lua -- a tiny TAP helper for the Lua API tests in tests/lua/.
--
-- A test script is a rule script run by `lode run` (tests/lua/run.sh); it
-- loads this module with `local t = require "harness"` (require looks in the
-- script's own folder first) and prints TAP lines through it:
--
--   t.ok(value, name)                 passes when value is truthy
--   t.eq(got, want, name)             passes when got == want (shows both on failure)
--   t.same(got, want, name)           deep comparison of tables (lists, records)
--   t.match(s, pattern, name)         s is a string containing the Lua pattern
--   t.has(s, fragment, name)          s is a string containing fragment (plain)
--   t.raises(fn, fragment, name)      fn() raises, and the message contains fragment (plain)
--   t.section(name, fn)               runs fn() protected: an unexpected error is one
--                                     failed check instead of a failed document
--   t.done()                          prints "# harness done: N checks, M failed"
--
-- run.sh renumbers the lines of all scripts and requires the "done" line, so
-- a script that dies half way fails even if every check it printed passed.
local t = { n = 0, failed = 0 }

local function show(v)
    if type(v) == "string" then
        return string.format("%q", v):gsub("\\\n", "\\n")
    elseif type(v) == "table" then
        local mt = getmetatable(v)
        if mt and mt.__name then
            return tostring(v)
        end
        local parts, keys = {}, {}
        for k in pairs(v) do keys[#keys + 1] = k end
        table.sort(keys, function(a, b)
            if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
            return type(a) < type(b)
        end)
        local n = #v
        for _, k in ipairs(keys) do
            if math.type(k) == "integer" and k >= 1 and k <= n then
                parts[#parts + 1] = show(v[k])
            else
                parts[#parts + 1] = "[" .. show(k) .. "]=" .. show(v[k])
            end
        end
        return "{" .. table.concat(parts, ", ") .. "}"
    end
    local ok, s = pcall(tostring, v)
    return ok and s or ("<" .. type(v) .. ">")
end
t.show = show

-- Where the check was called from: "file:line" of the test script.
local getinfo = debug and debug.getinfo
local traceback = debug and debug.traceback or tostring

local function where(level)
    local info = getinfo and getinfo(level + 1, "Sl")
    if not info then return "?" end
    return (info.short_src or "?") .. ":" .. (info.currentline or 0)
end

local function report(pass, name, detail, level)
    t.n = t.n + 1
    name = tostring(name or "(unnamed)"):gsub("\n", " ")
    if pass then
        print(string.format("ok %d - %s", t.n, name))
    else
        t.failed = t.failed + 1
        print(string.format("not ok %d - %s", t.n, name))
        print("#   at " .. where(level + 1))
        if detail then
            for line in tostring(detail):gmatch("[^\n]+") do
                print("#   " .. line)
            end
        end
    end
    return pass
end

function t.ok(v, name)
    local r = report(v and true or false, name, "got " .. show(v), 2)
    return r
end

function t.eq(got, want, name)
    local r = report(got == want, name, "got      " .. show(got) .. "\nexpected " .. show(want), 2)
    return r
end

local function deep_equal(a, b)
    if a == b then return true end
    if type(a) ~= "table" or type(b) ~= "table" then return false end
    for k, v in pairs(a) do
        if not deep_equal(v, b[k]) then return false end
    end
    for k in pairs(b) do
        if a[k] == nil then return false end
    end
    return true
end
t.deep_equal = deep_equal

function t.same(got, want, name)
    local r = report(deep_equal(got, want), name, "got      " .. show(got) .. "\nexpected " .. show(want), 2)
    return r
end

function t.match(s, pattern, name)
    local pass = type(s) == "string" and s:find(pattern) ~= nil
    local r = report(pass, name, "got " .. show(s) .. "\nwanted a match for " .. show(pattern), 2)
    return r
end

function t.has(s, fragment, name)
    local pass = type(s) == "string" and s:find(fragment, 1, true) ~= nil
    local r = report(pass, name, "got " .. show(s) .. "\nwanted it to contain " .. show(fragment), 2)
    return r
end

function t.raises(fn, fragment, name)
    local ok, err = pcall(fn)
    if ok then
        local r = report(false, name, "no error raised (expected one containing " .. show(fragment) .. ")", 2)
    return r
    end
    err = tostring(err)
    local pass = fragment == nil or err:find(fragment, 1, true) ~= nil
    local r = report(pass, name, "error    " .. show(err) .. "\nexpected " .. show(fragment), 2)
    return r
end

function t.section(name, fn, ...)
    local ok, err = xpcall(fn, traceback, ...)
    if not ok then
        report(false, name .. ": unexpected error", tostring(err), 2)
    end
    return ok
end

function t.note(msg)
    for line in tostring(msg):gmatch("[^\n]+") do
        print("# " .. line)
    end
end

function t.done()
    print(string.format("# harness done: %d checks, %d failed", t.n, t.failed))
end

-- Elements' names (or any mapped value) of a list of nodes, for t.same.
function t.names(list, f)
    local out = {}
    for i, n in ipairs(list) do
        out[i] = f and f(n) or n:name()
    end
    return out
end

return t
