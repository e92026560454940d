import { Module } from '@nestjs/common';
import { AppConfigModule } from './config/config.module';
import { DataModule } from './data/data.module';
import { DemoSeedModule } from './data/demo-seed.module';
import { HealthModule } from './health/health.module';

/** The HTTP server: feature modules only. */
@Module({
  imports: [AppConfigModule, DataModule, DemoSeedModule, HealthModule],
})
export class AppModule {}
