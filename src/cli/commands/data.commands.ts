import { Command } from 'commander';
import { AppConfig } from '../../config/app-config.service';
import { DataService } from '../../data/data.service';
import { figure, printJson, printPairs, printTable } from '../output';
import { WithApp } from '../with-app';

/** `stats`: what data is stored. */
export function registerStatsCommand(program: Command, withApp: WithApp): void {
  program
    .command('stats')
    .description('Show what data is stored')
    .option('--json', 'print the result as JSON')
    .action((options: { json?: boolean }) =>
      withApp(async (app) => {
        const stats = await app.get(DataService).stats();
        const factory = app.get(AppConfig).factoryName;
        if (options.json) return printJson({ factory, ...stats });
        if (!stats.exists) {
          process.stdout.write(
            `${factory}: no production data. Run "factory-agent setup" or "factory-agent import".\n`,
          );
          return;
        }
        printPairs([
          ['Factory', factory],
          ['Date range', `${stats.startDate} to ${stats.endDate}`],
          ['Days', `${figure(stats.totalDays)} (${figure(stats.daysWithData)} with data)`],
          ['Machines', stats.totalMachines],
          ['Shifts', stats.totalShifts],
          ['Records', `${figure(stats.totalRecords)} machine-days`],
        ]);
      }),
    );
}

/** `machines`: the machines with their types and ideal cycle times. */
export function registerMachinesCommand(program: Command, withApp: WithApp): void {
  program
    .command('machines')
    .description('List the machines')
    .option('--json', 'print the result as JSON')
    .action((options: { json?: boolean }) =>
      withApp(async (app) => {
        const machines = await app.get(DataService).listMachines();
        if (options.json) return printJson(machines);
        printTable(
          ['Name', 'Type', 'Ideal cycle (s)'],
          machines.map((m) => [m.name, m.type, m.idealCycleTimeSeconds]),
        );
      }),
    );
}

/** `migrate`: applies pending migrations (every command does) and lists them. */
export function registerMigrateCommand(program: Command, withApp: WithApp): void {
  program
    .command('migrate')
    .description('Apply database migrations (every command does this first) and list them')
    .action(() =>
      withApp(async (app) => {
        const status = await app.get(DataService).migrations();
        printTable(
          ['Migration', 'Applied at'],
          status.map((m) => [m.name, m.executedAt ? m.executedAt.toISOString() : 'pending']),
        );
      }),
    );
}
