import { Command } from 'commander';
import { AlertLog } from '../../alerts/alert-log';
import { printJson, printTable } from '../output';
import { wholeNumber, WithApp } from '../with-app';

interface AlertsOptions {
  machine?: string;
  rule?: string;
  limit: number;
  json?: boolean;
}

/** The alert log (what the server's alert rules raised) with each alert's deliveries. */
export function registerAlertsCommand(program: Command, withApp: WithApp): void {
  program
    .command('alerts')
    .description('Alerts the server raised (newest first) and how their webhook deliveries went')
    .option('--machine <name>', 'one machine (default: all)')
    .option('--rule <rule>', 'one rule: shift-oee, long-downtime or scrap-rate')
    .option('--limit <n>', 'at most this many alerts', wholeNumber, 20)
    .option('--json', 'print the result as JSON')
    .action((options: AlertsOptions) =>
      withApp(async (app) => {
        const { total, alerts } = await app
          .get(AlertLog)
          .alerts(
            { machine: options.machine, rule: options.rule },
            { limit: options.limit, offset: 0 },
          );
        if (options.json) return printJson({ total, alerts });
        if (total === 0) {
          process.stdout.write('No alerts.\n');
          return;
        }
        process.stdout.write(
          `Newest ${alerts.length} of ${total.toLocaleString('en-US')} alerts\n`,
        );
        printTable(
          ['Raised (UTC)', 'Rule', 'Alert', 'Deliveries'],
          alerts.map((a) => [
            a.raisedAt.slice(0, 19).replace('T', ' '),
            a.rule,
            a.message,
            a.deliveries.length === 0
              ? '-'
              : a.deliveries.map((d) => `${d.status} (${d.attempts})`).join(', '),
          ]),
        );
      }),
    );
}
