import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import { bearerToken, secretEquals } from '../common/graphql/admin.guard';
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
    // Compare with every key, so the time taken does not reveal which one matched.
    const matches = keys.map((key) => token !== undefined && secretEquals(token, key));
    if (!matches.includes(true)) {
      throw new UnauthenticatedError(
        token ? 'Invalid chat API key.' : 'Chat needs Authorization: Bearer <chat API key>.',
      );
    }
    return true;
  }
}
