-- Trims the settled entries off the push queue and measures it, on the {push} slot. An entry is settled once
-- the group has read it and it is no longer pending (XACKed): everything before both the oldest pending entry and
-- the first unread one goes.
--
-- KEYS[1] pushq:{push}       stream of due wake-ups, read by the consumer group ARGV[1]
-- KEYS[2] pushlater:{push}   sorted set of wake-ups due later
-- ARGV[1] the consumer group
--
-- Returns {unsettled, oldest unsettled entry id or '', later}: entries not yet read or read and not acked, the
-- oldest of them, and the members of pushlater.
local queue_key, later_key, group = KEYS[1], KEYS[2], ARGV[1]
local later = redis.call('ZCARD', later_key)
if redis.call('EXISTS', queue_key) == 0 then
  return {0, '', later}
end
local last, lag = nil, 0
local groups = redis.call('XINFO', 'GROUPS', queue_key)
for g = 1, #groups do
  local info = groups[g]
  local fields = {}
  for i = 1, #info, 2 do
    fields[info[i]] = info[i + 1]
  end
  if fields['name'] == group then
    last, lag = fields['last-delivered-id'], tonumber(fields['lag']) or 0
  end
end
if not last then
  return {0, '', later}
end
local pending = redis.call('XPENDING', queue_key, group)
local oldest = pending[2]
if not oldest then
  -- Nothing pending: the first entry after the last one read is the oldest unsettled one.
  local next_entry = redis.call('XRANGE', queue_key, '(' .. last, '+', 'COUNT', 1)[1]
  oldest = next_entry and next_entry[1]
  redis.call('XTRIM', queue_key, 'MINID', oldest or last)
  if not oldest then
    redis.call('XDEL', queue_key, last)
  end
else
  redis.call('XTRIM', queue_key, 'MINID', oldest)
end
return {pending[1] + lag, oldest or '', later}
