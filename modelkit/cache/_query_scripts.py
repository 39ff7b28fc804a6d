"""Lua scripts of cached query pages. A partition's pages live in one hash (one slot):
field ``#g`` is the partition's generation, ``#t`` the server time (ms) of its last
invalidation, and every other field a page. A write replaces the generation, so a fill begun
before it can no longer store, and pages stored under the old one are ignored."""

from __future__ import annotations

from modelkit.cache._scripts import NOW
from modelkit.cache._transport import Script

BEGIN_PAGE = Script(
    """#!lua
local g = redis.call('HGET', KEYS[1], '#g')
if not g then
  g = ARGV[1]
  redis.call('HSET', KEYS[1], '#g', g)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local last = redis.call('HGET', KEYS[1], '#t') or '0'
"""
    + NOW
    + """return {g, last, now}
"""
)
"""KEYS partition; ARGV new generation, ttl ms. {generation, last invalidation ms, now ms}."""

COMMIT_PAGE = Script(
    """#!lua
if redis.call('HGET', KEYS[1], '#g') ~= ARGV[1] then return 0 end
"""
    + NOW
    + """if now > tonumber(ARGV[5]) then return -1 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[6]) then
  redis.call('DEL', KEYS[1])
  return -2
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
"""
)
"""KEYS partition; ARGV generation, page id, page, ttl ms, deadline ms, most pages. 1 stored,
0 a write came first, -1 too late, -2 the partition held too many pages (dropped)."""

INVALIDATE_PARTITION = Script(
    """#!lua flags=allow-oom
redis.call('DEL', KEYS[1])
"""
    + NOW
    + """redis.call('HSET', KEYS[1], '#g', ARGV[1], '#t', now)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
)
"""KEYS partition; ARGV new generation, ms to remember the invalidation."""

BEGIN_INDEX = Script(
    """#!lua
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
return redis.call('GET', KEYS[1])
"""
)
"""KEYS index generation; ARGV new generation, ttl ms. The index's current generation."""

ALL = (BEGIN_PAGE, COMMIT_PAGE, INVALIDATE_PARTITION, BEGIN_INDEX)
