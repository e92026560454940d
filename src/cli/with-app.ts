import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InvalidArgumentError } from 'commander';
import { createLogger } from '../common/logger';
import { assertValidEnvironment } from '../config/env';
import { CliModule } from './cli.module';

/**
 * Runs a command body inside a Nest application context (created per command, closed after).
 * Logs go to stderr: stdout is the command's output (a table, JSON, or for `mcp` the protocol).
 * Warnings and faults only, or with `logs: 'configured'` every line from LOG_LEVEL.
 */
export type WithApp = (
  body: (app: INestApplicationContext) => Promise<void>,
  options?: { logs: 'configured' },
) => Promise<void>;

export const withApp: WithApp = async (body, options) => {
  const env = assertValidEnvironment();
  const app = await NestFactory.createApplicationContext(CliModule, {
    // An expected failure (an unreachable database) is not logged with its stack but reaches the
    // command's one-line error (see cli.ts).
    logger: createLogger(options?.logs === 'configured' ? env.LOG_LEVEL : 'warn', false, true),
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
