import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ThrottlerModule } from '@nestjs/throttler';
import { graphqlOptions } from './common/graphql/graphql.config';
import { GqlThrottlerGuard } from './common/rate-limit/gql-throttler.guard';
import {
  RATE_LIMIT_STORAGE,
  RateLimitStorageModule,
} from './common/rate-limit/rate-limit-storage.module';
import { RedisThrottlerStorage } from './common/rate-limit/redis-throttler.storage';
import { throttlerOptions } from './common/rate-limit/throttler-options';
import { AlertsModule, AlertWatchModule } from './alerts/alerts.module';
import { ChatModule, ChatStreamModule } from './chat/chat.module';
import { ChatStreamAccess } from './chat/chat-stream.access';
import { AppConfig } from './config/app-config.service';
import { AppConfigModule } from './config/config.module';
import { DataModule } from './data/data.module';
import { DemoSeedModule } from './data/demo-seed.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { LiveUpkeep } from './ingest/live-upkeep';
import { MqttModule } from './ingest/mqtt/mqtt.module';
import { I3xModule } from './i3x/i3x.module';
import { McpModule } from './mcp/mcp.module';
import { MetricsModule } from './metrics/metrics.module';
import { RollupWarmup } from './metrics/rollup-warmup';

/** The HTTP server: feature modules and their wiring only. */
@Module({
  imports: [
    AppConfigModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [ChatStreamModule],
      inject: [AppConfig, ChatStreamAccess],
      useFactory: (config: AppConfig, access: ChatStreamAccess) =>
        graphqlOptions(config, (client) => access.admitConnection(client)),
    }),
    RateLimitStorageModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RATE_LIMIT_STORAGE],
      useFactory: (config: AppConfig, storage: RedisThrottlerStorage | null) =>
        throttlerOptions(config.rateLimits, storage),
    }),
    DataModule,
    DemoSeedModule,
    MetricsModule,
    IngestModule,
    MqttModule,
    ChatModule,
    ChatStreamModule,
    AlertsModule,
    AlertWatchModule,
    McpModule,
    I3xModule,
    HealthModule,
  ],
  providers: [
    RollupWarmup,
    LiveUpkeep,
    GqlThrottlerGuard,
    // useExisting, so that tests can replace the guard.
    { provide: APP_GUARD, useExisting: GqlThrottlerGuard },
  ],
})
export class AppModule {}
