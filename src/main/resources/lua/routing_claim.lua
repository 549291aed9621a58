-- A connection claims its device: takes the next connection epoch and becomes the device's route, returning the
-- route it replaced so the node holding the older connection can be told to close it.
--
-- KEYS[1] conn:{u:A}:D     the device's connection epoch counter
-- KEYS[2] routes:{u:A}     hash: device -> '<node id> <epoch>' of the live connection
-- ARGV[1] device number    ARGV[2] this node's id    ARGV[3] expiry of both keys, seconds
--
-- Returns {epoch, previous route or ''}.
local epoch = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
local previous = redis.call('HGET', KEYS[2], ARGV[1]) or ''
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ' ' .. epoch)
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {epoch, previous}
