-- A push worker claims one due wake-up of one device before sending it, in the device's slot {u:A}: the facts that
-- cancel or defer it are all here. One script, so a connect (routing_claim.lua clears the state) either comes
-- before the claim (nothing is sent) or after it (the device was away when it was sent).
--
-- KEYS[1] pushsched:{u:A}:D   hash: state (queued | claimed | waiting), due, sentAt, claimedAt, again, tries
-- KEYS[2] pushtarget:{u:A}:D  hash: the device's push target (kind and its fields)
-- KEYS[3] routes:{u:A}        hash: device -> '<node id> <epoch>' of its live connection
-- KEYS[4] mbox:{u:A}:D        the device's mailbox stream
-- ARGV[1] device number
-- ARGV[2] push.window, ms
-- ARGV[3] takeover, ms: a claim older than this is taken for a dead worker's and may be claimed again
-- ARGV[4] the ids of the live nodes, separated by single spaces (a route naming another node is stale)
-- ARGV[5] expiry of the schedule, ms
--
-- Returns one of
--   {'none'}             nothing is due (the device connected since, or the wake-up was settled already)
--   {'online'}           the device has a live connection: cancelled
--   {'untargeted'}       the device has no push target: cancelled
--   {'empty'}            the device's mailbox is empty: cancelled
--   {'busy', due}        another worker claimed it less than the takeover ago and is sending it: looked at again
--                        at due (ms), when that claim may be taken over (a worker that settles it meanwhile leaves
--                        nothing due)
--   {'defer', due}       not before due (ms): a wake-up was sent within the window, or a retry waits
--   {'send', claimedAt, tries, field, value, ...}  claimed: send to the target whose hash fields follow; tries is
--                        the number of earlier tries that got a temporary refusal
local schedule_key, target_key, routes_key, mailbox_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local device, window, takeover, live, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]

local s = redis.call('HMGET', schedule_key, 'state', 'due', 'sentAt', 'claimedAt', 'tries')
local state = s[1]
if not state then
  return {'none'}
end
local route = redis.call('HGET', routes_key, device)
if route then
  local node = string.match(route, '^(%S+) ')
  if node and string.find(' ' .. live .. ' ', ' ' .. node .. ' ', 1, true) then
    redis.call('HDEL', schedule_key, 'state', 'due', 'claimedAt', 'again', 'tries')
    return {'online'}
  end
end
if redis.call('EXISTS', target_key) == 0 then
  redis.call('HDEL', schedule_key, 'state', 'due', 'claimedAt', 'again', 'tries')
  return {'untargeted'}
end
if redis.call('XLEN', mailbox_key) == 0 then
  redis.call('HDEL', schedule_key, 'state', 'due', 'claimedAt', 'again', 'tries')
  return {'empty'}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if state == 'claimed' and now < (tonumber(s[4]) or 0) + takeover then
  return {'busy', tostring((tonumber(s[4]) or 0) + takeover)}
end
local due = tonumber(s[2]) or 0
local sent_at = tonumber(s[3])
if state == 'queued' and sent_at and sent_at + window > due then
  due = sent_at + window
end
if now < due then
  redis.call('HSET', schedule_key, 'due', due)
  return {'defer', tostring(due)}
end
-- A 'waiting' schedule is the check at the end of a window: its wake-up is the last one until a new message.
local fields = {'state', 'claimed', 'claimedAt', now}
if state == 'waiting' then
  fields[5], fields[6] = 'again', '1'
end
redis.call('HSET', schedule_key, unpack(fields))
redis.call('PEXPIRE', schedule_key, ttl)
local reply = {'send', tostring(now), s[5] or '0'}
local target = redis.call('HGETALL', target_key)
for i = 1, #target do
  reply[3 + i] = target[i]
end
return reply
