-- Forgets which device a push token (or endpoint) belongs to, if it still names the given device.
--
-- KEYS[1] pushtoken:{p:<digest>}   string: 'A:D'
-- ARGV[1] 'A:D'
--
-- Returns 1 when forgotten, 0 when it named another device (or nothing).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
