import { Module } from '@nestjs/common';
import { DataModule } from '../../data/data.module';
import { IngestModule } from '../ingest.module';
import { MqttIngestService } from './mqtt-ingest.service';

/** Live signals from an MQTT broker when MQTT_URL is set (the server only, not the CLI). */
@Module({
  imports: [DataModule, IngestModule],
  providers: [MqttIngestService],
  exports: [MqttIngestService],
})
export class MqttModule {}
