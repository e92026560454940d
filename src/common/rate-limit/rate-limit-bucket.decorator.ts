import { SetMetadata } from '@nestjs/common';

/** The named limits: RATE_LIMIT_DEFAULT for queries, RATE_LIMIT_SETUP, RATE_LIMIT_CHAT. */
export type RateLimitBucketName = 'default' | 'setup' | 'chat';

export const BUCKET_KEY = 'factory-agent:rate-limit-bucket';

/** Puts an operation under a named limit instead of the default one. */
export const RateLimitBucket = (bucket: RateLimitBucketName) => SetMetadata(BUCKET_KEY, bucket);
