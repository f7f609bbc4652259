-- A fixed window, as APIM's quota and Gatehouse's LocalCounterStore: windows of period milliseconds repeat from
-- start; a call is admitted if the units admitted in the current window, with this call's, stay within limit.
--
-- KEYS[1] is a hash {w = the window counted (its number from start), n = the units admitted in it}. It expires when
-- that window ends, so a key lives at most one period.
--
-- ARGV: limit, period (ms), start (ms since the epoch), cost (0 only checks), now (ms; empty: this Redis server's
-- clock, which every gateway then shares).
-- Returns {admitted (1 or 0), remaining, until the window renews (ms)}.

local key = KEYS[1]
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local start = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local window = math.floor((now - start) / period)
local untilRenewal = start + (window + 1) * period - now
local stored = redis.call('HMGET', key, 'w', 'n')
local used = 0
if stored[1] and tonumber(stored[1]) == window then
  used = tonumber(stored[2])
end

if used + cost <= limit then
  if cost > 0 then
    redis.call('HSET', key, 'w', string.format('%d', window), 'n', string.format('%d', used + cost))
    redis.call('PEXPIRE', key, string.format('%d', untilRenewal))
  end
  return {1, limit - used - cost, untilRenewal}
end
return {0, math.max(0, limit - used), untilRenewal}
