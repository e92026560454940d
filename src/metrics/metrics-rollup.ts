import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { addDays, daysInclusive } from '../common/dates';
import { requestResource, withOwnResources } from '../common/request-context';
import { DataService } from '../data/data.service';
import { SEVERITIES_MOST_SERIOUS_FIRST, SeverityName } from '../common/severity';
import { MetricsSumsRepository } from '../data/metrics-sums.repository';
import { MetricSums, MetricsFilter, OeeSums } from '../data/metrics-sums.types';

const SUM_KEYS: (keyof OeeSums)[] = [
  'plannedHours',
  'plannedDowntimeHours',
  'runHours',
  'downtimeHours',
  'idealHours',
  'parts',
  'good',
  'scrap',
];
/**
 * Above this size (machine-days x fields, 8 bytes each: about 500,000 machine-days of the demo
 * plant; fewer when imports bring many downtime reasons) the rollup would cost too much memory, and
 * the database answers instead.
 */
export const ROLLUP_MAX_BYTES = 200 * 2 ** 20;
const MACHINES_PER_SLICE = 25;
const DATA_VERSION = Symbol('data version');
const KEPT_VERSIONS = 2;

interface Layout {
  /** Production rows, so that a range with no data yields no row (as the SQL does). */
  rows: number;
  base: number;
  shifts: Map<string, number>;
  reasons: Map<string, number>;
  severities: Map<SeverityName, number>;
  width: number;
}

/**
 * Cumulative sums per machine and day of everything the metrics add up, so that any range is a
 * difference of two prefixes: the cost of a query no longer grows with its range. Row M (after the
 * machines) holds all machines together. Built from the same GROUP BY queries the database path
 * uses, for one data version; the formulas stay in MetricsService.
 */
export class MetricsRollup implements MetricSums {
  private readonly rowIndex: Map<number, number>;
  private readonly all: number;

  private constructor(
    private readonly startDate: string,
    private readonly days: number,
    private readonly machines: { id: number; name: string }[],
    private readonly shiftOrder: string[],
    private readonly layout: Layout,
    private readonly prefix: Float64Array,
  ) {
    this.rowIndex = new Map(machines.map((m, index) => [m.id, index]));
    this.all = machines.length;
  }

  /** Bytes the rollup of this plant would take: one 8-byte sum per field, machine (+ all) and day. */
  static bytesFor(machines: number, days: number, shifts: string[], reasons: string[]): number {
    return (machines + 1) * (days + 1) * layoutFor(shifts, reasons).width * 8;
  }

  /** Loads the sums of every machine-day (a few GROUP BY queries) and accumulates them. */
  static async build(
    queries: MetricsSumsRepository,
    machines: { id: number; name: string }[],
    shifts: string[],
    reasons: string[],
    range: { startDate: string; endDate: string },
  ): Promise<MetricsRollup> {
    const layout = layoutFor(shifts, reasons);
    const builder = new RollupBuilder(machines, range, layout);
    // A slice of machines at a time keeps the rows held in memory small.
    for (let first = 0; first < machines.length; first += MACHINES_PER_SLICE) {
      const slice = machines.slice(first, first + MACHINES_PER_SLICE);
      await builder.addSlice(queries, {
        ...range,
        machine: null,
        machineIds: { from: slice[0].id, to: slice[slice.length - 1].id },
      });
    }
    const prefix = builder.runningTotals();
    return new MetricsRollup(range.startDate, builder.dayCount, machines, shifts, layout, prefix);
  }

  machineDaySums(
    f: MetricsFilter,
    groupBy: 'none' | 'machine' | 'date',
  ): Promise<(OeeSums & { key: string })[]> {
    const span = this.span(f);
    const row = this.rowFor(f);
    if (groupBy === 'none')
      return Promise.resolve([{ key: 'all', ...this.sums(row, span, this.layout.base) }]);
    if (groupBy === 'machine') {
      const rows = f.machine ? [row] : this.machines.map((_, index) => index);
      return Promise.resolve(
        rows
          .filter((r) => this.value(r, span, this.layout.rows) > 0)
          .map((r) => ({ key: this.machines[r].name, ...this.sums(r, span, this.layout.base) })),
      );
    }
    const result: (OeeSums & { key: string })[] = [];
    if (span) {
      for (let day = span.from; day <= span.to; day++) {
        const one = { from: day, to: day };
        if (this.value(row, one, this.layout.rows) > 0) {
          result.push({
            key: addDays(this.startDate, day),
            ...this.sums(row, one, this.layout.base),
          });
        }
      }
    }
    return Promise.resolve(result);
  }

  shiftSums(f: MetricsFilter): Promise<(OeeSums & { key: string })[]> {
    const span = this.span(f);
    const row = this.rowFor(f);
    return Promise.resolve(
      this.shiftOrder
        .map((name) => ({ name, start: this.layout.shifts.get(name) as number }))
        .filter(({ start }) => this.value(row, span, start + SUM_KEYS.length) > 0)
        .map(({ name, start }) => ({ key: name, ...this.sums(row, span, start) })),
    );
  }

  qualityTotals(
    f: MetricsFilter,
    severity: SeverityName | null,
  ): Promise<{ severity: SeverityName; count: number; partsAffected: number }[]> {
    const span = this.span(f);
    const row = this.rowFor(f);
    return Promise.resolve(
      SEVERITIES_MOST_SERIOUS_FIRST.filter((s) => severity === null || s === severity)
        .map((s) => {
          const start = this.layout.severities.get(s) as number;
          return {
            severity: s,
            count: this.value(row, span, start),
            partsAffected: this.value(row, span, start + 1),
          };
        })
        .filter((s) => s.count > 0),
    );
  }

  downtimeByReason(f: MetricsFilter): Promise<{ reason: string; hours: number; events: number }[]> {
    const span = this.span(f);
    const row = this.rowFor(f);
    return Promise.resolve(
      [...this.layout.reasons]
        .map(([reason, start]) => ({
          reason,
          hours: this.value(row, span, start),
          events: this.value(row, span, start + 1),
        }))
        .filter((r) => r.events > 0)
        .sort((a, b) => b.hours - a.hours || (a.reason < b.reason ? -1 : 1)),
    );
  }

  eventTotals(f: MetricsFilter, reasons: string[]): Promise<{ events: number; hours: number }> {
    const span = this.span(f);
    const row = this.rowFor(f);
    let events = 0;
    let hours = 0;
    for (const reason of reasons) {
      const start = this.layout.reasons.get(reason);
      if (start === undefined) continue;
      hours += this.value(row, span, start);
      events += this.value(row, span, start + 1);
    }
    return Promise.resolve({ events, hours });
  }

  private rowFor(f: MetricsFilter): number {
    if (!f.machine) return this.all;
    const row = this.rowIndex.get(f.machine.id);
    // A request only uses the rollup of its own data version, which holds all its machines.
    if (row === undefined) throw new Error(`Machine ${f.machine.id} is not in this rollup`);
    return row;
  }

  /** Day indexes of the filter clipped to the rollup, or null when they do not overlap. */
  private span(f: MetricsFilter): { from: number; to: number } | null {
    const from = Math.max(0, daysInclusive(this.startDate, f.startDate) - 1);
    const to = Math.min(this.days - 1, daysInclusive(this.startDate, f.endDate) - 1);
    return from <= to ? { from, to } : null;
  }

  private value(row: number, span: { from: number; to: number } | null, field: number): number {
    if (!span) return 0;
    const stride = (this.days + 1) * this.layout.width;
    const at = (day: number) => this.prefix[row * stride + day * this.layout.width + field];
    return at(span.to + 1) - at(span.from);
  }

  private sums(row: number, span: { from: number; to: number } | null, start: number): OeeSums {
    const sums = {} as OeeSums;
    SUM_KEYS.forEach((key, i) => (sums[key] = this.value(row, span, start + i)));
    // Counts are whole numbers; differences of large running totals can carry float noise.
    for (const key of ['parts', 'good', 'scrap'] as const) sums[key] = Math.round(sums[key]);
    return sums;
  }
}

/** Adds up per-day values into the rollup's array, then turns them into running totals. */
class RollupBuilder {
  readonly dayCount: number;
  private readonly stride: number;
  private readonly values: Float64Array;
  private readonly rowOf: Map<number, number>;
  private readonly dayPositions = new Map<string, number>();

  constructor(
    private readonly machines: { id: number; name: string }[],
    private readonly range: { startDate: string; endDate: string },
    private readonly layout: Layout,
  ) {
    this.dayCount = daysInclusive(range.startDate, range.endDate);
    this.stride = (this.dayCount + 1) * layout.width;
    this.values = new Float64Array((machines.length + 1) * this.stride);
    this.rowOf = new Map(machines.map((m, index) => [m.id, index]));
  }

  /** Between queries the build lets other requests in: on SQLite each query blocks while it runs. */
  async addSlice(queries: MetricsSumsRepository, f: MetricsFilter): Promise<void> {
    const { layout } = this;
    await nextTurn();
    for (const row of await queries.machineDaySums(f, 'machineDay')) {
      const [id, date] = row.key.split('|');
      this.add(Number(id), date, layout.rows, 1);
      SUM_KEYS.forEach((key, i) => this.add(Number(id), date, layout.base + i, row[key]));
    }
    await nextTurn();
    for (const row of await queries.shiftSums(f, 'machineDayShift')) {
      const [id, date, ...name] = row.key.split('|');
      const start = layout.shifts.get(name.join('|'));
      if (start === undefined) continue;
      this.add(Number(id), date, start + SUM_KEYS.length, 1);
      SUM_KEYS.forEach((key, i) => this.add(Number(id), date, start + i, row[key]));
    }
    await nextTurn();
    for (const e of await queries.eventsByMachineDayReason(f)) {
      const start = layout.reasons.get(e.reason) as number;
      this.add(e.machineId, e.date, start, e.hours);
      this.add(e.machineId, e.date, start + 1, e.events);
    }
    await nextTurn();
    for (const q of await queries.qualityByMachineDaySeverity(f)) {
      const start = layout.severities.get(q.severity);
      if (start === undefined) continue;
      this.add(q.machineId, q.date, start, q.count);
      this.add(q.machineId, q.date, start + 1, q.partsAffected);
    }
  }

  /** Per-day values become running totals, row by row; the array is the rollup's from then on. */
  runningTotals(): Float64Array {
    const { width } = this.layout;
    for (let row = 0; row <= this.machines.length; row++) {
      for (let day = 1; day <= this.dayCount; day++) {
        const current = row * this.stride + day * width;
        for (let field = 0; field < width; field++) {
          this.values[current + field] += this.values[current - width + field];
        }
      }
    }
    return this.values;
  }

  /** Position (day index + 1) holds that day's values; position 0 stays 0. Row M is all machines. */
  private add(machineId: number, date: string, field: number, value: number): void {
    const row = this.rowOf.get(machineId);
    if (row === undefined) return;
    const offset = this.position(date) * this.layout.width + field;
    this.values[row * this.stride + offset] += value;
    this.values[this.machines.length * this.stride + offset] += value;
  }

  private position(date: string): number {
    let found = this.dayPositions.get(date);
    if (found === undefined) {
      found = daysInclusive(this.range.startDate, date);
      this.dayPositions.set(date, found);
    }
    return found;
  }
}

function layoutFor(shifts: string[], reasons: string[]): Layout {
  let width = 0;
  const take = (n: number) => ((width += n), width - n);
  const rows = take(1);
  const base = take(SUM_KEYS.length);
  const shiftStarts = new Map(shifts.map((name) => [name, take(SUM_KEYS.length + 1)]));
  const reasonStarts = new Map(reasons.map((reason) => [reason, take(2)]));
  const severityStarts = new Map(
    SEVERITIES_MOST_SERIOUS_FIRST.map((severity) => [severity, take(2)]),
  );
  return {
    rows,
    base,
    shifts: shiftStarts,
    reasons: reasonStarts,
    severities: severityStarts,
    width,
  };
}

/**
 * Hands out the rollup of the current data version, building it on first use after a write (by
 * this process or any other: the version lives in the database). One version check per request.
 */
@Injectable()
export class MetricsRollupCache {
  private readonly logger = new Logger(MetricsRollupCache.name);
  private readonly rollups = new Map<number, Promise<MetricsRollup | null>>();
  private building: Promise<{ version: number; rollup: MetricsRollup | null }> | null = null;

  constructor(
    private readonly data: DataService,
    private readonly queries: MetricsSumsRepository,
  ) {}

  /**
   * The rollup of the request's data version, or the database queries (in the request's snapshot)
   * when the data is too large to hold in memory or no rollup of that version can be had.
   */
  async sums(): Promise<MetricSums> {
    const version = await this.version();
    const known = this.rollups.get(version);
    if (known) return (await known) ?? this.queries;
    let built = await this.buildLatest();
    // A build that started before the write this request sees is of an older version: one more.
    if (built.version < version) built = await this.buildLatest();
    return built.version === version ? (built.rollup ?? this.queries) : this.queries;
  }

  /**
   * One build at a time, shared by every request that waits for it. It reads the data version and
   * every sum in one snapshot of its own (never a request's, which ends when its client goes away)
   * and is kept under that version, with the one before it: requests whose snapshots straddle a
   * write each find theirs.
   */
  private buildLatest(): Promise<{ version: number; rollup: MetricsRollup | null }> {
    this.building ??= withOwnResources(
      async () => {
        const version = await this.data.dataVersion();
        let rollup = this.rollups.get(version);
        if (!rollup) {
          const fresh = this.build();
          rollup = fresh;
          this.rollups.set(version, fresh);
          for (const old of [...this.rollups.keys()]
            .sort((a, b) => a - b)
            .slice(0, -KEPT_VERSIONS)) {
            this.rollups.delete(old);
          }
          fresh.catch(() => {
            if (this.rollups.get(version) === fresh) this.rollups.delete(version);
          });
        }
        return { version, rollup: await rollup };
      },
      { background: true },
    ).finally(() => {
      this.building = null;
    });
    return this.building;
  }

  /** The data version, read once per request (in its snapshot) and kept with the request. */
  private version(): Promise<number> {
    return (
      requestResource(DATA_VERSION, () => ({ value: this.data.dataVersion() })) ??
      this.data.dataVersion()
    );
  }

  private async build(): Promise<MetricsRollup | null> {
    const started = performance.now();
    const [stats, machines, shifts] = await Promise.all([
      this.data.stats(),
      this.data.listMachines(),
      this.data.listShifts(),
    ]);
    if (!stats.startDate || !stats.endDate) return null;
    const range = { startDate: stats.startDate, endDate: stats.endDate };
    const machineDays = stats.totalDays * machines.length;
    const shiftNames = shifts.map((s) => s.name);
    const reasons = await this.queries.reasons({ ...range, machine: null });
    const bytes = MetricsRollup.bytesFor(machines.length, stats.totalDays, shiftNames, reasons);
    if (bytes > ROLLUP_MAX_BYTES) {
      this.logger.log(
        `${machineDays} machine-days x ${reasons.length} downtime reasons would take ${Math.round(bytes / 2 ** 20)} MB: metrics are computed in the database, without a rollup`,
      );
      return null;
    }
    const rollup = await MetricsRollup.build(this.queries, machines, shiftNames, reasons, range);
    this.logger.log(
      `Built the metrics rollup (${machineDays} machine-days) in ${Math.round(performance.now() - started)} ms`,
    );
    return rollup;
  }
}
