#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { packageVersion } from './common/version';
import { registerAlertsCommand } from './cli/commands/alerts.command';
import { registerChatCommand } from './cli/commands/chat.command';
import { registerMcpCommand } from './cli/commands/mcp.command';
import {
  registerMachinesCommand,
  registerMigrateCommand,
  registerStatsCommand,
} from './cli/commands/data.commands';
import {
  registerExportCommand,
  registerImportCommand,
} from './cli/commands/import-export.commands';
import {
  registerDeadLettersCommand,
  registerReplayCommand,
  registerSimulateCommand,
} from './cli/commands/ingest.commands';
import { registerMetricsCommands } from './cli/commands/metrics.commands';
import { registerSetupCommand } from './cli/commands/setup.command';
import { registerVoiceCommand } from './cli/commands/voice.command';
import { withApp } from './cli/with-app';
import { knownReason } from './common/startup';

/** One clear line (or the import's list of problems) and exit code 1; a stack only for real faults. */
function fail(error: unknown): never {
  const reason = knownReason(error);
  if (reason !== null) {
    process.stderr.write(`Error: ${reason}\n`);
  } else {
    process.stderr.write(
      `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
}

// "factory-agent stats | head -1" closes stdout early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command('factory-agent')
  .description('Factory Agent: factory performance data, metrics and chat from the terminal')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)');
for (const register of [
  registerSetupCommand,
  registerImportCommand,
  registerExportCommand,
  registerStatsCommand,
  registerMachinesCommand,
  registerMigrateCommand,
  registerMetricsCommands,
  registerAlertsCommand,
  registerReplayCommand,
  registerDeadLettersCommand,
  registerSimulateCommand,
  registerChatCommand,
  registerMcpCommand,
  registerVoiceCommand,
]) {
  register(program, withApp);
}

program.parseAsync(process.argv).catch(fail);
