-- A connection claims its device: takes the next connection epoch and becomes the device's route, returning the
-- route it replaced so the node holding the older connection can be told to close it. A device that is no longer
-- listed among its account's devices (logged out) claims nothing. One script, so a handshake checks its device and
-- claims it in one round trip, and a logout cannot slip in between the check and the claim.
--
-- KEYS[1] conn:{u:A}:D     the device's connection epoch counter
-- KEYS[2] routes:{u:A}     hash: device -> '<node id> <epoch>' of the live connection
-- KEYS[3] devices:{u:A}    hash: device -> record; the device must be a field
-- KEYS[4] pushsched:{u:A}:D only with push on: the device's wake-up schedule; what was due is cancelled (the
--                          time of the last wake-up sent stays, so the push window holds across reconnects)
-- ARGV[1] device number    ARGV[2] this node's id    ARGV[3] expiry of both routing keys, seconds
--
-- Returns {epoch, previous route or ''}, or {0, ''} (nothing written) when the device is not listed.
local epochKey, routesKey, devicesKey = KEYS[1], KEYS[2], KEYS[3]
local device, nodeId, ttl = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HEXISTS', devicesKey, device) == 0 then
  return {0, ''}
end
local epoch = redis.call('INCR', epochKey)
redis.call('EXPIRE', epochKey, ttl)
local previous = redis.call('HGET', routesKey, device) or ''
redis.call('HSET', routesKey, device, nodeId .. ' ' .. epoch)
redis.call('EXPIRE', routesKey, ttl)
if KEYS[4] then
  redis.call('HDEL', KEYS[4], 'state', 'due', 'claimedAt', 'again', 'tries')
end
return {epoch, previous}
