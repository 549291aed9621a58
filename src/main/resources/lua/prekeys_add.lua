-- Adds one-time pre-keys to a device that has set its identity, and may rotate its signed pre-key.
--
-- KEYS[1] keys:{u:A}:D     KEYS[2] otpk:{u:A}:D     KEYS[3] kyber:{u:A}:D
-- ARGV[1] new signed pre-key (JSON), or '' to keep the current one
-- ARGV[2] most one-time keys stored per kind
-- ARGV[3] number n of one-time EC pre-keys; ARGV[4 .. 3+n] them; the rest: one-time Kyber pre-keys
--
-- Returns 1, or -1 when the device has no identity yet, -2 when the keys would exceed the maximum.
local keys_key, otpk_key, kyber_key = KEYS[1], KEYS[2], KEYS[3]
local max_stored = tonumber(ARGV[2])
local ec_count = tonumber(ARGV[3])
local first_kyber = 4 + ec_count

if redis.call('EXISTS', keys_key) == 0 then
  return -1
end
if redis.call('LLEN', otpk_key) + ec_count > max_stored
    or redis.call('LLEN', kyber_key) + (#ARGV - first_kyber + 1) > max_stored then
  return -2
end
if ARGV[1] ~= '' then
  redis.call('HSET', keys_key, 'signedPreKey', ARGV[1])
end
for i = 4, first_kyber - 1 do
  redis.call('RPUSH', otpk_key, ARGV[i])
end
for i = first_kyber, #ARGV do
  redis.call('RPUSH', kyber_key, ARGV[i])
end
return 1
