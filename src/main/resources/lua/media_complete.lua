-- Makes an attachment complete with the version its parts were copied to, unless another completion won first.
-- The first version claimed stays the attachment's for good: a completed attachment never changes.
--
-- KEYS[1] att:{a:<id>}
-- ARGV[1] the version: the random name of this completion's copies
--
-- Returns the attachment's version (ARGV[1] when this call completed it, else the earlier one), or false when the
-- record is gone (expired): nothing is written then.
local record = KEYS[1]
local version = ARGV[1]
if redis.call('EXISTS', record) == 0 then
  return false
end
local claimed = redis.call('HGET', record, 'version')
if claimed then
  return claimed
end
redis.call('HSET', record, 'version', version, 'complete', 1)
return version
