-- Token bucket: takes up to n tokens from an account's bucket, as many as are there.
--
-- KEYS[1] limit:{u:A}:<limit>   hash {tokens, at}; expires once a full bucket would have refilled
-- ARGV[1] capacity (the burst)
-- ARGV[2] refill rate, tokens per second
-- ARGV[3] n, the tokens wanted (at least 1); absent means 1
--
-- Returns {granted, wait}: granted = min(n, whole tokens there), taken from the bucket (0 to n); wait = 0 when
-- granted > 0, else the milliseconds until one token will be there (nothing is taken). With n = 1 this is the
-- bucket of the earlier one-token script, and the hash's fields are the same, so nodes running either agree.
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / 1000
local wanted = tonumber(ARGV[3]) or 1

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)

local granted = math.min(wanted, math.floor(tokens))
local wait = 0
if granted >= 1 then
  tokens = tokens - granted
else
  granted = 0
  wait = math.ceil((1 - tokens) / per_ms)
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, math.ceil(capacity / per_ms) + 1000)
return {granted, wait}
