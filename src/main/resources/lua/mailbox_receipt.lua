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
local devices_key = KEYS[1]
local prefix = ARGV[1]
-- The retention goes back to Redis as the string it came as: a Lua number passed to redis.call is formatted
-- with '%.17g', which cost more than the PEXPIRE it was the argument of.
local retention_ms = ARGV[2]

local devices = redis.call('HKEYS', devices_key)
local written = {}
for _, device in ipairs(devices) do
  local mailbox = prefix .. device
  local newest = redis.call('XREVRANGE', mailbox, '+', '-', 'COUNT', 1)
  local entry = redis.call('XADD', mailbox, '*', 'k', ARGV[3], 'f', ARGV[4], 'd', ARGV[5], 'i', ARGV[6])
  redis.call('PEXPIRE', mailbox, retention_ms)
  table.insert(written, device)
  table.insert(written, redis.call('HGET', KEYS[2], device) or '')
  table.insert(written, entry)
  table.insert(written, newest[1] and newest[1][1] or '')
end
return written
