import { INestApplicationContext } from '@nestjs/common';
import { Command, InvalidArgumentError } from 'commander';
import { Kysely } from 'kysely';
import { AppConfig } from '../config/app-config.service';
import { DataService } from '../data/data.service';
import { Database } from '../data/database.types';
import { KYSELY } from '../data/database.provider';
import { DemoDataService } from '../data/demo-data.service';
import { LegacyService } from '../data/legacy/legacy.service';
import { migrationStatus } from '../data/migrations';
import { printJson, printPairs, printTable, progressBar } from './output';

/** Runs a command body inside a Nest application context (created per command, closed after). */
export type WithApp = (body: (app: INestApplicationContext) => Promise<void>) => Promise<void>;

export function wholeNumber(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

export function registerDataCommands(program: Command, withApp: WithApp): void {
  program
    .command('setup')
    .description('Replace all data with generated demo data')
    .option('--days <n>', 'days of data, 1-3650', wholeNumber, 30)
    .option(
      '--machines <n>',
      'number of machines, 1-1000 (the first four are the named ones)',
      wholeNumber,
      4,
    )
    .option('--seed <n>', 'random seed (default: DEMO_SEED)', wholeNumber)
    .option('--end-date <date>', 'last day, YYYY-MM-DD (default: today in FACTORY_TIMEZONE)')
    .option('--json', 'print the result as JSON')
    .action(
      (options: {
        days: number;
        machines: number;
        seed?: number;
        endDate?: string;
        json?: boolean;
      }) =>
        withApp(async (app) => {
          const started = Date.now();
          const generating = progressBar('Generating');
          const writing = progressBar('Writing   ');
          const outcome = await app.get(DemoDataService).setup(
            {
              days: options.days,
              machines: options.machines,
              seed: options.seed,
              endDate: options.endDate,
            },
            {
              onGenerate: generating.update,
              onWrite: (done, total) => {
                generating.end();
                writing.update(done, total);
              },
            },
          );
          writing.end();
          const result = {
            days: outcome.days,
            startDate: outcome.startDate,
            endDate: outcome.endDate,
            machines: outcome.machineNames,
            productionRows: outcome.productionRows,
            downtimeEvents: outcome.downtimeEvents,
            qualityIssues: outcome.qualityIssues,
            seconds: seconds(started),
          };
          if (options.json) return printJson(result);
          process.stdout.write(`Generated demo data in ${result.seconds} s.\n`);
          printPairs([
            ['Date range', `${result.startDate} to ${result.endDate} (${result.days} days)`],
            ['Machines', summarizeNames(result.machines)],
            ['Production rows', result.productionRows],
            ['Downtime events', result.downtimeEvents],
            ['Quality issues', result.qualityIssues],
          ]);
        }),
    );

  program
    .command('import')
    .description('Import a production.json file in the original format (replaces all data)')
    .argument('[file]', 'file to read (default: DATA_FILE)')
    .option('--merge', 'keep stored data; machine-days in the file replace the stored ones')
    .option('--json', 'print the result as JSON')
    .action((file: string | undefined, options: { merge?: boolean; json?: boolean }) =>
      withApp(async (app) => {
        const started = Date.now();
        const path = file ?? app.get(AppConfig).dataFile;
        const writing = progressBar('Importing');
        const summary = await app
          .get(LegacyService)
          .importFile(path, { merge: options.merge ?? false }, writing.update);
        writing.end();
        const result = {
          file: path,
          mode: options.merge ? 'merge' : 'replace',
          ...summary,
          seconds: seconds(started),
        };
        if (options.json) return printJson(result);
        process.stdout.write(`Imported ${path} (${result.mode}) in ${result.seconds} s.\n`);
        printPairs([
          ['Machines', summary.machines],
          ['Production rows', summary.productionRows],
          ['Downtime events', summary.downtimeEvents],
          ['Quality issues', summary.qualityIssues],
        ]);
      }),
    );

  program
    .command('export')
    .description('Export all data as a production.json file in the original format')
    .argument('[file]', 'file to write (default: DATA_FILE)')
    .option('--json', 'print the result as JSON')
    .action((file: string | undefined, options: { json?: boolean }) =>
      withApp(async (app) => {
        const path = file ?? app.get(AppConfig).dataFile;
        const summary = await app.get(LegacyService).exportFile(path);
        if (options.json) return printJson(summary);
        process.stdout.write(
          `Exported ${summary.records} machine-days over ${summary.days} days to ${path}.\n`,
        );
      }),
    );

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
          ['Days', `${stats.totalDays} (${stats.daysWithData} with data)`],
          ['Machines', stats.totalMachines],
          ['Shifts', stats.totalShifts],
          ['Records', `${stats.totalRecords} machine-days`],
        ]);
      }),
    );

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

  program
    .command('migrate')
    .description('Apply database migrations (every command does this first) and list them')
    .action(() =>
      withApp(async (app) => {
        const status = await migrationStatus(app.get<Kysely<Database>>(KYSELY));
        printTable(
          ['Migration', 'Applied at'],
          status.map((m) => [m.name, m.executedAt ? m.executedAt.toISOString() : 'pending']),
        );
      }),
    );
}

function summarizeNames(names: string[]): string {
  return names.length <= 6
    ? names.join(', ')
    : `${names.slice(0, 5).join(', ')}, ... (${names.length})`;
}
