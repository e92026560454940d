import { Module } from '@nestjs/common';
import { DataModule } from '../data/data.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ChatPrompt } from './chat.prompt';
import { ChatKeyGuard } from './chat.guard';
import { ChatResolver } from './chat.resolver';
import { ChatService } from './chat.service';
import { ChatTools } from './chat.tools';
import { LlmClient } from './llm/llm-client';
import { VoiceService } from './voice.service';

/** The chat agent: an LLM that answers by calling the Metrics service as tools. */
@Module({
  imports: [DataModule, MetricsModule],
  providers: [
    LlmClient,
    ChatTools,
    ChatPrompt,
    ChatService,
    ChatKeyGuard,
    ChatResolver,
    VoiceService,
  ],
  exports: [ChatService, VoiceService],
})
export class ChatModule {}
