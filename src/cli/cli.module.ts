import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ChatModule } from '../chat/chat.module';
import { AppConfigModule } from '../config/config.module';
import { DataModule } from '../data/data.module';
import { IngestModule } from '../ingest/ingest.module';
import { LegacyModule } from '../legacy/legacy.module';
import { McpModule } from '../mcp/mcp.module';
import { MetricsModule } from '../metrics/metrics.module';

/** What the CLI needs: the same modules as the server, without HTTP or the demo seeding. */
@Module({
  imports: [
    AppConfigModule,
    AlertsModule,
    DataModule,
    LegacyModule,
    MetricsModule,
    IngestModule,
    ChatModule,
    McpModule,
  ],
})
export class CliModule {}
