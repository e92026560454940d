import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, secretEquals } from '../common/auth/bearer-token';
import { ForbiddenError, UnauthenticatedError } from '../common/errors';
import { AppConfig } from '../config/app-config.service';

/** The client an MCP request comes from, as audit lines name it: its key's number and address. */
export type McpRequest = Request & { mcpClient?: string };

/**
 * MCP over HTTP needs `Authorization: Bearer <one of MCP_API_KEYS>`; without keys it is closed
 * (the tools read the whole plant's data). The key's number (1 for the first) names the client in
 * the audit log; the key itself is never logged.
 */
@Injectable()
export class McpKeyGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const keys = this.config.mcpApiKeys;
    if (keys.length === 0) {
      throw new ForbiddenError(
        'MCP over HTTP is disabled: set MCP_API_KEYS on the server, then send Authorization: Bearer <one of them>.',
      );
    }
    const req = context.switchToHttp().getRequest<McpRequest>();
    const token = bearerToken(req);
    const matches = keys.map((key) => token !== undefined && secretEquals(token, key));
    const index = matches.indexOf(true);
    if (index < 0) {
      throw new UnauthenticatedError(
        token ? 'Invalid MCP API key.' : 'MCP needs Authorization: Bearer <one of MCP_API_KEYS>.',
      );
    }
    req.mcpClient = `key-${index + 1}@${req.ip ?? 'unknown'}`;
    return true;
  }
}
