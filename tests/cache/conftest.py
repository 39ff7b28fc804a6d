from tests.redis_services import fresh_redis, redis_cluster, redis_server

__all__ = ["fresh_redis", "redis_cluster", "redis_server"]
