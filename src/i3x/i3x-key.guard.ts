import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, matchesAnyKey } from '../common/auth/bearer-token';
import { AppConfig } from '../config/app-config.service';
import { I3xError } from './i3x.types';

/**
 * i3X needs `Authorization: Bearer <one of I3X_API_KEYS>` except `GET /info`; without keys it is
 * closed (403), like MCP over HTTP.
 */
@Injectable()
export class I3xKeyGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (req.method === 'GET' && /\/info\/?$/.test(req.path)) return true;
    const keys = this.config.i3xApiKeys;
    if (keys.length === 0) {
      throw new I3xError(
        403,
        'i3X is disabled: set I3X_API_KEYS on the server, then send Authorization: Bearer <one of them>',
      );
    }
    if (!matchesAnyKey(bearerToken(req), keys)) {
      throw new I3xError(401, 'Missing or invalid bearer token (one of I3X_API_KEYS)');
    }
    return true;
  }
}
