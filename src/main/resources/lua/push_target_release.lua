-- Removes a device's push target if it is still the given one (it may have been replaced since).
--
-- KEYS[1] pushtarget:{u:A}:D
-- ARGV[1] the digest of the target to remove
--
-- Returns 1 when removed, 0 when the device has another target or none.
local target = KEYS[1]
local digest = ARGV[1]
if redis.call('HGET', target, 'digest') == digest then
  redis.call('DEL', target)
  return 1
end
return 0
