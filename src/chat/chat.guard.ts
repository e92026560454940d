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
    const req = GqlExecutionContext.create(context).getContext<{ req: Request }>().req;
    checkChatKey(this.config.chatApiKeys, bearerToken(req));
    return true;
  }
}

/** Refuses a missing or wrong chat key when CHAT_API_KEYS is set. */
export function checkChatKey(keys: string[], token: string | undefined): void {
  if (keys.length > 0 && !matchesAnyKey(token, keys)) {
    throw new UnauthenticatedError(
      token ? 'Invalid chat API key.' : 'Chat needs Authorization: Bearer <chat API key>.',
    );
  }
}
