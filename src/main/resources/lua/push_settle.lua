-- A push worker records what became of a wake-up it claimed (push_claim.lua), in the device's slot {u:A}.
--
-- KEYS[1] pushsched:{u:A}:D   hash: state, due, sentAt, claimedAt, again, tries
-- ARGV[1] outcome: sent | retry | drop
-- ARGV[2] claimedAt of the worker's claim (ms): only that claim is settled
-- ARGV[3] push.window, ms     ARGV[4] for retry: the wait before the next try, ms
-- ARGV[5] expiry of the schedule, ms
--
-- Returns {'later', at}: the caller makes the device due again at 'at' (ms) in pushlater:{push} (the check at the
-- window's end after a wake-up, or the retry); {'done'}: nothing more is due; {'lost'}: the claim is no longer
-- this worker's (the device connected, or another worker took it over), nothing changed but sentAt.
local schedule_key = KEYS[1]
local outcome, claimed_at, window, wait, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local s = redis.call('HMGET', schedule_key, 'state', 'claimedAt', 'again')
if outcome == 'sent' then
  -- Kept even when the claim was lost: the window counts from the last wake-up the device was sent.
  redis.call('HSET', schedule_key, 'sentAt', now)
  redis.call('PEXPIRE', schedule_key, ttl)
end
if s[1] ~= 'claimed' or s[2] ~= claimed_at then
  return {'lost'}
end
if outcome == 'sent' and s[3] ~= '1' then
  local due = now + window
  redis.call('HSET', schedule_key, 'state', 'waiting', 'due', due)
  redis.call('HDEL', schedule_key, 'claimedAt', 'again', 'tries')
  return {'later', tostring(due)}
end
if outcome == 'retry' then
  local due = now + wait
  redis.call('HSET', schedule_key, 'state', 'queued', 'due', due)
  redis.call('HINCRBY', schedule_key, 'tries', 1)
  redis.call('HDEL', schedule_key, 'claimedAt')
  return {'later', tostring(due)}
end
redis.call('HDEL', schedule_key, 'state', 'due', 'claimedAt', 'again', 'tries')
return {'done'}
