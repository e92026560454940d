import { UseGuards } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RateLimitBucket } from '../common/rate-limit/rate-limit-bucket.decorator';
import { ChatKeyGuard } from './chat.guard';
import { ChatService } from './chat.service';
import { ChatInput } from './dto/chat.input';
import { ChatResponse } from './models/chat-response.model';

@Resolver()
export class ChatResolver {
  constructor(private readonly chat: ChatService) {}

  @Mutation(() => ChatResponse, {
    name: 'chat',
    description:
      'Ask a question in plain language; the assistant answers with numbers from the metrics (rate-limited by RATE_LIMIT_CHAT).',
  })
  @RateLimitBucket('chat')
  @UseGuards(ChatKeyGuard)
  ask(@Args('input') input: ChatInput): Promise<ChatResponse> {
    return this.chat.chat(input.message, input.history ?? []);
  }
}
