-- Sets a device's identity, registration id, signed and last-resort Kyber pre-keys, and adds one-time keys.
-- A new identity key drops the device's stored one-time keys first: they were signed for the old identity.
--
-- KEYS[1] devices:{u:A}    KEYS[2] keys:{u:A}:D    KEYS[3] regids:{u:A}
-- KEYS[4] otpk:{u:A}:D     KEYS[5] kyber:{u:A}:D
-- ARGV[1] device   ARGV[2] identity key   ARGV[3] registration id   ARGV[4] signed pre-key (JSON)
-- ARGV[5] last-resort Kyber pre-key (JSON)   ARGV[6] most one-time keys stored per kind
-- ARGV[7] number n of one-time EC pre-keys; ARGV[8 .. 7+n] them; the rest: one-time Kyber pre-keys (JSON each)
--
-- Returns 1, or -1 when the device no longer exists, -2 when the one-time keys would exceed the maximum.
local devices_key, keys_key, regids_key, otpk_key, kyber_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local device, identity = ARGV[1], ARGV[2]
local max_stored = tonumber(ARGV[6])
local ec_count = tonumber(ARGV[7])
local first_kyber = 8 + ec_count

if redis.call('HEXISTS', devices_key, device) == 0 then
  return -1
end
local previous = redis.call('HGET', keys_key, 'identityKey')
if previous and previous ~= identity then
  redis.call('DEL', otpk_key, kyber_key)
end
if redis.call('LLEN', otpk_key) + ec_count > max_stored
    or redis.call('LLEN', kyber_key) + (#ARGV - first_kyber + 1) > max_stored then
  return -2
end
redis.call('HSET', keys_key, 'identityKey', identity, 'registrationId', ARGV[3], 'signedPreKey', ARGV[4],
    'lastResortKyberPreKey', ARGV[5])
redis.call('HSET', regids_key, device, ARGV[3])
for i = 8, first_kyber - 1 do
  redis.call('RPUSH', otpk_key, ARGV[i])
end
for i = first_kyber, #ARGV do
  redis.call('RPUSH', kyber_key, ARGV[i])
end
return 1
