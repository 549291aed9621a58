-- Removes a device's push target if it is still the one the push service refused for good (the device may have
-- registered a new one since), in the device's slot {u:A}.
--
-- KEYS[1] pushtarget:{u:A}:D   hash: kind and the target's fields
-- ARGV[1] kind    ARGV[2] the field that identifies the target (token | endpoint)    ARGV[3] its value
--
-- Returns 1 when removed, 0 when the target had changed (or was gone).
local target_key = KEYS[1]
local t = redis.call('HMGET', target_key, 'kind', ARGV[2])
if t[1] == ARGV[1] and t[2] == ARGV[3] then
  redis.call('DEL', target_key)
  return 1
end
return 0
