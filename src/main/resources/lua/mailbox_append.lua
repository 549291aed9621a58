-- Appends one message to the listed device mailboxes of one recipient, atomically and idempotently.
-- All keys share the recipient's hash tag {u:<recipient>}, so this runs in one Redis Cluster slot.
--
-- KEYS[1]   account:{u:R}                  the recipient's account (absent: no such account)
-- KEYS[2]   devices:{u:R}                  hash of the recipient's devices
-- KEYS[3]   dedup:{u:R}:<sender>:<id>      the stored answer for this message id, if it was appended before
-- KEYS[4..] mbox:{u:R}:<device>            one mailbox stream per envelope
-- ARGV[1]   dedup window, seconds
-- ARGV[2]   retention, milliseconds (older entries are trimmed; the stream itself expires when idle that long)
-- ARGV[3]   most entries one mailbox may hold
-- ARGV[4]   sender account      ARGV[5] sender device      ARGV[6] message id
-- ARGV[7..] per envelope, in KEYS[4..] order: device number, then base64 ciphertext
--
-- Returns {'OK', at} or {'DUP', at} (the earlier answer), or a refusal that changed nothing:
-- {'NO_ACCOUNT'}, {'NO_DEVICE', device}, {'FULL', device}.
local account_key = KEYS[1]
local devices_key = KEYS[2]
local dedup_key = KEYS[3]
local dedup_seconds = tonumber(ARGV[1])
local retention_ms = tonumber(ARGV[2])
local max_length = tonumber(ARGV[3])
local sender = ARGV[4]
local sender_device = ARGV[5]
local message_id = ARGV[6]

local previous = redis.call('GET', dedup_key)
if previous then
  return {'DUP', previous}
end
if redis.call('EXISTS', account_key) == 0 and redis.call('EXISTS', devices_key) == 0 then
  return {'NO_ACCOUNT'}
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expired_before = tostring(now - retention_ms)

-- Check every mailbox before writing any: all envelopes are stored, or none.
for i = 4, #KEYS do
  local device = ARGV[7 + (i - 4) * 2]
  if redis.call('HEXISTS', devices_key, device) == 0 then
    return {'NO_DEVICE', device}
  end
  -- Dropping expired entries first means a full mailbox of stale entries frees itself.
  redis.call('XTRIM', KEYS[i], 'MINID', expired_before)
  if redis.call('XLEN', KEYS[i]) >= max_length then
    return {'FULL', device}
  end
end

local at
for i = 4, #KEYS do
  local ciphertext = ARGV[8 + (i - 4) * 2]
  local entry = redis.call('XADD', KEYS[i], '*', 'k', 'm', 'f', sender, 'd', sender_device, 'i', message_id,
      'c', ciphertext)
  redis.call('PEXPIRE', KEYS[i], retention_ms)
  at = at or string.match(entry, '^(%d+)')
end
redis.call('SET', dedup_key, at, 'EX', dedup_seconds)
return {'OK', at}
