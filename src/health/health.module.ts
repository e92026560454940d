import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DataModule } from '../data/data.module';
import { MqttModule } from '../ingest/mqtt/mqtt.module';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), DataModule, MqttModule],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator],
})
export class HealthModule {}
