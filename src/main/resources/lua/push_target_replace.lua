-- Replaces (or removes) a device's push target, returning what it replaced.
--
-- KEYS[1] pushtarget:{u:A}:D
-- ARGV[1] the new target's digest, or '' to remove the target
-- ARGV[2..] the new target's fields as field, value pairs (kind, token ..., at)
--
-- Returns the replaced target's digest, or false when the device had none.
local target = KEYS[1]
local digest = ARGV[1]
local old = redis.call('HGET', target, 'digest')
redis.call('DEL', target)
if digest ~= '' then
  redis.call('HSET', target, 'digest', digest, unpack(ARGV, 2))
end
return old
