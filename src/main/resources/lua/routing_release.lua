-- Forgets a device's route if it is still the given one (a newer connection may have claimed it since).
--
-- KEYS[1] routes:{u:A}
-- ARGV[1] device number    ARGV[2] the route to forget: '<node id> <epoch>'
--
-- Returns 1 when forgotten, 0 when the route had changed.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
