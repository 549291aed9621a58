-- Forgets a device's route if it is still the given one (a newer connection may have claimed it since). With push
-- on, a device left with entries in its mailbox (delivered and not acked, or not delivered) and a push target gets
-- a wake-up due after the given delay (push.grace when its connection closed; none when the route was stale),
-- unless one is due already.
--
-- KEYS[1] routes:{u:A}
-- KEYS[2] mbox:{u:A}:D         only with push on: the device's mailbox
-- KEYS[3] pushtarget:{u:A}:D   only with push on: the device's push target
-- KEYS[4] pushsched:{u:A}:D    only with push on: the device's wake-up schedule
-- ARGV[1] device number    ARGV[2] the route to forget: '<node id> <epoch>'
-- ARGV[3] with push: the delay before the wake-up is due, ms
-- ARGV[4] with push: how long (ms) a schedule may stay past its due time before it is taken for lost
-- ARGV[5] with push: expiry of the schedule, ms
--
-- Returns 1 when forgotten, 0 when the route had changed; with push, {1, due} when forgotten and a wake-up became
-- due at 'due' (ms, Redis time): the caller adds the device to pushlater:{push}.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
if not KEYS[2] or redis.call('XLEN', KEYS[2]) == 0 or redis.call('EXISTS', KEYS[3]) == 0 then
  return 1
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local s = redis.call('HMGET', KEYS[4], 'state', 'due')
if s[1] and now <= (tonumber(s[2]) or 0) + tonumber(ARGV[4]) then
  return 1
end
local due = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[4], 'state', 'queued', 'due', due)
redis.call('PEXPIRE', KEYS[4], ARGV[5])
return {1, tostring(due)}
