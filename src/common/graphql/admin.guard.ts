import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config.service';
import { bearerToken, secretEquals } from '../auth/bearer-token';
import { ForbiddenError, UnauthenticatedError } from '../errors';

/**
 * Operations that overwrite data need `Authorization: Bearer <ADMIN_API_KEY>`. Without a configured
 * key they are disabled: never open to anyone.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.adminApiKey;
    if (!expected) {
      throw new ForbiddenError(
        'This operation changes stored data and is disabled: set ADMIN_API_KEY on the server to enable it, then send Authorization: Bearer <ADMIN_API_KEY>.',
      );
    }
    const req = GqlExecutionContext.create(context).getContext<{ req: Request }>().req;
    const token = bearerToken(req);
    if (!token || !secretEquals(token, expected)) {
      throw new UnauthenticatedError(
        token ? 'Invalid admin API key.' : 'Missing Authorization: Bearer <ADMIN_API_KEY> header.',
      );
    }
    return true;
  }
}
