import { INestApplicationContext } from '@nestjs/common';
import { Command, InvalidArgumentError } from 'commander';
import { AppConfig, TARGET_KEYS, Targets } from '../../config/app-config.service';
import { addDays, parseDate, todayIn } from '../../common/dates';
import { BadInputError } from '../../common/errors';
import { MetricsService } from '../../metrics/metrics.service';
import { MetricsFilter } from '../../data/metrics-sums.types';
import { parseSeverity, SEVERITY_CHOICES } from '../../common/severity';
import { wholeNumber, WithApp } from '../with-app';
import { figure, printCsv, printJson, printPairs, printTable } from '../output';

interface RangeOptions {
  from?: string;
  to?: string;
  machine?: string;
  json?: boolean;
}

const pct = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const num = (value: number | null) => (value === null ? 'n/a' : String(value));
const share = (value: number) => `${(value * 100).toFixed(1)}%`;
/** A change of a ratio, in percentage points with its sign. */
const points = (value: number | null) =>
  value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pts`;
const signed = (value: number | null, unit: string) =>
  value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${value}${unit}`;

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

/** oee, scrap, quality, downtime, losses, compare: the same MetricsService calls as the GraphQL API. */
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
      // The targets are read once for all the machines (no request keeps them for the CLI).
      const check = await metrics.targetChecker();
      const target = check(total, filter.machine?.name ?? null);
      const machines = byMachine.map((m) => ({ ...m, target: check(m, m.machine) }));
      if (options.json) {
        return printJson({ ...filter, ...total, target, byMachine: machines, warnings });
      }
      process.stdout.write(`OEE ${filter.startDate} to ${filter.endDate}\n`);
      const versus = (value: number | null, goal: number, met: boolean | null) =>
        `${pct(value)}${met === false ? ` (< ${pct(goal)})` : ''}`;
      printTable(
        ['Machine', 'OEE', 'Availability', 'Performance', 'Quality', 'Parts', 'Good'],
        [...machines, { machine: 'All', ...total, target }].map((m) => [
          m.machine,
          versus(m.oee, m.target.oee, m.target.oeeMet),
          versus(m.availability, m.target.availability, m.target.availabilityMet),
          versus(m.performance, m.target.performance, m.target.performanceMet),
          versus(m.quality, m.target.quality, m.target.qualityMet),
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
        const [scrap, perMachine] = await Promise.all([
          metrics.scrap(filter),
          metrics.scrapByMachine(filter),
        ]);
        // The targets are read once for all the machines (no request keeps them for the CLI).
        const check = await metrics.scrapTargetChecker();
        const total = { ...scrap, target: check(scrap, filter.machine?.name ?? null) };
        const byMachine = perMachine.map((m) => ({ ...m, target: check(m, m.machine) }));
        if (options.json) return printJson({ ...filter, ...total, byMachine });
        process.stdout.write(`Scrap ${filter.startDate} to ${filter.endDate}\n`);
        // A rate above its target is marked with the target, e.g. "5% (> 2%)".
        printTable(
          ['Machine', 'Scrap', 'Parts', 'Scrap rate'],
          [...byMachine, { machine: 'All', ...total }].map((m) => [
            m.machine,
            m.scrapParts,
            m.totalParts,
            m.scrapRate === null
              ? 'n/a'
              : `${m.scrapRate}%${m.target.met === false ? ` (> ${m.target.scrapRate}%)` : ''}`,
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
        const [summary, issues, byType, byMachine] = await Promise.all([
          metrics.qualitySummary(filter, severity),
          metrics.qualityIssues(filter, severity, { limit: options.limit, offset: 0 }),
          metrics.defects(filter, severity, 'type'),
          filter.machine ? Promise.resolve([]) : metrics.defects(filter, severity, 'machine'),
        ]);
        if (options.json) {
          const types = byType.map(({ key, ...row }) => ({ type: key, ...row }));
          const machines = byMachine.map(({ key, ...row }) => ({ machine: key, ...row }));
          return printJson({ ...filter, ...summary, byType: types, byMachine: machines, issues });
        }
        process.stdout.write(`Quality issues ${filter.startDate} to ${filter.endDate}\n`);
        printPairs([
          ['Issues', summary.totalIssues],
          ['Parts affected', summary.totalPartsAffected],
          ...summary.severityBreakdown.map((s): [string, number] => [s.severity, s.count]),
        ]);
        if (byType.length > 0) {
          process.stdout.write('By defect type (Pareto)\n');
          printTable(
            ['Type', 'Issues', 'Parts affected', 'Cumulative'],
            byType.map((t) => [t.key, t.count, t.partsAffected, share(t.cumulativeShare)]),
          );
        }
        if (byMachine.length > 0) {
          process.stdout.write('By machine (Pareto)\n');
          printTable(
            ['Machine', 'Issues', 'Parts affected', 'Cumulative'],
            byMachine.map((m) => [m.key, m.count, m.partsAffected, share(m.cumulativeShare)]),
          );
        }
        if (issues.length > 0) {
          const total = summary.totalIssues.toLocaleString('en');
          process.stdout.write(`Newest ${issues.length.toLocaleString('en')} of ${total} issues\n`);
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
      const [totals, byReason, majorEvents, byMachine, byShift] = await Promise.all([
        metrics.downtime(filter),
        metrics.downtimeByReason(filter),
        metrics.majorEvents(filter, { limit: 100, offset: 0 }),
        metrics.downtimeByMachine(filter),
        metrics.downtimeByShift(filter),
      ]);
      if (options.json) {
        return printJson({
          ...filter,
          ...totals,
          byReason,
          byMachine: byMachine.map(({ key, ...row }) => ({ machine: key, ...row })),
          byShift: byShift.map(({ key, ...row }) => ({ shift: key, ...row })),
          majorEvents,
        });
      }
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
        ['Reason', 'Hours', 'Events', 'Planned', 'Cumulative'],
        byReason.map((r) => [
          r.reason,
          r.hours,
          r.events,
          r.planned ? 'yes' : 'no',
          share(r.cumulativeShare),
        ]),
      );
      for (const [title, rows] of [
        ['Machine', byMachine],
        ['Shift', byShift],
      ] as const) {
        if (rows.length < 2) continue;
        process.stdout.write(`By ${title.toLowerCase()} (Pareto of unplanned hours)\n`);
        printTable(
          [title, 'Unplanned hours', 'Planned hours', 'Cumulative'],
          rows.map((r) => [
            r.key,
            r.unplannedDowntimeHours,
            r.plannedDowntimeHours,
            share(r.cumulativeShare),
          ]),
        );
      }
      if (majorEvents.length > 0) {
        process.stdout.write('Major events\n');
        printTable(
          ['Date', 'Machine', 'Reason', 'Hours', 'Description'],
          majorEvents.map((e) => [e.date, e.machine, e.reason, e.durationHours, e.description]),
        );
      }
    }),
  );

  withRange(
    program
      .command('losses')
      .description('Where planned busy time went: OEE losses in hours and the six big losses'),
  )
    .option('--shift <name>', 'one shift (default: all)')
    .action((options: RangeOptions & { shift?: string }) =>
      withApp(async (app) => {
        const metrics = app.get(MetricsService);
        const filter = await filterFrom(app, options);
        const shift =
          options.shift === undefined ? null : await metrics.resolveShift(options.shift);
        const losses = await metrics.losses(filter, shift);
        if (options.json) return printJson({ ...filter, shift, ...losses });
        process.stdout.write(
          `Losses ${filter.startDate} to ${filter.endDate}${shift ? `, shift ${shift}` : ''}\n`,
        );
        printPairs([
          ['Planned hours', losses.plannedHours],
          ['Planned downtime', losses.plannedDowntimeHours],
          ['Planned busy hours', losses.plannedBusyHours],
          ['  Availability loss', losses.availabilityLossHours],
          ['  Performance loss', losses.performanceLossHours],
          ['  Quality loss', losses.qualityLossHours],
          ['  Valuable operating', losses.valuableOperatingHours],
        ]);
        process.stdout.write('Six big losses\n');
        printTable(
          ['Loss', 'Factor', 'Hours'],
          losses.sixBigLosses.map((l) => [l.loss, l.category, num(l.hours)]),
        );
        if (losses.availabilityLossByReason.length > 0) {
          process.stdout.write('Unplanned downtime by reason (Pareto)\n');
          printTable(
            ['Reason', 'Hours', 'Events', 'Cumulative'],
            losses.availabilityLossByReason.map((r) => [
              r.reason,
              r.hours,
              r.events,
              share(r.cumulativeShare),
            ]),
          );
        }
        for (const warning of losses.warnings) process.stdout.write(`Warning: ${warning}\n`);
      }),
    );

  withRange(
    program
      .command('compare')
      .description('The range against the previous range of the same length'),
  ).action((options: RangeOptions) =>
    withApp(async (app) => {
      const filter = await filterFrom(app, options);
      const c = await app.get(MetricsService).comparison(filter);
      if (options.json) return printJson({ machine: filter.machine, ...c });
      process.stdout.write(
        `${c.startDate} to ${c.endDate} against ${c.previousStartDate} to ${c.previousEndDate}\n`,
      );
      const ratio = (label: string, key: 'oee' | 'availability' | 'performance' | 'quality') => [
        label,
        pct(c.current[key]),
        pct(c.previous[key]),
        points(c.change[key]),
      ];
      printTable(
        ['Figure', 'Now', 'Before', 'Change'],
        [
          ratio('OEE', 'oee'),
          ratio('Availability', 'availability'),
          ratio('Performance', 'performance'),
          ratio('Quality', 'quality'),
          [
            'Scrap rate',
            c.current.scrapRate === null ? 'n/a' : `${c.current.scrapRate}%`,
            c.previous.scrapRate === null ? 'n/a' : `${c.previous.scrapRate}%`,
            signed(c.change.scrapRate, ' pts'),
          ],
          [
            'Unplanned downtime',
            `${c.current.unplannedDowntimeHours} h`,
            `${c.previous.unplannedDowntimeHours} h`,
            signed(c.change.unplannedDowntimeHours, ' h'),
          ],
          [
            'Downtime',
            `${c.current.downtimeHours} h`,
            `${c.previous.downtimeHours} h`,
            signed(c.change.downtimeHours, ' h'),
          ],
        ],
      );
    }),
  );

  program
    .command('report')
    .description('Reports')
    .command('shift')
    .description("A date's shifts: figures per machine, largest losses, major events")
    .option('--date <date>', 'the date, YYYY-MM-DD (default: yesterday in FACTORY_TIMEZONE)')
    .option('--csv', 'print one row per shift and machine as CSV')
    .option('--json', 'print the report as JSON')
    .action((options: { date?: string; csv?: boolean; json?: boolean }) =>
      withApp(async (app) => {
        const date =
          options.date === undefined
            ? addDays(todayIn(app.get(AppConfig).timeZone), -1)
            : parseDate(options.date);
        const report = await app.get(MetricsService).shiftReport(date);
        if (options.json) return printJson(report);
        if (options.csv) {
          const figures = (
            f: (typeof report.shifts)[number]['machines'][number] | (typeof report.shifts)[number],
          ) => [
            f.oee,
            f.availability,
            f.performance,
            f.quality,
            f.totalParts,
            f.goodParts,
            f.scrapParts,
            f.plannedBusyHours,
            f.runHours,
          ];
          return printCsv(
            [
              'date',
              'shift',
              'machine',
              'oee',
              'availability',
              'performance',
              'quality',
              'parts',
              'good',
              'scrap',
              'planned_busy_hours',
              'run_hours',
            ],
            report.shifts.flatMap((s) => [
              ...s.machines.map((m) => [date, s.shift, m.machine, ...figures(m)]),
              [date, s.shift, 'All', ...figures(s)],
            ]),
          );
        }
        process.stdout.write(`Shift report ${date}\n`);
        for (const s of report.shifts) {
          process.stdout.write(
            `\n${s.shift}: OEE ${pct(s.oee)}, availability ${pct(s.availability)}, performance ${pct(s.performance)}, quality ${pct(s.quality)}, ${figure(s.totalParts)} parts (${figure(s.scrapParts)} scrap)\n`,
          );
          if (s.machines.length > 0) {
            printTable(
              ['Machine', 'OEE', 'Availability', 'Performance', 'Quality', 'Parts', 'Scrap'],
              s.machines.map((m) => [
                m.machine,
                pct(m.oee),
                pct(m.availability),
                pct(m.performance),
                pct(m.quality),
                m.totalParts,
                m.scrapParts,
              ]),
            );
          }
          if (s.topLosses.length > 0) {
            const losses = s.topLosses.map((l) => `${l.loss} ${l.hours} h`).join(', ');
            process.stdout.write(`Largest losses: ${losses}\n`);
          }
          if (s.topReasons.length > 0) {
            const reasons = s.topReasons.map((r) => `${r.reason} ${r.hours} h`).join(', ');
            process.stdout.write(`Unplanned downtime: ${reasons}\n`);
          }
          for (const e of s.majorEvents) {
            process.stdout.write(
              `Major event: ${e.machine} ${e.reason} ${e.durationHours} h${e.description ? `: ${e.description}` : ''}\n`,
            );
          }
        }
        for (const e of report.majorEventsWithoutShift) {
          process.stdout.write(
            `Major event (no shift): ${e.machine} ${e.reason} ${e.durationHours} h${e.description ? `: ${e.description}` : ''}\n`,
          );
        }
      }),
    );

  program
    .command('targets')
    .description(
      "The plant's targets and the machines' own; with a target option, sets the plant's (or with --machine, that machine's)",
    )
    .option('--machine <name>', 'the machine whose targets to set')
    .option('--oee <percent>', 'OEE target, 0-100', percentOption)
    .option('--availability <percent>', 'availability target, 0-100', percentOption)
    .option('--performance <percent>', 'performance target, 0-100', percentOption)
    .option('--quality <percent>', 'quality target, 0-100', percentOption)
    .option('--scrap-rate <percent>', 'scrap rate target (at most), 0-100', percentOption)
    .option(
      '--clear',
      "clear the targets set (a machine's: the plant's apply; the plant's: TARGET_*)",
    )
    .option('--json', 'print the result as JSON')
    .action((options: TargetOptions) =>
      withApp(async (app) => {
        const metrics = app.get(MetricsService);
        const setting = TARGET_KEYS.some((key) => options[key] !== undefined);
        if (options.clear && setting) {
          throw new BadInputError('--clear clears the targets: give it without values');
        }
        const ratio = (value: number | undefined) =>
          options.clear ? null : value === undefined ? undefined : value / 100;
        const values = {
          oee: ratio(options.oee),
          availability: ratio(options.availability),
          performance: ratio(options.performance),
          quality: ratio(options.quality),
          scrapRate: options.clear ? null : options.scrapRate,
        };
        if (options.machine !== undefined) {
          await metrics.setMachineTargets(options.machine, values);
        } else if (options.clear || setting) {
          await metrics.setPlantTargets(values);
        }
        const { plant, machines } = await metrics.targets();
        if (options.json) return printJson({ plant, machines });
        const cell = (value: number | null) => (value === null ? '(plant)' : pct(value));
        printTable(
          ['Machine', 'OEE', 'Availability', 'Performance', 'Quality', 'Scrap rate (max)'],
          [{ machine: 'Plant', ...plant }, ...machines].map((t) => [
            t.machine,
            cell(t.oee),
            cell(t.availability),
            cell(t.performance),
            cell(t.quality),
            t.scrapRate === null ? '(plant)' : `${t.scrapRate}%`,
          ]),
        );
      }),
    );
}

interface TargetOptions extends Partial<Targets> {
  machine?: string;
  clear?: boolean;
  json?: boolean;
}

/** A percentage option, 0-100. */
function percentOption(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !(number >= 0 && number <= 100)) {
    throw new InvalidArgumentError('must be a percentage from 0 to 100');
  }
  return number;
}
