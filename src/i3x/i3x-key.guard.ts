import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, matchesAnyKey, secretEquals } from '../common/auth/bearer-token';
import { AppConfig } from '../config/app-config.service';
import { I3xError } from './i3x.types';

/**
 * i3X needs `Authorization: Bearer <one of I3X_API_KEYS or ADMIN_API_KEY>` except `GET /info`;
 * without I3X_API_KEYS it is closed (403), like MCP over HTTP. Writes need ADMIN_API_KEY (see
 * `writer`).
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
    const admin = this.config.adminApiKey;
    if (!matchesAnyKey(bearerToken(req), admin ? [...keys, admin] : keys)) {
      throw new I3xError(401, 'Missing or invalid bearer token (one of I3X_API_KEYS)');
    }
    return true;
  }

  /**
   * Whether the request may write: the server has ADMIN_API_KEY and the request presents it (a
   * request without a key is told what the server offers, as `GET /info` is public).
   */
  mayWrite(req: Request): boolean {
    const admin = this.config.adminApiKey;
    const token = bearerToken(req);
    return Boolean(admin) && (token === undefined || secretEquals(token, admin as string));
  }

  /** Refuses a write unless the request presents ADMIN_API_KEY (501 when the server has none). */
  writer(req: Request): void {
    const admin = this.config.adminApiKey;
    if (!admin) {
      throw new I3xError(
        501,
        'Writes are off: set ADMIN_API_KEY on the server, then write with it as the bearer token',
      );
    }
    const token = bearerToken(req);
    if (token === undefined || !secretEquals(token, admin)) {
      throw new I3xError(403, 'Writes need the admin key (ADMIN_API_KEY) as the bearer token');
    }
  }
}
