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
--
-- Returns four values per device written: its number, its route ('' when not connected), the entry id written and
-- the id of the newest entry its mailbox held before ('' when empty); nothing when the sender has no devices
-- (deleted account: dropped).
-- Receipts are not capped by the mailbox length: they are server-made and small, and refusing one would
-- fail the recipient's ack.
local devices_key, routes_key = KEYS[1], KEYS[2]
local prefix = ARGV[1]
-- The retention goes back to Redis as the string it came as: a Lua number passed to redis.call is formatted
-- with '%.17g' (snprintf), which costs about as much as the PEXPIRE it is for.
local retention_ms = ARGV[2]
local kind, by, by_device, ids = ARGV[3], ARGV[4], ARGV[5], ARGV[6]

local devices = redis.call('HKEYS', devices_key)
local written = {}
for d = 1, #devices do
  local device = devices[d]
  local mailbox = prefix .. device
  local newest = redis.call('XREVRANGE', mailbox, '+', '-', 'COUNT', 1)[1]
  local entry = redis.call('XADD', mailbox, '*', 'k', kind, 'f', by, 'd', by_device, 'i', ids)
  redis.call('PEXPIRE', mailbox, retention_ms)
  local n = 4 * d
  written[n - 3], written[n - 2] = device, redis.call('HGET', routes_key, device) or ''
  written[n - 1], written[n] = entry, newest and newest[1] or ''
end
return written
