import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InvalidArgumentError } from 'commander';
import { createLogger } from '../common/logger';
import { assertValidEnvironment } from '../config/env';
import { CliModule } from './cli.module';

/**
 * Runs a command body inside a Nest application context (created per command, closed after).
 * `logs: 'stderr'` logs from LOG_LEVEL, all to stderr (for a command whose stdout is a protocol).
 */
export type WithApp = (
  body: (app: INestApplicationContext) => Promise<void>,
  options?: { logs: 'stderr' },
) => Promise<void>;

export const withApp: WithApp = async (body, options) => {
  const env = assertValidEnvironment();
  const app = await NestFactory.createApplicationContext(CliModule, {
    // Warnings and real faults only; an expected failure (an unreachable database) is not logged
    // with its stack but reaches the command's one-line error (see cli.ts).
    logger:
      options?.logs === 'stderr'
        ? createLogger(env.LOG_LEVEL, false, true)
        : createLogger('warn', false),
    abortOnError: false,
  });
  try {
    await body(app);
  } finally {
    await app.close();
  }
};

/** Commander's parser for whole-number options. */
export function wholeNumber(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

/** Seconds since `since` (a Date.now() value), to one decimal. */
export const secondsSince = (since: number) => Math.round((Date.now() - since) / 100) / 10;
