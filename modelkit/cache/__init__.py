"""Redis as the repositories' read cache, by each entity's :class:`CachePolicy`.

>>> cache = RedisCache("redis://127.0.0.1:6379")            # doctest: +SKIP
>>> db = connect(design, endpoint_url=..., cache=cache)      # doctest: +SKIP
>>> db.repo(Customer).get(customer_id="c-42")                # doctest: +SKIP
>>> cache.metrics()["Customer"].hit_ratio                    # doctest: +SKIP
"""

from modelkit.cache._breaker import BreakerState, CircuitBreaker
from modelkit.cache._connection import open_client
from modelkit.cache._entity_cache import EntityCache
from modelkit.cache._metrics import CacheMetrics
from modelkit.cache._naming import fingerprint
from modelkit.cache._query_cache import QueryCache
from modelkit.cache._redis_cache import RedisCache
from modelkit.schema import CachePolicy

__all__ = [
    "BreakerState",
    "CacheMetrics",
    "CachePolicy",
    "CircuitBreaker",
    "EntityCache",
    "QueryCache",
    "RedisCache",
    "fingerprint",
    "open_client",
]
