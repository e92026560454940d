import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DataModule } from '../data/data.module';
import { MetricsModule } from '../metrics/metrics.module';
import { IngestKeyGuard } from './ingest.guard';
import { IngestResolver } from './ingest.resolver';
import { IngestService } from './ingest.service';
import { LiveEvents } from './live-events';

/** Live signals from machines over GraphQL (and from the CLI), and the running shift. */
@Module({
  imports: [DataModule, MetricsModule],
  providers: [Clock, LiveEvents, IngestService, IngestKeyGuard, IngestResolver],
  exports: [IngestService, LiveEvents],
})
export class IngestModule {}
