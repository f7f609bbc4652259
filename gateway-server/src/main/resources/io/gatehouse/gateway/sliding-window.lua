-- A sliding window, as APIM's rate-limit and Gatehouse's LocalCounterStore: a call is admitted if fewer than limit
-- units were admitted for the key during the last window.
--
-- KEYS[1] is a list of buckets, oldest first, each "last before through": the time of the bucket's latest call, and
-- the units admitted for the key before the bucket and up to its end. These running totals give the window's total
-- from the oldest and the newest entry alone, without a sum. Calls within one bucket (a quantum: a thousandth of the
-- window, aligned to the epoch) count as made at the time of its latest call, as LocalCounterStore merges them: they
-- leave the window up to a quantum late and never early, so the limit is never exceeded, a refusal never says to wait
-- longer than the window, and the list holds at most window / quantum + 1 entries whatever the call rate.
--
-- ARGV: limit, window (ms), quantum (ms), cost (0 only checks), now (ms; empty: this Redis server's clock, which
-- every gateway then shares).
-- Returns {admitted (1 or 0), remaining, retry after (ms)}.

local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local quantum = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function parse(entry)
  local last, before, through = string.match(entry, '^(%-?%d+) (%d+) (%d+)$')
  return tonumber(last), tonumber(before), tonumber(through)
end

local function format(last, before, through)
  return string.format('%d %d %d', last, before, through)
end

-- Buckets whose calls have all left the window go.
local oldest = redis.call('LINDEX', key, 0)
while oldest do
  local last = parse(oldest)
  if last + window > now then
    break
  end
  redis.call('LPOP', key)
  oldest = redis.call('LINDEX', key, 0)
end

local base, newestLast, newestBefore, newestThrough = 0, nil, 0, 0
if oldest then
  local _, before = parse(oldest)
  base = before
  newestLast, newestBefore, newestThrough = parse(redis.call('LINDEX', key, -1))
  if base >= 1099511627776 then
    -- Keep the running totals far from 2^53, where Lua's numbers stop counting by one: once per 2^40 units.
    local entries = redis.call('LRANGE', key, 0, -1)
    redis.call('DEL', key)
    for _, entry in ipairs(entries) do
      local last, before, through = parse(entry)
      redis.call('RPUSH', key, format(last, before - base, through - base))
    end
    redis.call('PEXPIRE', key, string.format('%d', newestLast + window - now + 1))
    newestBefore, newestThrough, base = newestBefore - base, newestThrough - base, 0
  end
end
local used = newestThrough - base

if used + cost <= limit then
  if cost > 0 then
    local last = now
    if newestLast and (now <= newestLast or math.floor(now / quantum) == math.floor(newestLast / quantum)) then
      -- Within the newest bucket (or the clock went back: counting the call later is the safe side).
      last = math.max(now, newestLast)
      redis.call('LSET', key, -1, format(last, newestBefore, newestThrough + cost))
    else
      redis.call('RPUSH', key, format(last, newestThrough, newestThrough + cost))
    end
    -- The key lives as long as its newest bucket stays in the window.
    redis.call('PEXPIRE', key, string.format('%d', last + window - now + 1))
  end
  return {1, limit - used - cost, 0}
end

-- Refused: retry when enough of the oldest buckets have left the window to make room for this call.
local needed = used + cost - limit
local freedAt = now + window
local from = 0
local found = false
while not found do
  local entries = redis.call('LRANGE', key, from, from + 63)
  if #entries == 0 then
    break
  end
  for _, entry in ipairs(entries) do
    local last, _, through = parse(entry)
    if through - base >= needed then
      freedAt = last + window
      found = true
      break
    end
  end
  from = from + 64
end
return {0, math.max(0, limit - used), math.max(0, freedAt - now)}
