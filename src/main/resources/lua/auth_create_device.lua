-- Creates the next device of an account, unless the account already has the most devices allowed.
--
-- KEYS[1] account:{u:A}   KEYS[2] devices:{u:A}
-- ARGV[1] most devices per account   ARGV[2] the device record (JSON)
--
-- Returns the new device number, or -1 when the account has too many devices.
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[1]) then
  return -1
end
local device = redis.call('HINCRBY', KEYS[1], 'nextDevice', 1)
redis.call('HSET', KEYS[2], device, ARGV[2])
return device
