"""The Lua scripts of the coherence protocol. Each touches the keys of one item (one slot).

A fill is guarded by a lease: a miss takes one (``SET NX PX``), a write voids it, and the
fill's value is stored only if the lease is still the fill's own and the store runs before
its deadline (so a store that a paused or slow Redis delivers late is refused). Writes mark
the item before DynamoDB is written (value deleted, a writer's lease set) and release it
after (value deleted, leases voided), or, in write-through, store the new value if their
own lease survived."""

from __future__ import annotations

from modelkit.cache._transport import Script

NOW = (
    "local clock = redis.call('TIME')\nlocal now = clock[1] * 1000 + math.floor(clock[2] / 1000)\n"
)

BEGIN_FILL = Script(
    """#!lua
if ARGV[3] == '0' then
  local v = redis.call('GET', KEYS[1])
  if v then return {1, v} end
end
"""
    + NOW
    + """if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, now}
end
return {2, now}
"""
)
"""KEYS value, lease; ARGV token, lease ms, force. {1, value} if a value is there (unless
forced), {0, now} when the lease is taken, {2, now} when another holds it."""

COMMIT_FILL = Script(
    """#!lua
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
"""
    + NOW
    + """if now > tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[2])
  return -1
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
"""
)
"""KEYS value, lease; ARGV token, envelope, ttl ms, deadline ms. 1 stored, 0 lease lost
(a write came first), -1 too late. Denied when Redis is out of memory (noeviction)."""

RELEASE_FILL = Script(
    """#!lua flags=allow-oom
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""
)
"""KEYS lease; ARGV token. Gives back a lease whose fill stores nothing."""

MARK = Script(
    """#!lua flags=allow-oom
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
"""
    + NOW
    + """return now
"""
)
"""KEYS value, lease; ARGV token, lease ms. Before a write: drop the value, void every fill's
lease. Returns the server's time in ms."""

WRITE_THROUGH = Script(
    """#!lua
"""
    + NOW
    + """if redis.call('GET', KEYS[2]) == ARGV[1] and now <= tonumber(ARGV[4]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return 1
end
redis.call('DEL', KEYS[1], KEYS[2])
return 0
"""
)
"""KEYS value, lease; ARGV token, envelope, ttl ms, deadline ms. After a write: store its
value if this writer's lease survived, else drop the value (1 stored, 0 dropped)."""

ALL = (BEGIN_FILL, COMMIT_FILL, RELEASE_FILL, MARK, WRITE_THROUGH)
