import { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { RateLimit } from '../../config/app-config.service';
import { RateLimitBucketName } from './rate-limit-bucket.decorator';

/** The named limits, kept in `storage` (Redis) when given, else in this process's memory. */
export function throttlerOptions(
  limits: Record<RateLimitBucketName, RateLimit>,
  storage: ThrottlerStorage | null,
): ThrottlerModuleOptions {
  return {
    ...(storage ? { storage } : {}),
    // One budget per limit and client, whichever operation is called (the throttler's own key
    // would give every resolver a budget of its own).
    generateKey: (_context, tracker, name) => `${name}-${tracker}`,
    // Retry-After is set by the guard, under its standard name for every limit.
    setHeaders: false,
    throttlers: (Object.keys(limits) as RateLimitBucketName[]).map((name) => ({
      name,
      limit: limits[name].limit,
      ttl: limits[name].ttlMs,
    })),
  };
}
