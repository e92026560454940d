import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.service';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/** The shared rate-limit store: Redis when REDIS_URL is set, null for the throttler's in-memory one. */
export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

@Global()
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        config.redisUrl ? new RedisThrottlerStorage(config.redisUrl, config.redisKeyPrefix) : null,
    },
  ],
  exports: [RATE_LIMIT_STORAGE],
})
export class RateLimitStorageModule {}
