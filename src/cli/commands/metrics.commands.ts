import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { AppConfig } from '../../config/app-config.service';
import { addDays, parseDate, todayIn } from '../../common/dates';
import { MetricsService } from '../../metrics/metrics.service';
import { MetricsFilter } from '../../data/metrics-sums.types';
import { parseSeverity, SEVERITY_CHOICES } from '../../common/severity';
import { wholeNumber, WithApp } from '../with-app';
import { printJson, printPairs, printTable } from '../output';

interface RangeOptions {
  from?: string;
  to?: string;
  machine?: string;
  json?: boolean;
}

const pct = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const num = (value: number | null) => (value === null ? 'n/a' : String(value));

/** --from/--to default to the last 7 days ending today in FACTORY_TIMEZONE. */
async function filterFrom(
  app: INestApplicationContext,
  options: RangeOptions,
): Promise<MetricsFilter> {
  const to =
    options.to === undefined ? todayIn(app.get(AppConfig).timeZone) : parseDate(options.to);
  const from = options.from ?? addDays(to, -6);
  return app.get(MetricsService).resolveFilter(from, to, options.machine);
}

function withRange(command: Command): Command {
  return command
    .option('--from <date>', 'first day, YYYY-MM-DD (default: 6 days before --to)')
    .option('--to <date>', 'last day, YYYY-MM-DD (default: today in FACTORY_TIMEZONE)')
    .option('--machine <name>', 'one machine (default: all)')
    .option('--json', 'print the result as JSON');
}

/** oee, scrap, quality, downtime: the same MetricsService calls as the GraphQL API. */
export function registerMetricsCommands(program: Command, withApp: WithApp): void {
  withRange(
    program.command('oee').description('OEE, availability, performance and quality'),
  ).action((options: RangeOptions) =>
    withApp(async (app) => {
      const metrics = app.get(MetricsService);
      const filter = await filterFrom(app, options);
      const [total, byMachine, warnings] = await Promise.all([
        metrics.oee(filter),
        metrics.oeeByMachine(filter),
        metrics.oeeWarnings(filter),
      ]);
      if (options.json) return printJson({ ...filter, ...total, byMachine, warnings });
      process.stdout.write(`OEE ${filter.startDate} to ${filter.endDate}\n`);
      printTable(
        ['Machine', 'OEE', 'Availability', 'Performance', 'Quality', 'Parts', 'Good'],
        [...byMachine, { machine: 'All', ...total }].map((m) => [
          m.machine,
          pct(m.oee),
          pct(m.availability),
          pct(m.performance),
          pct(m.quality),
          m.totalParts,
          m.goodParts,
        ]),
      );
      for (const warning of warnings) process.stdout.write(`Warning: ${warning}\n`);
    }),
  );

  withRange(program.command('scrap').description('Scrap parts and scrap rate')).action(
    (options: RangeOptions) =>
      withApp(async (app) => {
        const metrics = app.get(MetricsService);
        const filter = await filterFrom(app, options);
        const [total, byMachine] = await Promise.all([
          metrics.scrap(filter),
          metrics.scrapByMachine(filter),
        ]);
        if (options.json) return printJson({ ...filter, ...total, byMachine });
        process.stdout.write(`Scrap ${filter.startDate} to ${filter.endDate}\n`);
        printTable(
          ['Machine', 'Scrap', 'Parts', 'Scrap rate'],
          [...byMachine, { machine: 'All', ...total }].map((m) => [
            m.machine,
            m.scrapParts,
            m.totalParts,
            m.scrapRate === null ? 'n/a' : `${m.scrapRate}%`,
          ]),
        );
      }),
  );

  withRange(program.command('quality').description('Quality issues by severity, newest first'))
    .option('--severity <level>', SEVERITY_CHOICES)
    .option('--limit <n>', 'issues to list (0-1000)', wholeNumber, 20)
    .action((options: RangeOptions & { severity?: string; limit: number }) =>
      withApp(async (app) => {
        const metrics = app.get(MetricsService);
        const filter = await filterFrom(app, options);
        const severity = parseSeverity(options.severity);
        const [summary, issues] = await Promise.all([
          metrics.qualitySummary(filter, severity),
          metrics.qualityIssues(filter, severity, { limit: options.limit, offset: 0 }),
        ]);
        if (options.json) return printJson({ ...filter, ...summary, issues });
        process.stdout.write(`Quality issues ${filter.startDate} to ${filter.endDate}\n`);
        printPairs([
          ['Issues', summary.totalIssues],
          ['Parts affected', summary.totalPartsAffected],
          ...summary.severityBreakdown.map((s): [string, number] => [s.severity, s.count]),
        ]);
        if (issues.length > 0) {
          printTable(
            ['Date', 'Machine', 'Severity', 'Type', 'Parts', 'Description'],
            issues.map((i) => [
              i.date,
              i.machine,
              i.severity,
              i.type,
              i.partsAffected,
              i.description,
            ]),
          );
        }
      }),
    );

  withRange(
    program.command('downtime').description('Downtime by reason, major events, MTBF and MTTR'),
  ).action((options: RangeOptions) =>
    withApp(async (app) => {
      const metrics = app.get(MetricsService);
      const filter = await filterFrom(app, options);
      const [totals, byReason, majorEvents] = await Promise.all([
        metrics.downtime(filter),
        metrics.downtimeByReason(filter),
        metrics.majorEvents(filter, { limit: 100, offset: 0 }),
      ]);
      if (options.json) return printJson({ ...filter, ...totals, byReason, majorEvents });
      process.stdout.write(`Downtime ${filter.startDate} to ${filter.endDate}\n`);
      printPairs([
        ['Total hours', totals.totalDowntimeHours],
        ['Planned hours', totals.plannedDowntimeHours],
        ['Unplanned hours', totals.unplannedDowntimeHours],
        ['Failures', totals.failures],
        ['MTBF hours', num(totals.mtbfHours)],
        ['MTTR hours', num(totals.mttrHours)],
      ]);
      printTable(
        ['Reason', 'Hours', 'Events', 'Planned'],
        byReason.map((r) => [r.reason, r.hours, r.events, r.planned ? 'yes' : 'no']),
      );
      if (majorEvents.length > 0) {
        process.stdout.write('Major events\n');
        printTable(
          ['Date', 'Machine', 'Reason', 'Hours', 'Description'],
          majorEvents.map((e) => [e.date, e.machine, e.reason, e.durationHours, e.description]),
        );
      }
    }),
  );
}
