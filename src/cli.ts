#!/usr/bin/env node
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { registerChatCommand } from './cli/chat-command';
import { CliModule } from './cli/cli.module';
import { registerDataCommands, WithApp } from './cli/commands';
import { registerMetricsCommands } from './cli/metrics-commands';
import { registerVoiceCommand } from './cli/voice-command';
import { DomainError } from './common/errors';
import { assertValidEnvironment, ConfigValidationError } from './config/env';

/** One clear line (or the import's list of problems) and exit code 1; a stack only for real faults. */
function fail(error: unknown): never {
  if (error instanceof DomainError || error instanceof ConfigValidationError) {
    process.stderr.write(`Error: ${error.message}\n`);
  } else {
    process.stderr.write(
      `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
}

const withApp: WithApp = async (body) => {
  assertValidEnvironment();
  const app = await NestFactory.createApplicationContext(CliModule, {
    logger: ['fatal', 'error', 'warn'],
  });
  try {
    await body(app);
  } finally {
    await app.close();
  }
};

// "factory-agent stats | head -1" closes stdout early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command('factory-agent')
  .description('Factory Agent: factory performance data, metrics and chat from the terminal')
  .showHelpAfterError('(run with --help for usage)');
registerDataCommands(program, withApp);
registerMetricsCommands(program, withApp);
registerChatCommand(program, withApp);
registerVoiceCommand(program, withApp);

program.parseAsync(process.argv).catch(fail);
