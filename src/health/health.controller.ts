import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { RATE_LIMIT_STORAGE } from '../common/rate-limit/rate-limit-storage.module';
import { RedisThrottlerStorage } from '../common/rate-limit/redis-throttler.storage';
import { BrokerHealth, MqttIngestService } from '../ingest/mqtt/mqtt-ingest.service';
import { DatabaseHealthIndicator } from './database.health';

/**
 * GET /health, for load balancers; never throttled. 503 when the database fails. Redis, when
 * configured, is reported but does not fail the check: without it requests are still served
 * (rate limits fail open), so taking the instance out of the balancer would only make things worse.
 * The MQTT broker (MQTT_URL) is reported the same way: signals wait at the broker while it is away.
 */
@SkipThrottle({ default: true, setup: true, chat: true })
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    @Inject(RATE_LIMIT_STORAGE) private readonly redis: RedisThrottlerStorage | null,
    private readonly mqtt: MqttIngestService,
  ) {}

  @Get()
  @HealthCheck()
  async check(): Promise<
    HealthCheckResult & { rateLimits: Record<string, unknown>; mqtt: BrokerHealth }
  > {
    const result = await this.health.check([() => this.database.check('database')]);
    const rateLimits = this.redis
      ? (await this.redis.ping())
        ? { store: 'redis', status: 'up' }
        : {
            store: 'redis',
            status: 'down',
            message: 'Redis is unreachable: rate limits are not enforced',
          }
      : { store: 'memory', status: 'up' };
    return { ...result, rateLimits, mqtt: this.mqtt.health() };
  }
}
