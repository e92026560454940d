import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import { bearerToken, matchesAnyKey } from '../common/auth/bearer-token';
import { UnauthenticatedError } from '../common/errors';
import { AppConfig } from '../config/app-config.service';

/** With CHAT_API_KEYS set, chat needs `Authorization: Bearer <one of them>`; otherwise it is open. */
@Injectable()
export class ChatKeyGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const keys = this.config.chatApiKeys;
    if (keys.length === 0) return true;
    const token = bearerToken(
      GqlExecutionContext.create(context).getContext<{ req: Request }>().req,
    );
    if (!matchesAnyKey(token, keys)) {
      throw new UnauthenticatedError(
        token ? 'Invalid chat API key.' : 'Chat needs Authorization: Bearer <chat API key>.',
      );
    }
    return true;
  }
}
