import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { TooManyRequestsError } from '../errors';
import { BUCKET_KEY, RateLimitBucketName } from './rate-limit-bucket.decorator';

/**
 * @nestjs/throttler for GraphQL: limits per client IP (req.ip, which honours X-Forwarded-For only
 * with TRUST_PROXY), and each operation counts against exactly one named limit.
 */
@Injectable()
export class GqlThrottlerGuard extends ThrottlerGuard {
  /** Client address -> its tracker (IPv6 addresses grouped by subnet), for the addresses seen last. */
  private readonly trackers = new Map<string, string>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
  ) {
    // The guard looks up about twenty decorator values per operation, the same ones every time.
    super(options, storage, new StaticMetadata(reflector));
  }

  /** The throttler's own tracker (req.ip; an IPv6 address by its subnet), worked out once per address. */
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const ip = req.ip;
    if (typeof ip !== 'string') return super.getTracker(req);
    let tracker = this.trackers.get(ip);
    if (tracker === undefined) {
      tracker = await super.getTracker(req);
      if (this.trackers.size >= TRACKERS_KEPT) this.trackers.clear();
      this.trackers.set(ip, tracker);
    }
    return tracker;
  }

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

const TRACKERS_KEPT = 10_000;

/**
 * Decorator values (metadata), which never change once the application is built, remembered per
 * handler or class and key.
 */
class StaticMetadata extends Reflector {
  private readonly seen = new WeakMap<object, Map<unknown, unknown>>();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override get: Reflector['get'] = ((key: Parameters<Reflector['get']>[0], target: object) => {
    let values = this.seen.get(target);
    if (!values) {
      values = new Map();
      this.seen.set(target, values);
    }
    if (!values.has(key)) values.set(key, this.reflector.get(key, target as never));
    return values.get(key);
  }) as Reflector['get'];
}
