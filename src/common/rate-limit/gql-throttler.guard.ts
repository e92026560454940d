import { ExecutionContext, Injectable } from '@nestjs/common';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { TooManyRequestsError } from '../errors';
import { BUCKET_KEY, RateLimitBucketName } from './rate-limit-bucket.decorator';

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
