import { Injectable } from '@nestjs/common';
import { addDays, daysInclusive, isIsoDate } from '../common/dates';
import { BadInputError } from '../common/errors';
import { round, roundParts, sum } from '../common/numbers';
import { clip, quoted } from '../common/text';
import { AppConfig, TARGET_KEYS, Targets } from '../config/app-config.service';
import { requestResource } from '../common/request-context';
import { DataService, DatasetStats, StoredTargets } from '../data/data.service';
import { SEVERITIES_MOST_SERIOUS_FIRST, SeverityName } from '../common/severity';
import { MetricsRollupCache } from './metrics-rollup';
import { assertPage, MAX_LIST_LIMIT, MAX_RANGE_DAYS } from './metrics.limits';
import { MetricsSumsRepository } from '../data/metrics-sums.repository';
import {
  DowntimeEventRow,
  LongEventCursor,
  LongEventRow,
  MetricsFilter,
  OeeSums,
  QualityIssueRow,
} from '../data/metrics-sums.types';
import {
  BigLossRow,
  Cumulative,
  DefectRow,
  DowntimeResult,
  DowntimeShareRow,
  LossesResult,
  OeeResult,
  PeriodComparison,
  PeriodFigures,
  ReasonDowntimeRow,
  ScrapResult,
  ShiftReport,
  ScrapTargetCheck,
  TargetCheck,
  TargetedFigures,
} from './metrics.types';

const hours = (value: number) => round(value, 2);
/** Ratios are answered to 4 decimals; null (no denominator) stays null. */
const rounded = (value: number | null) => (value === null ? null : round(value, 4));
const ratioOf = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;

// The OEE rules (ISO 22400), unrounded. Each is written here once.
/** Planned busy time = planned hours - planned downtime (PBT = POT - PDOT). */
const plannedBusyHours = (s: OeeSums) => s.plannedHours - s.plannedDowntimeHours;
/** Availability = run time / planned busy time. */
const availabilityOf = (s: OeeSums) => ratioOf(s.runHours, plannedBusyHours(s));
/** Performance = ideal cycle time x parts produced / run time; above 1 is not capped. */
const performanceOf = (s: OeeSums) => ratioOf(s.idealHours, s.runHours);
/** Scrap rate = 100 x scrap parts / parts produced, in percent to 2 decimals; null without parts. */
export const scrapRateOf = (s: Pick<OeeSums, 'scrap' | 'parts'>): number | null =>
  s.parts > 0 ? round((100 * s.scrap) / s.parts, 2) : null;
/** Quality = good parts / parts produced. */
const qualityOf = (s: OeeSums) => ratioOf(s.good, s.parts);

/**
 * Sums of hours are taken to 1e-6 h (3.6 ms) before any formula: the database and the rollup add
 * the same values in different orders, and float noise must not tip a rounded ratio either way.
 */
function settled<T extends OeeSums>(sums: T): T {
  const h = (value: number) => round(value, 6);
  return {
    ...sums,
    plannedHours: h(sums.plannedHours),
    plannedDowntimeHours: h(sums.plannedDowntimeHours),
    runHours: h(sums.runHours),
    downtimeHours: h(sums.downtimeHours),
    idealHours: h(sums.idealHours),
  };
}

/** The targets of the current request (read once however many machines an answer lists). */
const REQUEST_TARGETS = Symbol('targets');

/** Losses and downtime reasons a shift report names per shift. */
const TOP_LOSSES = 3;

/** No production at all (a shift with no rows in the range). */
const NO_SUMS: OeeSums = {
  plannedHours: 0,
  plannedDowntimeHours: 0,
  runHours: 0,
  downtimeHours: 0,
  idealHours: 0,
  parts: 0,
  good: 0,
  scrap: 0,
};

/**
 * Pareto shares, rows most first: each row's running total of `weight` over the whole, 0-1 to 4
 * decimals (of `fallback` when the weights are all 0, e.g. issues that affected no part).
 */
function cumulative<T>(
  rows: T[],
  weight: (row: T) => number,
  fallback: (row: T) => number = () => 1,
): (T & Cumulative)[] {
  const measure = sum(rows.map(weight)) > 0 ? weight : fallback;
  const total = sum(rows.map(measure));
  let running = 0;
  return rows.map((row) => {
    running += measure(row);
    return { ...row, cumulativeShare: total > 0 ? round(running / total, 4) : 0 };
  });
}

/**
 * Every metric formula, in one place. GraphQL resolvers, chat tools, the CLI and the dashboard call
 * these methods; the database only sums (MetricsSumsRepository).
 *
 * planned busy time = planned hours - planned downtime (ISO 22400: PBT = POT - PDOT)
 * Availability = run / planned busy time; Performance = ideal cycle time x parts / run;
 * Quality = good / parts; OEE = A x P x Q. All from sums, so roll-ups are weighted correctly.
 */
@Injectable()
export class MetricsService {
  constructor(
    private readonly data: DataService,
    private readonly queries: MetricsSumsRepository,
    private readonly rollups: MetricsRollupCache,
    private readonly config: AppConfig,
  ) {}

  /** Validates a date range and resolves the machine name (case-insensitive) to its id. */
  async resolveFilter(
    startDate: string,
    endDate: string,
    machine?: string | null,
  ): Promise<MetricsFilter> {
    for (const [name, value] of [
      ['startDate', startDate],
      ['endDate', endDate],
    ] as const) {
      if (!isIsoDate(value)) {
        throw new BadInputError(`${name} must be a calendar date YYYY-MM-DD, got ${quoted(value)}`);
      }
    }
    if (endDate < startDate) {
      throw new BadInputError(`endDate (${endDate}) is before startDate (${startDate})`);
    }
    const days = daysInclusive(startDate, endDate);
    if (days > MAX_RANGE_DAYS) {
      throw new BadInputError(
        `The range covers ${days} days; at most ${MAX_RANGE_DAYS} are allowed`,
      );
    }
    if (machine === undefined || machine === null) return { startDate, endDate, machine: null };
    return { startDate, endDate, machine: await this.resolveMachine(machine) };
  }

  /** A machine by name, in any letter case; an unknown name is refused with the known ones. */
  async resolveMachine(machine: string): Promise<{ id: number; name: string }> {
    const found = await this.data.findMachine(machine.trim());
    if (found) return found;
    const known = (await this.data.listMachines()).map((m) => m.name);
    const list = known.length > 20 ? `${known.slice(0, 20).join(', ')}, ...` : known.join(', ');
    throw new BadInputError(
      `Unknown machine '${clip(machine)}'. Known machines: ${list || 'none (no data yet)'}`,
    );
  }

  /** A, P, Q and OEE from sums; a ratio whose denominator is 0 is null. */
  oeeFromSums(raw: OeeSums): OeeResult {
    const sums = settled(raw);
    const plannedBusy = plannedBusyHours(sums);
    const [a, p, q] = [availabilityOf(sums), performanceOf(sums), qualityOf(sums)];
    return {
      oee: a === null || p === null || q === null ? null : round(a * p * q, 4),
      availability: rounded(a),
      performance: rounded(p),
      quality: rounded(q),
      totalParts: sums.parts,
      goodParts: sums.good,
      scrapParts: sums.scrap,
      plannedHours: hours(sums.plannedHours),
      plannedBusyHours: hours(plannedBusy),
      runHours: hours(sums.runHours),
    };
  }

  /**
   * What is stored, as DataService.stats() counts it; from the rollup when there is one (counting
   * machine-days in the database reads every production row).
   */
  async datasetStats(): Promise<DatasetStats> {
    const rollup = await this.rollups.rollup();
    if (!rollup) return this.data.stats();
    const counted = rollup.stats();
    return { exists: counted.startDate !== null, ...counted };
  }

  async oee(f: MetricsFilter): Promise<OeeResult> {
    const [sums] = await (await this.rollups.sums()).machineDaySums(f, 'none');
    return this.oeeFromSums(sums);
  }

  async oeeByMachine(f: MetricsFilter): Promise<(OeeResult & { machine: string })[]> {
    const rows = await (await this.rollups.sums()).machineDaySums(f, 'machine');
    return rows.map((row) => ({ machine: row.key, ...this.oeeFromSums(row) }));
  }

  async oeeByShift(f: MetricsFilter): Promise<(OeeResult & { shift: string })[]> {
    const rows = await (await this.rollups.sums()).shiftSums(f);
    return rows.map((row) => ({ shift: row.key, ...this.oeeFromSums(row) }));
  }

  async oeeDaily(f: MetricsFilter): Promise<(OeeResult & { date: string })[]> {
    const rows = await (await this.rollups.sums()).machineDaySums(f, 'date');
    return rows.map((row) => ({ date: row.key, ...this.oeeFromSums(row) }));
  }

  /**
   * What an OEE answer must not hide, per machine:
   * - performance above 100%: parts were made faster than the ideal cycle time allows, so the
   *   configured cycle time is wrong (performance is not capped);
   * - parts counted live outside every shift of SHIFTS: not planned time, so in no figure.
   */
  async oeeWarnings(f: MetricsFilter): Promise<string[]> {
    const [machines, cycleTimes, offShift] = await Promise.all([
      (await this.rollups.sums()).machineDaySums(f, 'machine').then((rows) => rows.map(settled)),
      this.data.listMachines(),
      this.queries.offShiftProduction(f),
    ]);
    const seconds = new Map(cycleTimes.map((m) => [m.name, m.idealCycleTimeSeconds]));
    const performance = machines.flatMap((m) => {
      const value = performanceOf(m);
      return value !== null && value > 1
        ? [
            `Performance of ${m.key} is ${(100 * value).toFixed(1)}%: it made more parts ` +
              `than its ideal cycle time (${seconds.get(m.key)} s) allows, so that cycle time is probably too long.`,
          ]
        : [];
    });
    const outside = offShift.map((m) => {
      const dates =
        m.firstDate === m.lastDate
          ? `on ${m.firstDate}`
          : `between ${m.firstDate} and ${m.lastDate}`;
      return (
        `${m.machine} produced ${m.parts} parts (${m.scrap} scrap) outside every shift of the ` +
        `shift calendar (SHIFTS) ${dates}: not planned time, so they are in none of these figures.`
      );
    });
    return [...performance, ...outside];
  }

  scrapFromSums(sums: Pick<OeeSums, 'scrap' | 'parts'>): ScrapResult {
    return {
      scrapParts: sums.scrap,
      totalParts: sums.parts,
      scrapRate: scrapRateOf(sums),
    };
  }

  async scrap(f: MetricsFilter): Promise<ScrapResult> {
    const [sums] = await (await this.rollups.sums()).machineDaySums(f, 'none');
    return this.scrapFromSums(sums);
  }

  async scrapByMachine(f: MetricsFilter): Promise<(ScrapResult & { machine: string })[]> {
    const rows = await (await this.rollups.sums()).machineDaySums(f, 'machine');
    return rows.map((row) => ({ machine: row.key, ...this.scrapFromSums(row) }));
  }

  async scrapDaily(f: MetricsFilter): Promise<(ScrapResult & { date: string })[]> {
    const rows = await (await this.rollups.sums()).machineDaySums(f, 'date');
    return rows.map((row) => ({ date: row.key, ...this.scrapFromSums(row) }));
  }

  /** Issue count and parts affected, with a count for every severity (0 included). */
  async qualitySummary(
    f: MetricsFilter,
    severity: SeverityName | null,
  ): Promise<{
    totalIssues: number;
    totalPartsAffected: number;
    severityBreakdown: { severity: SeverityName; count: number }[];
  }> {
    const rows = await (await this.rollups.sums()).qualityTotals(f, severity);
    return {
      totalIssues: rows.reduce((n, r) => n + r.count, 0),
      totalPartsAffected: rows.reduce((n, r) => n + r.partsAffected, 0),
      severityBreakdown: SEVERITIES_MOST_SERIOUS_FIRST.map((s) => ({
        severity: s,
        count: rows.find((r) => r.severity === s)?.count ?? 0,
      })),
    };
  }

  async qualityIssues(
    f: MetricsFilter,
    severity: SeverityName | null,
    page: { limit: number; offset: number },
    type: string | null = null,
  ): Promise<QualityIssueRow[]> {
    assertPage(page);
    return this.queries.qualityIssues(f, severity, page.limit, page.offset, type);
  }

  /**
   * Total downtime is the recorded downtime hours; planned downtime is the same machine-day figure
   * OEE uses. Failures are events whose reason is in FAILURE_REASONS:
   * MTTR = failure hours / failures, MTBF = run hours / failures (null without failures).
   */
  async downtime(f: MetricsFilter): Promise<DowntimeResult> {
    const source = await this.rollups.sums();
    const [[raw], failureTotals] = await Promise.all([
      source.machineDaySums(f, 'none'),
      source.eventTotals(f, this.config.failureReasons),
    ]);
    const sums = settled(raw);
    const failures = { ...failureTotals, hours: round(failureTotals.hours, 6) };
    return {
      totalDowntimeHours: hours(sums.downtimeHours),
      plannedDowntimeHours: hours(sums.plannedDowntimeHours),
      unplannedDowntimeHours: hours(sums.downtimeHours - sums.plannedDowntimeHours),
      failures: failures.events,
      failureHours: hours(failures.hours),
      mtbfHours: failures.events > 0 ? hours(sums.runHours / failures.events) : null,
      mttrHours: failures.events > 0 ? hours(failures.hours / failures.events) : null,
    };
  }

  /** Event hours per reason, most hours first (a Pareto), each marked planned or not. */
  async downtimeByReason(f: MetricsFilter): Promise<ReasonDowntimeRow[]> {
    const planned = new Set(this.config.plannedDowntimeReasons);
    const rows = await (await this.rollups.sums()).downtimeByReason(f);
    return cumulative(
      rows.map((r) => ({ ...r, hours: hours(r.hours), planned: planned.has(r.reason) })),
      (r) => r.hours,
    );
  }

  /** Recorded downtime per machine, most unplanned first (a Pareto of unplanned hours). */
  async downtimeByMachine(f: MetricsFilter): Promise<DowntimeShareRow[]> {
    return downtimeShares(await (await this.rollups.sums()).machineDaySums(f, 'machine'));
  }

  /** Recorded downtime per shift, most unplanned first (a Pareto of unplanned hours). */
  async downtimeByShift(f: MetricsFilter): Promise<DowntimeShareRow[]> {
    return downtimeShares(await (await this.rollups.sums()).shiftSums(f));
  }

  /**
   * Quality issues and the parts they affected by type or by machine, most parts affected first,
   * with the cumulative share of parts affected (of issues when none affected a part).
   */
  async defects(
    f: MetricsFilter,
    severity: SeverityName | null,
    by: 'type' | 'machine',
  ): Promise<DefectRow[]> {
    const rows = await this.queries.defectsBy(f, severity, by);
    return cumulative(
      rows,
      (r) => r.partsAffected,
      (r) => r.count,
    );
  }

  /** A shift name as stored (any letter case accepted); unknown names list the known ones. */
  async resolveShift(name: string): Promise<string> {
    const shifts = (await this.data.listShifts()).map((s) => s.name);
    const found = shifts.find((s) => s.toLowerCase() === name.trim().toLowerCase());
    if (found === undefined) {
      throw new BadInputError(
        `Unknown shift '${clip(name)}'. Known shifts: ${shifts.join(', ') || 'none (no data yet)'}`,
      );
    }
    return found;
  }

  /**
   * Where planned busy time went (ISO 22400 losses), in hours that add up to it exactly:
   * valuable operating time = OEE x planned busy time = ideal time x quality;
   * availability loss = planned busy time - run time; performance loss = run time - ideal time
   * (negative when parts were made faster than the ideal cycle times allow); quality loss = ideal
   * time - valuable operating time (the ideal time of the scrap parts). The availability loss is
   * split by unplanned downtime reason and, with the rest, into the six big losses.
   */
  async losses(f: MetricsFilter, shift: string | null): Promise<LossesResult> {
    const source = await this.rollups.sums();
    const [raw, events] = await Promise.all([
      shift === null
        ? source.machineDaySums(f, 'none').then(([sums]) => sums)
        : source.shiftSums(f).then((rows) => rows.find((r) => r.key === shift) ?? NO_SUMS),
      this.queries.eventsForLosses(f, shift, this.config.smallStopHours),
    ]);
    const s = settled(raw);
    const plannedBusy = plannedBusyHours(s);
    const valuable = s.idealHours * (qualityOf(s) ?? 0);
    const availabilityLoss = plannedBusy - s.runHours;
    const [availabilityLossHours, performanceLossHours, qualityLossHours, valuableOperatingHours] =
      roundParts(
        [availabilityLoss, s.runHours - s.idealHours, s.idealHours - valuable, valuable],
        2,
      );

    const planned = new Set(this.config.plannedDowntimeReasons);
    const failures = new Set(this.config.failureReasons);
    const setups = new Set(this.config.setupReasons);
    const unplanned = events.filter((e) => !planned.has(e.reason));
    const hoursOf = (rows: typeof events, field: 'hours' | 'shortHours' = 'hours') =>
      sum(rows.map((e) => e[field]));
    const breakdowns = hoursOf(unplanned.filter((e) => failures.has(e.reason)));
    const others = unplanned.filter((e) => !failures.has(e.reason));
    const setup = hoursOf(others.filter((e) => setups.has(e.reason)));
    const smallStops = hoursOf(
      others.filter((e) => !setups.has(e.reason)),
      'shortHours',
    );
    const otherStops = availabilityLoss - breakdowns - setup - smallStops;
    const [breakdownHours, setupHours, smallStopHours, otherStopHours] = roundParts(
      [breakdowns, setup, smallStops, otherStops],
      2,
    );
    const list = (reasons: string[]) => reasons.join(', ') || 'none';
    const sixBigLosses: BigLossRow[] = [
      {
        loss: 'Breakdowns',
        category: 'availability',
        hours: breakdownHours,
        note: `Unplanned events of FAILURE_REASONS (${list(this.config.failureReasons)}).`,
      },
      {
        loss: 'Setup and adjustments',
        category: 'availability',
        hours: setupHours,
        note: `Unplanned events of SETUP_REASONS (${list(this.config.setupReasons)}).`,
      },
      {
        loss: 'Small stops',
        category: 'availability',
        hours: smallStopHours,
        note:
          `Other unplanned events shorter than SMALL_STOP_MINUTES (${round(this.config.smallStopHours * 60, 2)} min). ` +
          'Stops too short to be recorded are not here but in reduced speed.',
      },
      {
        loss: 'Other stops',
        category: 'availability',
        hours: otherStopHours,
        note: 'The rest of the availability loss: longer events of other reasons, and downtime recorded without events.',
      },
      {
        loss: 'Reduced speed',
        category: 'performance',
        hours: performanceLossHours,
        note: 'The whole performance loss (unrecorded small stops included): the data does not tell them apart.',
      },
      {
        loss: 'Process defects',
        category: 'quality',
        hours: qualityLossHours,
        note: 'The whole quality loss: the ideal time of the scrap parts.',
      },
      {
        loss: 'Reduced yield',
        category: 'quality',
        hours: null,
        note: 'Start-up scrap is not recorded apart from other scrap: it is counted in process defects.',
      },
    ];
    const reasonRows = (rows: typeof events) =>
      cumulative(
        rows.map((e) => ({ reason: e.reason, hours: hours(e.hours), events: e.events })),
        (r) => r.hours,
      );
    const warnings: string[] = [];
    if (performanceLossHours < 0) {
      warnings.push(
        `The performance loss is negative (${performanceLossHours} h): parts were made faster than ` +
          'the ideal cycle times allow (see oee warnings for the machine).',
      );
    }
    if (otherStopHours < 0) {
      warnings.push(
        `Unplanned downtime events add up to ${hours(-otherStops)} h more than the downtime ` +
          'recorded for the machine-days: other stops is negative.',
      );
    }
    return {
      plannedHours: hours(s.plannedHours),
      plannedDowntimeHours: hours(s.plannedDowntimeHours),
      plannedBusyHours: hours(plannedBusy),
      valuableOperatingHours,
      availabilityLossHours,
      performanceLossHours,
      qualityLossHours,
      availabilityLossByReason: reasonRows(unplanned),
      plannedDowntimeByReason: reasonRows(events.filter((e) => planned.has(e.reason))),
      sixBigLosses,
      warnings,
    };
  }

  /**
   * The range against the one just before it of the same length: OEE, A, P, Q, scrap rate and
   * downtime of each, and the change (current - previous).
   */
  async comparison(f: MetricsFilter): Promise<PeriodComparison> {
    const days = daysInclusive(f.startDate, f.endDate);
    const previousRange = {
      ...f,
      startDate: addDays(f.startDate, -days),
      endDate: addDays(f.startDate, -1),
    };
    const [current, previous] = await Promise.all([
      this.periodFigures(f),
      this.periodFigures(previousRange),
    ]);
    const change = {} as PeriodComparison['change'];
    for (const key of Object.keys(current) as (keyof PeriodFigures)[]) {
      const [now, before] = [current[key], previous[key]];
      const decimals = key.endsWith('Hours') || key === 'scrapRate' ? 2 : 4;
      change[key] = now === null || before === null ? null : round(now - before, decimals);
    }
    return {
      startDate: f.startDate,
      endDate: f.endDate,
      previousStartDate: previousRange.startDate,
      previousEndDate: previousRange.endDate,
      current,
      previous,
      change,
    };
  }

  /** Each machine's figures per date and shift (machine-day-shifts with production only). */
  async machineShiftFigures(
    f: MetricsFilter,
  ): Promise<(OeeResult & { machine: string; date: string; shift: string })[]> {
    const [rows, machines] = await Promise.all([
      this.queries.shiftSums(f, 'machineDayShift'),
      this.data.listMachines(),
    ]);
    const names = new Map(machines.map((m) => [String(m.id), m.name]));
    // Keys are "machine id|date|shift".
    return rows.map((row) => {
      const bar = row.key.indexOf('|');
      return {
        machine: names.get(row.key.slice(0, bar)) ?? '',
        date: row.key.slice(bar + 1, bar + 11),
        shift: row.key.slice(bar + 12),
        ...this.oeeFromSums(row),
      };
    });
  }

  /**
   * A date's shifts, each with its figures in total and per machine, its largest losses and its
   * major events: what a shift hand-over or the morning meeting reads.
   */
  async shiftReport(date: string): Promise<ShiftReport> {
    const f = await this.resolveFilter(date, date);
    const [totals, parsed, shifts, major] = await Promise.all([
      (await this.rollups.sums()).shiftSums(f),
      this.machineShiftFigures(f),
      this.data.listShifts(),
      this.majorEvents(f, { limit: MAX_LIST_LIMIT, offset: 0 }),
    ]);
    const report: ShiftReport = {
      date,
      shifts: [],
      majorEventsWithoutShift: major.filter((e) => e.shift === null),
    };
    for (const { name: shift } of shifts) {
      const losses = await this.losses(f, shift);
      report.shifts.push({
        shift,
        ...this.oeeFromSums(totals.find((t) => t.key === shift) ?? NO_SUMS),
        machines: parsed
          .filter((p) => p.shift === shift)
          .map(({ date, shift, ...figures }) => figures),
        topLosses: losses.sixBigLosses
          .filter((l) => l.hours !== null && l.hours > 0)
          .sort((a, b) => (b.hours as number) - (a.hours as number))
          .slice(0, TOP_LOSSES),
        topReasons: losses.availabilityLossByReason.slice(0, TOP_LOSSES),
        majorEvents: major.filter((e) => e.shift === shift),
      });
    }
    return report;
  }

  /**
   * The targets of a machine (its own where set, the plant's TARGET_* otherwise), or the plant's
   * for null, and whether `figures` meet them: OEE, A, P and Q at least their targets, the scrap
   * rate at most its target.
   */
  async targetCheck(figures: TargetedFigures, machine: string | null): Promise<TargetCheck> {
    return (await this.targetChecker())(figures, machine);
  }

  /** targetCheck for many figures: the machines' own targets are read once. */
  async targetChecker(): Promise<
    (figures: TargetedFigures, machine: string | null) => TargetCheck
  > {
    const { owns, plant } = await this.storedTargets();
    const atLeast = (value: number | null, goal: number) => (value === null ? null : value >= goal);
    return (figures, machine) => {
      const own = machine === null ? undefined : owns.get(machine);
      const target = (key: keyof Targets) => own?.[key] ?? plant[key];
      const scrapRate = scrapRateOf({ scrap: figures.scrapParts, parts: figures.totalParts });
      const targets = {
        oee: target('oee'),
        availability: target('availability'),
        performance: target('performance'),
        quality: target('quality'),
        scrapRate: target('scrapRate'),
      };
      return {
        ...targets,
        own: own !== undefined,
        oeeMet: atLeast(figures.oee, targets.oee),
        availabilityMet: atLeast(figures.availability, targets.availability),
        performanceMet: atLeast(figures.performance, targets.performance),
        qualityMet: atLeast(figures.quality, targets.quality),
        scrapRateMet: scrapRate === null ? null : scrapRate <= targets.scrapRate,
      };
    };
  }

  /** The scrap-rate target of a machine (its own, else the plant's) or of the plant, for null. */
  async scrapTargetCheck(
    figures: { scrapParts: number; totalParts: number },
    machine: string | null,
  ): Promise<ScrapTargetCheck> {
    return (await this.scrapTargetChecker())(figures, machine);
  }

  /** scrapTargetCheck for many figures: the machines' own targets are read once. */
  async scrapTargetChecker(): Promise<
    (
      figures: { scrapParts: number; totalParts: number },
      machine: string | null,
    ) => ScrapTargetCheck
  > {
    const check = await this.targetChecker();
    const none = { oee: null, availability: null, performance: null, quality: null };
    return (figures, machine) => {
      const t = check({ ...none, ...figures }, machine);
      return { scrapRate: t.scrapRate, own: t.own, met: t.scrapRateMet };
    };
  }

  /** The plant's targets and every machine's own (only what each overrides). */
  async targets(): Promise<{ plant: Targets; machines: StoredTargets[] }> {
    return { plant: await this.plantTargets(), machines: await this.data.machineTargets() };
  }

  /** The plant's targets in force now: as last set, else TARGET_*. */
  async plantTargets(): Promise<Targets> {
    return this.withPlantDefaults(await this.data.plantTargetsNow());
  }

  /** Each change of the plant's targets between two instants, with the targets it put in force. */
  async plantTargetHistory(
    from: number,
    to: number,
  ): Promise<(Targets & { effectiveAt: number })[]> {
    return (await this.data.plantTargetLog(from, to)).map((set) => ({
      effectiveAt: set.effectiveAt,
      ...this.withPlantDefaults(set),
    }));
  }

  /**
   * Sets the plant's targets from an instant on (default now; not in the future): a value
   * replaces, null goes back to the TARGET_* setting, an absent key keeps the one in force then.
   * Returns the targets in force from then on.
   */
  async setPlantTargets(
    values: Partial<Record<keyof Targets, number | null>>,
    at: number | 'now' = 'now',
  ): Promise<Targets> {
    checkTargets(values);
    if (at !== 'now' && !(at <= Date.now())) {
      throw new BadInputError(
        "The plant's targets can be set from now or an instant before, not later",
      );
    }
    const inForce = await this.data.changePlantTargets(at, (current, effectiveAt) => {
      const merged = { effectiveAt, ...mergeTargets(current, values) };
      // Setting what is in force already changes nothing, and adds nothing to the history.
      const unchanged = TARGET_KEYS.every((key) => merged[key] === (current?.[key] ?? null));
      return unchanged ? null : merged;
    });
    return this.withPlantDefaults(inForce);
  }

  /**
   * Sets a machine's own targets: a value replaces, null clears (back to the plant's), an absent
   * key keeps. OEE, A, P and Q are ratios 0-1, the scrap rate a percentage 0-100.
   */
  async setMachineTargets(
    machine: string,
    values: Partial<Record<keyof Targets, number | null>>,
  ): Promise<StoredTargets> {
    const found = await this.resolveMachine(machine);
    checkTargets(values);
    const current = (await this.data.machineTargets()).find((t) => t.machine === found.name);
    const merged: StoredTargets = { machine: found.name, ...mergeTargets(current ?? null, values) };
    await this.data.setMachineTargets(merged);
    return merged;
  }

  /** The plant's targets where set, TARGET_* elsewhere. */
  private withPlantDefaults(set: Omit<StoredTargets, 'machine'> | null): Targets {
    const defaults = this.config.targets;
    return {
      oee: set?.oee ?? defaults.oee,
      availability: set?.availability ?? defaults.availability,
      performance: set?.performance ?? defaults.performance,
      quality: set?.quality ?? defaults.quality,
      scrapRate: set?.scrapRate ?? defaults.scrapRate,
    };
  }

  /** The machines' own targets and the plant's now, read once per request. */
  private storedTargets(): Promise<{ owns: Map<string, StoredTargets>; plant: Targets }> {
    const load = async () => ({
      owns: new Map((await this.data.machineTargets()).map((t) => [t.machine, t])),
      plant: await this.plantTargets(),
    });
    return requestResource(REQUEST_TARGETS, () => ({ value: load() })) ?? load();
  }

  private async periodFigures(f: MetricsFilter): Promise<PeriodFigures> {
    const [raw] = await (await this.rollups.sums()).machineDaySums(f, 'none');
    const sums = settled(raw);
    const { oee, availability, performance, quality } = this.oeeFromSums(sums);
    return {
      oee,
      availability,
      performance,
      quality,
      scrapRate: scrapRateOf(sums),
      downtimeHours: hours(sums.downtimeHours),
      unplannedDowntimeHours: hours(sums.downtimeHours - sums.plannedDowntimeHours),
    };
  }

  /** Events longer than MAJOR_DOWNTIME_HOURS (of one reason when named), longest first. */
  async majorEvents(
    f: MetricsFilter,
    page: { limit: number; offset: number },
    reason: string | null = null,
  ): Promise<DowntimeEventRow[]> {
    assertPage(page);
    const rows = await this.queries.longEvents(
      f,
      this.config.majorDowntimeHours,
      page.limit,
      page.offset,
      reason,
    );
    return rows.map((r) => ({ ...r, durationHours: hours(r.durationHours) }));
  }

  /**
   * Every major event (longer than MAJOR_DOWNTIME_HOURS) of the range, a page at a time in storage
   * order, with when it began if it is a live stop: what the alert rules go through.
   */
  async *allMajorEvents(f: MetricsFilter, pageSize: number): AsyncGenerator<LongEventRow> {
    let after: LongEventCursor | null = null;
    for (;;) {
      const page = await this.queries.longEventPage(
        f,
        this.config.majorDowntimeHours,
        after,
        pageSize,
      );
      for (const row of page) yield { ...row, durationHours: hours(row.durationHours) };
      if (page.length < pageSize) return;
      after = page[page.length - 1];
    }
  }
}

/** Downtime per machine or shift, most unplanned hours first, with their cumulative share. */
function downtimeShares(rows: (OeeSums & { key: string })[]): DowntimeShareRow[] {
  const list = rows
    .map(settled)
    .map((r) => ({
      key: r.key,
      downtimeHours: hours(r.downtimeHours),
      plannedDowntimeHours: hours(r.plannedDowntimeHours),
      unplannedDowntimeHours: hours(r.downtimeHours - r.plannedDowntimeHours),
    }))
    .sort((a, b) => b.unplannedDowntimeHours - a.unplannedDowntimeHours);
  return cumulative(list, (r) => r.unplannedDowntimeHours);
}

/** OEE, A, P and Q are ratios 0-1, the scrap rate a percentage 0-100; null clears. */
function checkTargets(values: Partial<Record<keyof Targets, number | null>>): void {
  for (const [key, value] of Object.entries(values)) {
    const max = key === 'scrapRate' ? 100 : 1;
    if (value !== null && value !== undefined && !(value >= 0 && value <= max)) {
      throw new BadInputError(
        `${key} must be from 0 to ${max}${key === 'scrapRate' ? ' (percent)' : ' (a ratio)'} or null, got ${value}`,
      );
    }
  }
}

/** Targets as set before, with `values` applied: a value replaces, null clears, absent keeps. */
function mergeTargets(
  current: Partial<Record<keyof Targets, number | null>> | null,
  values: Partial<Record<keyof Targets, number | null>>,
): Record<keyof Targets, number | null> {
  const merged = {} as Record<keyof Targets, number | null>;
  for (const key of TARGET_KEYS) {
    merged[key] = values[key] === undefined ? (current?.[key] ?? null) : values[key];
  }
  return merged;
}
