-- Moves the wake-ups that have become due from pushlater:{push} into the push queue pushq:{push}. One script on
-- the {push} slot, so several nodes may run it at once: each due member is moved by exactly one of them.
--
-- KEYS[1] pushlater:{push}   sorted set: 'A:D' by the time (ms) its wake-up is due
-- KEYS[2] pushq:{push}       stream: due wake-ups (a, d, r)
-- ARGV[1] most members moved per call
--
-- Returns the number moved.
local later_key, queue_key, limit = KEYS[1], KEYS[2], ARGV[1]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', later_key, '-inf', now, 'LIMIT', 0, limit)
for i = 1, #due do
  local account, device = string.match(due[i], '^(.*):(%d+)$')
  redis.call('ZREM', later_key, due[i])
  if account then
    redis.call('XADD', queue_key, '*', 'a', account, 'd', device, 'r', 'later')
  end
end
return #due
