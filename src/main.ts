import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    // JSON bodies only (configureHttp): Nest's default urlencoded parser would run on every request
    // for forms nothing here takes.
    bodyParser: false,
  });
  const config = app.get(AppConfig);
  configureHttp(app, config);
  app.enableShutdownHooks();
  await app.init();
  // Listened to here rather than by app.listen, which logs a failure as an error of its own.
  const server: Server = app.getHttpServer();
  try {
    await new Promise<void>((listening, failed) => {
      server.once('error', failed);
      server.listen(config.port, () => {
        server.off('error', failed);
        listening();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await app.close();
    throw new ConfigValidationError(
      `Invalid configuration: PORT ${config.port} is already in use (another Factory Agent, or another program): stop it or set PORT to a free port`,
    );
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  const logger = new Logger('Bootstrap');
  logger.log(`Factory Agent listening on ${url}`);
  const llm = config.llm;
  logger.log(
    `Dashboard ${url}/ · GraphQL ${url}/graphql · health ${url}/health · chat ${llm ? `configured (${llm.provider})` : 'not configured (set OPENAI_API_KEY or OPENAI_BASE_URL)'}`,
  );
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
