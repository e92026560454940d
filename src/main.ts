import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureHttp } from './app.setup';
import { createLogger } from './common/logger';
import { exitOnStartupError } from './common/startup';
import { AppConfig } from './config/app-config.service';
import { assertValidEnvironment } from './config/env';
import { MetricsRollupCache } from './metrics/metrics-rollup';

async function bootstrap(): Promise<void> {
  assertValidEnvironment();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true });
  const config = app.get(AppConfig);
  app.useLogger(createLogger(config.logLevel, config.isProduction));
  configureHttp(app, config);
  app.enableShutdownHooks();
  await app.listen(config.port);
  new Logger('Bootstrap').log(`Factory Agent listening on ${await app.getUrl()}`);
  // Build the metrics rollup now rather than on the first request; a failure is retried then.
  app
    .get(MetricsRollupCache)
    .sums()
    .catch(() => undefined);
}

bootstrap().catch(exitOnStartupError);
