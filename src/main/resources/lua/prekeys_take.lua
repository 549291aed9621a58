-- Takes a pre-key bundle for one device, or for every device with keys, of one account: each device's
-- identity, signed pre-key, one one-time EC pre-key (if any is left) and one one-time Kyber pre-key (else the
-- last-resort one). LPOP inside one script: no one-time key is ever handed out twice. The per-device keys are
-- built here from their prefixes, which carry the account's hash tag (one Redis Cluster slot).
--
-- KEYS[1] account:{u:A}   KEYS[2] devices:{u:A}   KEYS[3] regids:{u:A}
-- ARGV[1] 'keys:{u:A}:'   ARGV[2] 'otpk:{u:A}:'   ARGV[3] 'kyber:{u:A}:'
-- ARGV[4] a device number, or '' for every device with keys
--
-- Returns {'OK', d1, identity1, regid1, signed1, prekey1 or '', kyber1, d2, ...}, or {'NO_ACCOUNT'},
-- {'NO_DEVICE'}, {'NO_KEYS'}.
local account_key, devices_key, regids_key = KEYS[1], KEYS[2], KEYS[3]
local keys_prefix, otpk_prefix, kyber_prefix, only = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

if redis.call('EXISTS', account_key) == 0 and redis.call('EXISTS', devices_key) == 0 then
  return {'NO_ACCOUNT'}
end
local devices
if only == '' then
  devices = redis.call('HKEYS', regids_key)
else
  if redis.call('HEXISTS', devices_key, only) == 0 then
    return {'NO_DEVICE'}
  end
  devices = {}
  if redis.call('HEXISTS', regids_key, only) == 1 then
    devices = {only}
  end
end
if #devices == 0 then
  return {'NO_KEYS'}
end

local reply = {'OK'}
for _, device in ipairs(devices) do
  local keys = redis.call('HMGET', keys_prefix .. device, 'identityKey', 'registrationId', 'signedPreKey',
      'lastResortKyberPreKey')
  local prekey = redis.call('LPOP', otpk_prefix .. device) or ''
  local kyber = redis.call('LPOP', kyber_prefix .. device) or keys[4]
  table.insert(reply, device)
  table.insert(reply, keys[1])
  table.insert(reply, keys[2])
  table.insert(reply, keys[3])
  table.insert(reply, prekey)
  table.insert(reply, kyber)
end
return reply
