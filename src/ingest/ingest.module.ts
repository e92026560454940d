import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DataModule } from '../data/data.module';
import { MetricsModule } from '../metrics/metrics.module';
import { IngestKeyGuard } from './ingest.guard';
import { IngestResolver } from './ingest.resolver';
import { IngestService } from './ingest.service';
import { MqttIngestService } from './mqtt/mqtt-ingest.service';

/** Live signals from machines (GraphQL; MQTT when MQTT_URL is set) and the running shift. */
@Module({
  imports: [DataModule, MetricsModule],
  providers: [Clock, IngestService, MqttIngestService, IngestKeyGuard, IngestResolver],
  exports: [IngestService, MqttIngestService],
})
export class IngestModule {}
