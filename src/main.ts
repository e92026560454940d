import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureHttp } from './app.setup';
import { createLogger } from './common/logger';
import { exitOnStartupError } from './common/startup';
import { AppConfig } from './config/app-config.service';
import { assertValidEnvironment, ConfigValidationError } from './config/env';

async function bootstrap(json: boolean): Promise<void> {
  const env = assertValidEnvironment();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    logger: createLogger(env.LOG_LEVEL, json),
    // A failed start-up ends in exitOnStartupError (one line), not in Nest's stack trace.
    abortOnError: false,
  });
  const config = app.get(AppConfig);
  configureHttp(app, config);
  app.enableShutdownHooks();
  await app.listen(config.port);
  new Logger('Bootstrap').log(`Factory Agent listening on ${await app.getUrl()}`);
}

/** JSON lines in production, even for a start-up that fails before the configuration is read. */
function productionLogs(): boolean {
  try {
    return assertValidEnvironment().NODE_ENV === 'production';
  } catch (error) {
    if (error instanceof ConfigValidationError) return false;
    throw error;
  }
}

const json = productionLogs();
bootstrap(json).catch((error: unknown) => exitOnStartupError(error, json));
