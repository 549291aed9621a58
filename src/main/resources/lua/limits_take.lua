-- Token bucket: takes one token from an account's bucket if one is there.
--
-- KEYS[1] limit:{u:A}:<limit>   hash {tokens, at}; expires once a full bucket would have refilled
-- ARGV[1] capacity (the burst)
-- ARGV[2] refill rate, tokens per second
--
-- Returns 0 when the token was taken, else the milliseconds until one will be there (nothing is taken).
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / 1000

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)

local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / per_ms)
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, math.ceil(capacity / per_ms) + 1000)
return wait
