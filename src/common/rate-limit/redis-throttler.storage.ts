import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';

// One round trip, atomic: count the hit in a fixed window, and start a block when over the limit.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blocked = redis.call('PTTL', KEYS[2])
if blocked <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return { hits, ttl, blocked }`;

const FAIL_OPEN_LOG_INTERVAL_MS = 60_000;
const CONNECT_WAIT_MS = 2_000;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Throttler storage in Redis, so that a limit holds across every instance. When Redis cannot be
 * reached requests are served anyway (fail open), and that is logged at most once a minute.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private lastFailureLog = 0;
  readonly redis: Redis;

  constructor(
    url: string,
    private readonly keyPrefix: string,
  ) {
    this.redis = new Redis(url, {
      // Fail fast instead of queueing commands while Redis is away; reconnect in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
      lazyConnect: false,
    });
    // Errors surface through increment(); without a listener ioredis would print each one.
    this.redis.on('error', () => undefined);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const hitsKey = `${this.keyPrefix}throttle:${throttlerName}:${key}`;
    try {
      const [totalHits, ttlMs, blockedMs] = (await this.redis.eval(
        INCREMENT,
        2,
        hitsKey,
        `${hitsKey}:blocked`,
        ttl,
        limit,
        blockDuration,
      )) as [number, number, number];
      const isBlocked = blockedMs > 0;
      return {
        totalHits,
        timeToExpire: Math.ceil(Math.max(ttlMs, 0) / 1000),
        isBlocked,
        timeToBlockExpire: isBlocked ? Math.ceil(blockedMs / 1000) : 0,
      };
    } catch (error) {
      this.logFailure(error);
      return {
        totalHits: 0,
        timeToExpire: Math.ceil(ttl / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      };
    }
  }

  /** For /health: whether Redis answers now. */
  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /**
   * Waits (at most CONNECT_WAIT_MS) for the first connection before the server takes requests:
   * hits counted while still connecting would be lost to fail-open, and the first clients of a
   * fresh instance would get a larger budget.
   */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    // Not events.once: it rejects on 'error', and an unreachable Redis must not stop the start.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CONNECT_WAIT_MS);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  private logFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLog < FAIL_OPEN_LOG_INTERVAL_MS) return;
    this.lastFailureLog = now;
    this.logger.warn(
      `Redis unreachable (${error instanceof Error ? error.message : String(error)}): rate limits are not enforced until it is back`,
    );
  }
}
