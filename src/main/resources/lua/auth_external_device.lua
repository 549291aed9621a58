-- Makes sure the device of an external issuer's token exists, and that its subject is not a local account:
-- an identity provider must not be able to speak for (or read the mailboxes of) a local user.
--
-- KEYS[1] account:{u:A}      KEYS[2] devices:{u:A}
-- ARGV[1] device number      ARGV[2] device record (JSON)
--
-- Returns 1 when the device exists (now or before), -1 when A is a local account.
if redis.call('HEXISTS', KEYS[1], 'password') == 1 then
  return -1
end
redis.call('HSETNX', KEYS[1], 'external', '1')
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
return 1
