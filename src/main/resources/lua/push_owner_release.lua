-- Forgets which device holds a push token if it is still the given device (another may have taken it since).
--
-- KEYS[1] pushtoken:{p:<digest>}
-- ARGV[1] the device: 'A:D'
--
-- Returns 1 when forgotten, 0 when another device (or none) holds the token.
local owner = KEYS[1]
local device = ARGV[1]
if redis.call('GET', owner) == device then
  redis.call('DEL', owner)
  return 1
end
return 0
