import { Logger } from '@nestjs/common';
import { Args, Context, Resolver, Subscription } from '@nestjs/graphql';
import { SkipThrottle } from '@nestjs/throttler';
import { ChatStreamAccess } from './chat-stream.access';
import type { SubscriptionClient } from './chat-stream.access';
import { ChatService, ChatStreamEvent, errorEvent } from './chat.service';
import { ChatInput } from './dto/chat.input';
import { ChatStreamEvent as ChatStreamEventModel } from './models/chat-stream-event.model';

@Resolver()
export class ChatStreamResolver {
  private readonly logger = new Logger(ChatStreamResolver.name);

  constructor(
    private readonly chat: ChatService,
    private readonly access: ChatStreamAccess,
  ) {}

  // The key and rate limit are checked inside the stream, so that a refusal arrives as its final
  // ERROR event like any other error (a guard's refusal would end the subscription without one).
  @Subscription(() => ChatStreamEventModel, {
    description:
      'Ask a question and receive the answer as it is produced, over WebSocket (graphql-ws): TOOL_CALL and TOOL_RESULT events, DELTA text, then DONE or ERROR. Same keys (CHAT_API_KEYS, as the connection parameter `authorization`) and rate limit (RATE_LIMIT_CHAT) as the chat mutation; unsubscribing aborts the LLM request.',
    resolve: (event: ChatStreamEvent) => event,
  })
  @SkipThrottle({ default: true, setup: true, chat: true })
  chatStream(
    @Args('input') input: ChatInput,
    @Context() client: SubscriptionClient,
  ): AsyncIterableIterator<ChatStreamEvent> {
    return abortable(
      async function* (this: ChatStreamResolver, signal: AbortSignal) {
        try {
          await this.access.admit(client);
        } catch (error) {
          yield errorEvent(error, this.logger);
          return;
        }
        yield* this.chat.chatStream(input.message, input.history ?? [], signal);
      }.bind(this),
    );
  }
}

/**
 * An iterator over `events` that aborts `signal` as soon as the client stops listening
 * (unsubscribes or disconnects), even while the generator is waiting for the LLM.
 */
function abortable<T>(
  events: (signal: AbortSignal) => AsyncGenerator<T>,
): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const inner = events(controller.signal);
  return {
    next: () => inner.next(),
    return: (value?: unknown) => {
      controller.abort();
      // The generator ends when its current wait fails with the abort; nobody waits for that.
      inner.return(undefined).catch(() => undefined);
      return Promise.resolve({ done: true, value: value as T });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
