-- Appends one message to the listed device mailboxes of one account, atomically and idempotently, after
-- checking that the listed devices are the account's current device set. All keys share the account's hash
-- tag {u:<account>}, so this runs in one Redis Cluster slot.
--
-- KEYS[1]   account:{u:R}              the account (absent, with no devices: no such account)
-- KEYS[2]   devices:{u:R}              hash of the account's devices
-- KEYS[3]   regids:{u:R}               hash: device -> registration id, for the devices that have keys
-- KEYS[4]   dedup:{u:R}:<sender>:<id>  the stored answer for this message id, if it was appended before
-- KEYS[5]   routes:{u:R}               hash: device -> route of its live connection (read only, for the reply)
-- KEYS[6]   unread:{u:R}:<sender>      sorted set: ids of the sender's messages to R that R has not read, by
--                                      store time (what R may send a read receipt for; not for a sync copy)
-- KEYS[7..6+n] mbox:{u:R}:<device>     one mailbox stream per envelope (n envelopes)
-- KEYS[7+n..6+2n] pushtarget:{u:R}:<device>  only when ARGV[10] is '1': each envelope device's push target
-- KEYS[7+2n..6+3n] pushsched:{u:R}:<device>  only when ARGV[10] is '1': each envelope device's wake-up schedule
-- ARGV[1]   mode: 'append', or 'check' (only the device-set checks; nothing is written)
-- ARGV[2]   dedup window, seconds
-- ARGV[3]   retention, milliseconds (a full mailbox drops older entries; the stream expires when idle that long)
-- ARGV[4]   most entries one mailbox may hold (and most unread ids kept per sender)
-- ARGV[5]   sender account      ARGV[6] sender device      ARGV[7] message id
-- ARGV[8]   conversation of a sync copy (stored as field 't'), or '' for a message to this account
-- ARGV[9]   device left out of the device set (the sending device, when these are its own account's), or '0'
-- ARGV[10]  push: '1' to schedule wake-ups for devices without a live connection (push.enabled), else '0'
-- ARGV[11]  with push: how long (ms) a schedule may stay past its due time before an append takes it for lost
--           and reports the device due again; '0' without push
-- ARGV[12..] per envelope, in KEYS[7..] order: device number, registration id ('0': not given), ciphertext
--
-- Returns {'OK', at, route, entry, previous, ...} or {'DUP', at, route, '', '', ...} (the earlier answer), with
-- three values per envelope's device: the route of its live connection ('' when none) so the caller wakes it
-- without another round trip; the entry id written; and the id of the newest entry the mailbox held before it
-- ('' when it was empty), so a connection that has delivered everything up to that entry can push this one as
-- it is, without reading the mailbox (a repeat has no entry: it wakes the devices to read). Or a refusal that
-- changed nothing:
-- {'NO_ACCOUNT'}, {'MISMATCH', missing, extra}, {'STALE', stale} (comma-separated device numbers),
-- {'FULL', device}.
-- With push, the reply goes on after the three values per envelope: the number of devices whose wake-up was
-- already due (coalesced), then the number of every device a wake-up became due for (pushsched state set to
-- 'queued'): the caller adds those to the push queue before it answers. A repeat ('DUP') lists the devices whose
-- schedule is still 'queued' (the node that appended may have died before it queued them).
local account_key, devices_key, regids_key, dedup_key, routes_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local unread_key = KEYS[6]
local mode = ARGV[1]
-- The dedup window and the retention go back to Redis as the strings they came as: a Lua number passed to
-- redis.call is formatted with '%.17g' (snprintf), which costs about as much as the PEXPIRE it is for.
local dedup_seconds = ARGV[2]
local retention_ms = ARGV[3]
local max_length = tonumber(ARGV[4])
local sender, sender_device, message_id = ARGV[5], ARGV[6], ARGV[7]
local conversation = ARGV[8]
local left_out = ARGV[9]
local push = ARGV[10] == '1'
local stale_ms = tonumber(ARGV[11])
local envelopes = (#ARGV - 11) / 3
local first_mailbox, last_mailbox = 7, 6 + envelopes
-- Envelope i (KEYS[i], i >= first_mailbox) is ARGV[3i - 9] (device), ARGV[3i - 8] (registration id) and
-- ARGV[3i - 7] (ciphertext); with push, KEYS[i + n] is its push target and KEYS[i + 2n] its schedule.

if mode == 'append' then
  local at = redis.call('GET', dedup_key)
  if at then
    local reply, n = {'DUP', at}, 2
    local queued = {}
    for i = first_mailbox, last_mailbox do
      local route = redis.call('HGET', routes_key, ARGV[3 * i - 9]) or ''
      reply[n + 1], reply[n + 2], reply[n + 3] = route, '', ''
      n = n + 3
      if push and route == '' and redis.call('HGET', KEYS[i + 2 * envelopes], 'state') == 'queued' then
        queued[#queued + 1] = ARGV[3 * i - 9]
      end
    end
    if push then
      reply[n + 1] = 0
      for q = 1, #queued do
        reply[n + 1 + q] = queued[q]
      end
    end
    return reply
  end
end

-- The device set: every device with keys must be named; every named device must exist.
local named = {}
local extra = {}
local listed = false
for i = first_mailbox, last_mailbox do
  local device = ARGV[3 * i - 9]
  named[device] = true
  if device == left_out or redis.call('HEXISTS', devices_key, device) == 0 then
    extra[#extra + 1] = device
  else
    listed = true
  end
end
-- A listed device proves the account exists: only without one is the account looked up.
if not listed and redis.call('EXISTS', account_key, devices_key) == 0 then
  return {'NO_ACCOUNT'}
end
local missing = {}
local registered = redis.call('HGETALL', regids_key)
local regids = {}
for j = 1, #registered, 2 do
  local device = registered[j]
  regids[device] = registered[j + 1]
  if device ~= left_out and not named[device] then
    missing[#missing + 1] = device
  end
end
if #missing > 0 or #extra > 0 then
  return {'MISMATCH', table.concat(missing, ','), table.concat(extra, ',')}
end
local stale = {}
for i = first_mailbox, last_mailbox do
  local given = ARGV[3 * i - 8]
  if given ~= '0' and regids[ARGV[3 * i - 9]] ~= given then
    stale[#stale + 1] = ARGV[3 * i - 9]
  end
end
if #stale > 0 then
  return {'STALE', table.concat(stale, ',')}
end
-- Nothing to store (an empty "sync": the sender has no other device): the checks were the point.
if mode == 'check' or last_mailbox < first_mailbox then
  return {'OK', '0'}
end

-- Check every mailbox before writing any: all envelopes are stored, or none. A full mailbox first drops its
-- expired entries, so a mailbox full of stale entries frees itself. Below the cap an append does not trim: a
-- connection's first read drops what has expired, and an idle stream expires whole, so trimming on every append
-- would cost a command per envelope for nothing.
-- newest[mailbox]: its newest entry id; '' when it is empty (known from its length: no read), false when unknown.
local expired_before
local newest = {}
for i = first_mailbox, last_mailbox do
  local length = redis.call('XLEN', KEYS[i])
  if length >= max_length then
    if not expired_before then
      local time = redis.call('TIME')
      expired_before = tostring(tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
          - tonumber(retention_ms))
    end
    redis.call('XTRIM', KEYS[i], 'MINID', expired_before)
    length = redis.call('XLEN', KEYS[i])
    if length >= max_length then
      return {'FULL', ARGV[3 * i - 9]}
    end
  end
  newest[KEYS[i]] = length == 0 and ''
end

-- The answer: per envelope's device its route, the entry written and the entry before it.
local reply, n = {'OK', false}, 2
for i = first_mailbox, last_mailbox do
  local mailbox = KEYS[i]
  local previous = newest[mailbox] or redis.call('XREVRANGE', mailbox, '+', '-', 'COUNT', 1)[1][1]
  local entry
  if conversation == '' then
    entry = redis.call('XADD', mailbox, '*', 'k', 'm', 'f', sender, 'd', sender_device, 'i', message_id,
        'c', ARGV[3 * i - 7])
  else
    entry = redis.call('XADD', mailbox, '*', 'k', 'm', 'f', sender, 'd', sender_device, 'i', message_id,
        'c', ARGV[3 * i - 7], 't', conversation)
  end
  redis.call('PEXPIRE', mailbox, retention_ms)
  newest[mailbox] = entry
  reply[n + 1] = redis.call('HGET', routes_key, ARGV[3 * i - 9]) or ''
  reply[n + 2], reply[n + 3] = entry, previous
  n = n + 3
end
-- The store time: the milliseconds of the first entry written.
local at = string.match(reply[4], '^(%d+)')
reply[2] = at
-- Wake-ups: due for each device with no live connection and a push target, unless one is due already (coalesced;
-- a schedule left past its due time by more than stale_ms is taken for lost and queued again).
if push then
  local coalesced, due = 0, {}
  for i = first_mailbox, last_mailbox do
    local schedule = KEYS[i + 2 * envelopes]
    if reply[3 * (i - first_mailbox) + 3] == '' and redis.call('EXISTS', KEYS[i + envelopes]) == 1 then
      local state = redis.call('HMGET', schedule, 'state', 'due')
      if state[1] and tonumber(at) <= (tonumber(state[2]) or 0) + stale_ms then
        coalesced = coalesced + 1
      else
        redis.call('HSET', schedule, 'state', 'queued', 'due', at)
        redis.call('PEXPIRE', schedule, retention_ms)
        due[#due + 1] = ARGV[3 * i - 9]
      end
    end
  end
  reply[n + 1] = coalesced
  for d = 1, #due do
    reply[n + 1 + d] = due[d]
  end
end
redis.call('SET', dedup_key, at, 'EX', dedup_seconds)
-- R may now send a read receipt for it; the set keeps the newest ids (no more than a mailbox holds) and expires
-- with the retention when no message comes.
if conversation == '' then
  if redis.call('ZADD', unread_key, at, message_id) == 1 and redis.call('ZCARD', unread_key) > max_length then
    redis.call('ZREMRANGEBYRANK', unread_key, 0, -max_length - 1)
  end
  redis.call('PEXPIRE', unread_key, retention_ms)
end
return reply
