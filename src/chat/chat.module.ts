import { Module } from '@nestjs/common';
import { DataModule } from '../data/data.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ToolsModule } from '../tools/tools.module';
import { ChatPrompt } from './chat.prompt';
import { ChatStreamAccess } from './chat-stream.access';
import { ChatStreamResolver } from './chat-stream.resolver';
import { ChatKeyGuard } from './chat.guard';
import { ChatResolver } from './chat.resolver';
import { ChatService } from './chat.service';
import { LlmClient } from './llm/llm-client';
import { VoiceService } from './voice.service';

/** The chat agent: an LLM that answers by calling the Metrics service as tools. */
@Module({
  imports: [DataModule, MetricsModule, ToolsModule],
  providers: [LlmClient, ChatPrompt, ChatService, ChatKeyGuard, ChatResolver, VoiceService],
  exports: [ChatService, VoiceService],
})
export class ChatModule {}

/** The streamed chat (a GraphQL subscription): the server only, as it needs the rate-limit store. */
@Module({
  imports: [ChatModule],
  providers: [ChatStreamAccess, ChatStreamResolver],
  // The GraphQL module lets WebSocket connections in through it.
  exports: [ChatStreamAccess],
})
export class ChatStreamModule {}
