-- Appends one receipt to every device mailbox of a message's sender, so each of the sender's devices
-- (online or not) gets its ticks. All keys share the sender's hash tag {u:S}: one Redis Cluster slot.
-- The mailbox keys are built here from the device list, which is why the script takes their prefix.
--
-- KEYS[1] devices:{u:S}        hash of the sender's devices
-- KEYS[2] routes:{u:S}         hash: device -> route of its live connection (read only, for the reply)
-- ARGV[1] mbox:{u:S}:          mailbox key prefix of the sender (the device number completes it)
-- ARGV[2] retention, milliseconds
-- ARGV[3] kind: delivered | read
-- ARGV[4] account that received or read the messages    ARGV[5] its device
-- ARGV[6] message ids, separated by single spaces
-- ARGV[7] push: '1' when a receipt makes wake-ups due (push.enabled and push.receipts), else '0' (then no more)
-- ARGV[8] pushtarget:{u:S}:   push target key prefix    ARGV[9] pushsched:{u:S}:   schedule key prefix
-- ARGV[10] how long (ms) a schedule may stay past its due time before it is taken for lost and queued again
--
-- Returns four values per device written: its number, its route ('' when not connected), the entry id written and
-- the id of the newest entry its mailbox held before ('' when empty); nothing when the sender has no devices
-- (deleted account: dropped). With push, a fifth: 'due' when a wake-up became due for the device (no live
-- connection, a push target, none due yet: the caller queues it), 'coalesced' when one was due already, else ''.
-- Receipts are not capped by the mailbox length: they are server-made and small, and refusing one would
-- fail the recipient's ack.
local devices_key, routes_key = KEYS[1], KEYS[2]
local prefix = ARGV[1]
-- The retention goes back to Redis as the string it came as: a Lua number passed to redis.call is formatted
-- with '%.17g' (snprintf), which costs about as much as the PEXPIRE it is for.
local retention_ms = ARGV[2]
local kind, by, by_device, ids = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local push = ARGV[7] == '1'
local stride = push and 5 or 4

local devices = redis.call('HKEYS', devices_key)
local written = {}
for d = 1, #devices do
  local device = devices[d]
  local mailbox = prefix .. device
  local newest = redis.call('XREVRANGE', mailbox, '+', '-', 'COUNT', 1)[1]
  local entry = redis.call('XADD', mailbox, '*', 'k', kind, 'f', by, 'd', by_device, 'i', ids)
  redis.call('PEXPIRE', mailbox, retention_ms)
  local n = stride * (d - 1)
  local route = redis.call('HGET', routes_key, device) or ''
  written[n + 1], written[n + 2] = device, route
  written[n + 3], written[n + 4] = entry, newest and newest[1] or ''
  if push then
    written[n + 5] = ''
    if route == '' and redis.call('EXISTS', ARGV[8] .. device) == 1 then
      local schedule = ARGV[9] .. device
      local at = tonumber(string.match(entry, '^(%d+)'))
      local state = redis.call('HMGET', schedule, 'state', 'due')
      if state[1] and at <= (tonumber(state[2]) or 0) + tonumber(ARGV[10]) then
        written[n + 5] = 'coalesced'
      else
        redis.call('HSET', schedule, 'state', 'queued', 'due', at)
        redis.call('PEXPIRE', schedule, retention_ms)
        written[n + 5] = 'due'
      end
    end
  end
end
return written
