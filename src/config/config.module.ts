import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config.service';
import { validateEnv } from './env';

/**
 * Reads `.env` (if present) into the environment, then validates the environment when the app is
 * created (not when this file is imported), so a bad value fails NestFactory.create with one line.
 */
@Global()
@Module({
  imports: [
    ConfigModule.forRoot({
      cache: true,
      skipProcessEnv: true,
      // Tests must not depend on a developer's .env file.
      ignoreEnvFile: process.env.NODE_ENV === 'test',
      load: [() => ({ ...validateEnv(process.env) })],
    }),
  ],
  providers: [AppConfig],
  exports: [AppConfig],
})
export class AppConfigModule {}
