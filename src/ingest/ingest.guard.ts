import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import { bearerToken, matchesAnyKey } from '../common/auth/bearer-token';
import { ForbiddenError, UnauthenticatedError } from '../common/errors';
import { AppConfig } from '../config/app-config.service';

/**
 * Live signals need `Authorization: Bearer <one of INGEST_API_KEYS>`. Without configured keys
 * ingestion over GraphQL is closed: never open to anyone.
 */
@Injectable()
export class IngestKeyGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const keys = this.config.ingestApiKeys;
    if (keys.length === 0) {
      throw new ForbiddenError(
        'Ingestion is disabled: set INGEST_API_KEYS on the server to enable it, then send Authorization: Bearer <ingest API key>.',
      );
    }
    const token = bearerToken(
      GqlExecutionContext.create(context).getContext<{ req: Request }>().req,
    );
    if (!matchesAnyKey(token, keys)) {
      throw new UnauthenticatedError(
        token
          ? 'Invalid ingest API key.'
          : 'Missing Authorization: Bearer <ingest API key> header.',
      );
    }
    return true;
  }
}
