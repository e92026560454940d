import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { DataModule } from '../data/data.module';
import { IngestModule } from '../ingest/ingest.module';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricTools } from './metric-tools';

/** The tool registry shared by the chat agent and the MCP server. */
@Module({
  imports: [DataModule, MetricsModule, AlertsModule, IngestModule],
  providers: [MetricTools],
  exports: [MetricTools],
})
export class ToolsModule {}
