import { Module } from '@nestjs/common';
import { DataModule } from '../data/data.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ToolsModule } from '../tools/tools.module';
import { McpKeyGuard } from './mcp-key.guard';
import { McpController } from './mcp.controller';
import { McpService } from './mcp.service';

/** The metrics for AI agents over the Model Context Protocol: /mcp here, stdio in the CLI. */
@Module({
  imports: [DataModule, MetricsModule, ToolsModule],
  providers: [McpService, McpKeyGuard],
  controllers: [McpController],
  exports: [McpService],
})
export class McpModule {}
