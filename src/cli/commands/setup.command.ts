import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { DemoDataService, SetupOutcome } from '../../data/demo-data.service';
import { DEMO_DEFAULTS, DEMO_LIMITS } from '../../data/generator/demo-generator';
import { printJson, printPairs, progressBar } from '../output';
import { secondsSince, WithApp, wholeNumber } from '../with-app';

interface SetupOptions {
  days: number;
  machines: number;
  seed?: number;
  endDate?: string;
  json?: boolean;
}

/** Generates and writes the data, machine by machine, drawing a bar on a terminal. */
async function generate(
  app: INestApplicationContext,
  options: SetupOptions,
): Promise<SetupOutcome> {
  const bar = progressBar('Generating');
  const { days, machines, seed, endDate } = options;
  const outcome = await app
    .get(DemoDataService)
    .setup({ days, machines, seed, endDate }, bar.update);
  bar.end();
  return outcome;
}

function summarizeNames(names: string[]): string {
  return names.length <= 6
    ? names.join(', ')
    : `${names.slice(0, 5).join(', ')}, ... (${names.length})`;
}

function printOutcome(outcome: SetupOutcome, seconds: number, json: boolean): void {
  const result = {
    days: outcome.days,
    startDate: outcome.startDate,
    endDate: outcome.endDate,
    machines: outcome.machineNames,
    productionRows: outcome.productionRows,
    downtimeEvents: outcome.downtimeEvents,
    qualityIssues: outcome.qualityIssues,
    seconds,
  };
  if (json) return printJson(result);
  process.stdout.write(`Generated demo data in ${seconds} s.\n`);
  printPairs([
    ['Date range', `${result.startDate} to ${result.endDate} (${result.days} days)`],
    ['Machines', summarizeNames(result.machines)],
    ['Production rows', result.productionRows],
    ['Downtime events', result.downtimeEvents],
    ['Quality issues', result.qualityIssues],
  ]);
}

/** `setup`: replaces all data with generated demo data. */
export function registerSetupCommand(program: Command, withApp: WithApp): void {
  const { days, machines } = DEMO_LIMITS;
  program
    .command('setup')
    .description('Replace all data with generated demo data')
    .option('--days <n>', `days of data, ${days.min}-${days.max}`, wholeNumber, DEMO_DEFAULTS.days)
    .option(
      '--machines <n>',
      `number of machines, ${machines.min}-${machines.max} (the first four are the named ones)`,
      wholeNumber,
      DEMO_DEFAULTS.machines,
    )
    .option('--seed <n>', 'random seed (default: DEMO_SEED)', wholeNumber)
    .option('--end-date <date>', 'last day, YYYY-MM-DD (default: today in FACTORY_TIMEZONE)')
    .option('--json', 'print the result as JSON')
    .action((options: SetupOptions) =>
      withApp(async (app) => {
        const started = Date.now();
        const outcome = await generate(app, options);
        printOutcome(outcome, secondsSince(started), options.json ?? false);
      }),
    );
}
