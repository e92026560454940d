import { Module } from '@nestjs/common';
import { DataModule } from '../data/data.module';
import { IngestModule } from '../ingest/ingest.module';
import { MetricsModule } from '../metrics/metrics.module';
import { I3xController } from './i3x.controller';
import { I3xKeyGuard } from './i3x-key.guard';
import { I3xModel } from './i3x-model';
import { I3xSubscriptions } from './i3x-subscriptions';

/** The plant for any CESMII i3X 1.0 client, at /i3x/v1. */
@Module({
  imports: [DataModule, MetricsModule, IngestModule],
  providers: [I3xModel, I3xSubscriptions, I3xKeyGuard],
  controllers: [I3xController],
})
export class I3xModule {}
