-- Rotates a device's refresh token: replaces the stored hash only if it still is the presented one, so a
-- refresh token works once even when two refreshes race.
--
-- KEYS[1] refresh:{u:A}:D   SHA-256 hex of the current refresh token
-- KEYS[2] devices:{u:A}     the account's devices
-- ARGV[1] device number     ARGV[2] hash of the presented token     ARGV[3] hash of the new token
-- ARGV[4] lifetime of the new token, milliseconds
--
-- Returns 1 when rotated, 0 when the presented token is not the current one, -1 when the device is gone.
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return -1
end
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1
