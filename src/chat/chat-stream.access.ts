import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_IPV6_SUBNET_PREFIX,
  getStorageToken,
  normalizeIp,
  ThrottlerStorage,
} from '@nestjs/throttler';
import proxyaddr from 'proxy-addr';
import { bearerToken } from '../common/auth/bearer-token';
import { TooManyRequestsError } from '../common/errors';
import { AppConfig } from '../config/app-config.service';
import { checkChatKey } from './chat.guard';

/** What a graphql-ws subscription knows of its client. */
export interface SubscriptionClient {
  /** The WebSocket upgrade request. */
  req: IncomingMessage;
  /** The connection_init payload: browsers send `{ "authorization": "Bearer <key>" }` here. */
  connectionParams?: Record<string, unknown>;
}

/**
 * The chat mutation's rules for a streamed question: a key from CHAT_API_KEYS (from the
 * connection's `authorization` parameter or the upgrade request's header) and one question counted
 * against RATE_LIMIT_CHAT, in the same budget as the mutation (the same storage and key), per
 * client address as TRUST_PROXY resolves it.
 */
@Injectable()
export class ChatStreamAccess {
  private readonly trust: (address: string, hop: number) => boolean;

  constructor(
    private readonly config: AppConfig,
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
  ) {
    const setting = config.trustProxy;
    this.trust =
      setting === false
        ? () => false
        : typeof setting === 'number'
          ? (_address, hop) => hop < setting
          : proxyaddr.compile(setting);
  }

  /**
   * A new graphql-ws connection counts once against RATE_LIMIT_DEFAULT, like a query. Its key is
   * not checked here: the live subscriptions need none, and a client may bring another key (a
   * proxy's token on the upgrade); each streamed question checks the chat key it carries.
   */
  async admitConnection(client: SubscriptionClient): Promise<void> {
    await this.count(client, 'default');
  }

  /** As for the mutation, the question counts before its key is checked. */
  async admit(client: SubscriptionClient): Promise<void> {
    await this.count(client, 'chat');
    checkChatKey(this.config.chatApiKeys, this.token(client));
  }

  /** One hit on a limit under the key the throttler guard uses: the limit's name and the address. */
  private async count(client: SubscriptionClient, name: 'default' | 'chat'): Promise<void> {
    const { limit, ttlMs } = this.config.rateLimits[name];
    const tracker = normalizeIp(proxyaddr(client.req, this.trust), DEFAULT_IPV6_SUBNET_PREFIX);
    const record = await this.storage.increment(`${name}-${tracker}`, ttlMs, limit, ttlMs, name);
    if (record.isBlocked) {
      throw new TooManyRequestsError(Math.max(1, Math.ceil(record.timeToBlockExpire)));
    }
  }

  /** The connection's `authorization` parameter, else the upgrade request's header. */
  private token(client: SubscriptionClient): string | undefined {
    const param = client.connectionParams?.authorization ?? client.connectionParams?.Authorization;
    return bearerToken(typeof param === 'string' ? param : client.req);
  }
}
