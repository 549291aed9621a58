-- Creates a local account if the account id is free: neither a local account nor one seen through an
-- external issuer's tokens may have it.
--
-- KEYS[1] account:{u:A}
-- ARGV[1] bcrypt hash of the password     ARGV[2] creation time, ms
--
-- Returns 1 when created, 0 when the id is taken.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'password', ARGV[1], 'created', ARGV[2])
return 1
