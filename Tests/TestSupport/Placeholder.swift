// Placeholder: filled by the Redis work (RedisServerProcess, BlockingRedis).
