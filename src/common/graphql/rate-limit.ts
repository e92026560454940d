import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import {
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { RateLimit } from '../../config/app-config.service';
import { TooManyRequestsError } from '../errors';

/** The named limits: RATE_LIMIT_DEFAULT for queries, RATE_LIMIT_SETUP, RATE_LIMIT_CHAT. */
export type RateLimitBucketName = 'default' | 'setup' | 'chat';

const BUCKET_KEY = 'factory-agent:rate-limit-bucket';

/** Puts an operation under a named limit instead of the default one. */
export const RateLimitBucket = (bucket: RateLimitBucketName) => SetMetadata(BUCKET_KEY, bucket);

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
    // Retry-After is set below, under its standard name for every limit.
    setHeaders: false,
    throttlers: (Object.keys(limits) as RateLimitBucketName[]).map((name) => ({
      name,
      limit: limits[name].limit,
      ttl: limits[name].ttlMs,
    })),
  };
}

/**
 * @nestjs/throttler for GraphQL: limits per client IP (req.ip, which honours X-Forwarded-For only
 * with TRUST_PROXY), and each operation counts against exactly one named limit.
 */
@Injectable()
export class GqlThrottlerGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext): {
    req: Request;
    res: Response;
  } {
    if (context.getType<GqlContextType>() === 'graphql') {
      const { req, res } = GqlExecutionContext.create(context).getContext<{
        req: Request;
        res: Response;
      }>();
      return { req, res };
    }
    const http = context.switchToHttp();
    return { req: http.getRequest<Request>(), res: http.getResponse<Response>() };
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const bucket =
      this.reflector.getAllAndOverride<RateLimitBucketName | undefined>(BUCKET_KEY, [
        request.context.getHandler(),
        request.context.getClass(),
      ]) ?? 'default';
    return request.throttler.name === bucket ? super.handleRequest(request) : true;
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    this.getRequestResponse(context).res.setHeader('Retry-After', String(seconds));
    throw new TooManyRequestsError(seconds);
  }
}
