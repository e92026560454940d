import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { addDays, daysInclusive, monthEnd, monthStart } from '../common/dates';
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
 * Above this size (machine-months and plant days x fields, 8 bytes each: about 400,000
 * machine-months of the demo plant, fewer when imports bring many downtime reasons) the rollup
 * would cost too much memory, and the database answers instead.
 */
export const ROLLUP_MAX_BYTES = 200 * 2 ** 20;
/** Machine-days one build query reads: a few milliseconds of the database's time each. */
const MACHINE_DAYS_PER_QUERY = 2_500;
/** Changes larger than this are rebuilt from scratch rather than patched in. */
const PATCH_MAX_MACHINE_DAYS = 20_000;
const DATA_VERSION = Symbol('data version');
/** Longest a request waits for the rollup of its version before the database answers it. */
export const ROLLUP_WAIT_MS = 20_000;
const KEPT_VERSIONS = 2;

interface Layout {
  /** Machine-days with production rows, so that a range with no data yields no row (as the SQL). */
  machineDays: number;
  base: number;
  shifts: Map<string, number>;
  reasons: Map<string, number>;
  severities: Map<SeverityName, number>;
  width: number;
}

interface Machine {
  id: number;
  name: string;
}

/** Day indexes, both included. */
interface Span {
  from: number;
  to: number;
}

/** What is stored, as DataService.stats() counts it. */
export interface RollupStats {
  startDate: string | null;
  endDate: string | null;
  totalDays: number;
  daysWithData: number;
  totalRecords: number;
  totalMachines: number;
  totalShifts: number;
}

/**
 * Everything the metrics add up, for one data version, in a structure that grows with machines x
 * months, not with days: per machine, running totals month by month; for the whole plant, running
 * totals day by day. A plant-wide query over any range is the difference of two of them; a query for
 * one machine takes its whole months from here and the days at the range's edges from the database
 * (in the request's snapshot): its production sums from the month-to-date rows of
 * machine_day_totals (two lookups per edge, for every machine at once in `byMachine`), the rest
 * (shifts, downtime reasons, quality) summed over the edge days. Built from the same GROUP BY queries as the database
 * path, and patched machine-day by machine-day after a write; the formulas stay in MetricsService.
 */
export class MetricsRollup implements MetricSums {
  private readonly monthStarts: number[];
  /** The month of each day held. */
  private readonly dayMonths: Int32Array;
  private readonly dayIndexes = new Map<string, number>();
  private readonly dates: string[] = [];
  private statsCache: RollupStats | null = null;

  private constructor(
    private readonly queries: MetricsSumsRepository,
    /** The first day of the first month held. */
    private readonly startDate: string,
    /** Whole months from startDate on. */
    private readonly monthCount: number,
    private readonly machines: Machine[],
    private readonly shiftOrder: string[],
    private readonly layout: Layout,
    /** Per machine id: (monthCount + 1) x width running totals by month; row 0 is zeros. */
    private readonly months: Map<number, Float64Array>,
    /** (days + 1) x width running totals of the whole plant; row 0 is zeros. */
    private readonly plant: Float64Array,
  ) {
    this.monthStarts = Array.from({ length: monthCount + 1 }, (_, k) =>
      daysBetween(startDate, addMonths(startDate, k)),
    );
    this.dayMonths = new Int32Array(this.days);
    for (let k = 0; k < monthCount; k++) {
      this.dayMonths.fill(k, this.monthStarts[k], this.monthStarts[k + 1]);
    }
  }

  private get days(): number {
    return this.monthStarts[this.monthCount];
  }

  /** Bytes the rollup of this plant would take: one 8-byte sum per field, machine-month and day. */
  static bytesFor(machines: number, range: DateRange, shifts: string[], reasons: string[]): number {
    const start = monthStart(range.startDate);
    const months = monthsFrom(start, range.endDate);
    const days = daysBetween(start, addMonths(start, months));
    return (machines * (months + 1) + days + 1) * layoutFor(shifts, reasons).width * 8;
  }

  /** Reads the sums of every machine-day (a few GROUP BY queries per slice) into a new rollup. */
  static async build(
    queries: MetricsSumsRepository,
    machines: Machine[],
    shifts: string[],
    reasons: string[],
    range: DateRange,
  ): Promise<MetricsRollup> {
    const start = monthStart(range.startDate);
    const layout = layoutFor(shifts, reasons);
    const monthCount = monthsFrom(start, range.endDate);
    const months = new Map(
      machines.map((m) => [m.id, new Float64Array((monthCount + 1) * layout.width)]),
    );
    const rollup = new MetricsRollup(
      queries,
      start,
      monthCount,
      machines,
      shifts,
      layout,
      months,
      new Float64Array(0),
    );
    const days = new Float64Array((rollup.days + 1) * layout.width);
    const machinesPerQuery = Math.max(1, Math.floor(MACHINE_DAYS_PER_QUERY / rollup.days));
    const daysPerQuery = Math.min(rollup.days, MACHINE_DAYS_PER_QUERY);
    for (let first = 0; first < machines.length; first += machinesPerQuery) {
      const slice = machines.slice(first, first + machinesPerQuery);
      for (let day = 0; day < rollup.days; day += daysPerQuery) {
        const f: MetricsFilter = {
          startDate: addDays(start, day),
          endDate: addDays(start, Math.min(rollup.days, day + daysPerQuery) - 1),
          machine: null,
          machineIds: { from: slice[0].id, to: slice[slice.length - 1].id },
        };
        const known = await readSums(queries, f, layout, (machineId, date, field, value) => {
          rollup.addToMonth(months.get(machineId), date, field, value);
          days[(rollup.dayIndex(date) + 1) * layout.width + field] += value;
        });
        if (!known) throw new Error('Data changed while the rollup was built');
      }
    }
    for (const sums of months.values()) runningTotals(sums, layout.width, 1);
    runningTotals(days, layout.width, 1);
    return rollup.withPlant(days);
  }

  /**
   * A copy with the changed machine-days read again: the months they fall in for their machines,
   * and their days for the plant. Null when the change brings what the layout has no room for (a
   * new shift or downtime reason, a date outside the months held): then a build is needed.
   */
  async patched(
    changes: Map<number, Set<string>>,
    machines: Machine[],
  ): Promise<MetricsRollup | null> {
    const { layout } = this;
    const dates = new Set([...changes.values()].flatMap((d) => [...d]));
    const outside = (date: string) => {
      const day = daysBetween(this.startDate, date);
      return day < 0 || day >= this.days;
    };
    if ([...dates].some(outside)) return null;
    const months = new Map(this.months);
    for (const m of machines) {
      if (!months.has(m.id)) {
        months.set(m.id, new Float64Array((this.monthCount + 1) * layout.width));
      }
    }
    const next = new MetricsRollup(
      this.queries,
      this.startDate,
      this.monthCount,
      machines,
      this.shiftOrder,
      layout,
      months,
      new Float64Array(0),
    );
    for (const [machineId, machineDates] of changes) {
      const sums = new Float64Array(months.get(machineId) ?? []);
      if (sums.length === 0) continue; // a machine deleted since
      months.set(machineId, sums);
      for (const month of new Set([...machineDates].map(monthStart))) {
        const k = this.monthIndex(month);
        const fresh = new Float64Array(layout.width);
        const f = {
          startDate: month,
          endDate: monthEnd(month),
          machine: { id: machineId, name: '' },
        };
        const known = await readSums(this.queries, f, layout, (_, __, field, value) => {
          fresh[field] += value;
        });
        if (!known) return null;
        // The month's new sums replace its old ones in every running total from it on.
        for (let field = 0; field < layout.width; field++) {
          const old = sums[(k + 1) * layout.width + field] - sums[k * layout.width + field];
          const delta = fresh[field] - old;
          for (let row = k + 1; row <= this.monthCount; row++) {
            sums[row * layout.width + field] += delta;
          }
        }
      }
    }
    // The plant's changed days, read again for all machines, replace their old values.
    const plant = new Float64Array(this.plant);
    const changed = new Float64Array((this.days + 1) * layout.width);
    const perQuery = Math.max(1, Math.floor(MACHINE_DAYS_PER_QUERY / Math.max(1, machines.length)));
    for (const run of dateRuns([...dates], perQuery)) {
      const f = { startDate: run.startDate, endDate: run.endDate, machine: null };
      const known = await readSums(this.queries, f, layout, (_, date, field, value) => {
        changed[(this.dayIndex(date) + 1) * layout.width + field] += value;
      });
      if (!known) return null;
    }
    const first = Math.min(...[...dates].map((date) => this.dayIndex(date)));
    const delta = new Float64Array(layout.width);
    for (let day = first; day < this.days; day++) {
      const at = (day + 1) * layout.width;
      if (dates.has(this.dateOf(day))) {
        for (let field = 0; field < layout.width; field++) {
          const old = this.plant[at + field] - this.plant[at - layout.width + field];
          delta[field] += changed[at + field] - old;
        }
      }
      for (let field = 0; field < layout.width; field++) plant[at + field] += delta[field];
    }
    return next.withPlant(plant);
  }

  /** What is stored, as DataService.stats() counts it (for this data version). */
  stats(): RollupStats {
    if (this.statsCache) return this.statsCache;
    const { width, machineDays } = this.layout;
    let first = -1;
    let last = -1;
    let daysWithData = 0;
    for (let day = 0; day < this.days; day++) {
      const at = (day + 1) * width + machineDays;
      if (this.plant[at] - this.plant[at - width] > 0) {
        if (first < 0) first = day;
        last = day;
        daysWithData++;
      }
    }
    const date = (day: number) => (day < 0 ? null : this.dateOf(day));
    this.statsCache = {
      startDate: date(first),
      endDate: date(last),
      totalDays: first < 0 ? 0 : last - first + 1,
      daysWithData,
      totalRecords: Math.round(this.plant[this.days * width + machineDays]),
      totalMachines: this.machines.length,
      totalShifts: this.shiftOrder.length,
    };
    return this.statsCache;
  }

  async machineDaySums(
    f: MetricsFilter,
    groupBy: 'none' | 'machine' | 'date',
  ): Promise<(OeeSums & { key: string })[]> {
    const span = this.span(f);
    const { layout } = this;
    if (groupBy === 'date') {
      if (f.machine) return this.queries.machineDaySums(f, 'date');
      const result: (OeeSums & { key: string })[] = [];
      for (let day = span?.from ?? 0; span && day <= span.to; day++) {
        const one = this.plantSums({ from: day, to: day });
        if (one[layout.machineDays] > 0) {
          result.push({ key: this.dateOf(day), ...sumsAt(one, layout.base) });
        }
      }
      return result;
    }
    if (f.machine) {
      const rows = await this.byMachine(span, f.machine);
      if (groupBy === 'machine') return rows;
      return [{ ...(rows[0] ?? sumsAt(new Float64Array(layout.width), layout.base)), key: 'all' }];
    }
    if (groupBy === 'none') return [{ key: 'all', ...sumsAt(this.plantSums(span), layout.base) }];
    return this.byMachine(span);
  }

  async shiftSums(f: MetricsFilter): Promise<(OeeSums & { key: string })[]> {
    const span = this.span(f);
    const { layout } = this;
    const values = f.machine
      ? await this.machineSums(f, span, (edge) =>
          this.queries.shiftSums(edge).then((rows) => {
            const sums = new Float64Array(layout.width);
            for (const row of rows) {
              const start = layout.shifts.get(row.key);
              if (start === undefined) continue;
              addSums(sums, start, row);
              sums[start + SUM_KEYS.length] += 1;
            }
            return sums;
          }),
        )
      : this.plantSums(span);
    return this.shiftOrder
      .map((name) => ({ name, start: layout.shifts.get(name) as number }))
      .filter(({ start }) => values[start + SUM_KEYS.length] > 0)
      .map(({ name, start }) => ({ key: name, ...sumsAt(values, start) }));
  }

  async qualityTotals(
    f: MetricsFilter,
    severity: SeverityName | null,
  ): Promise<{ severity: SeverityName; count: number; partsAffected: number }[]> {
    const span = this.span(f);
    const { layout } = this;
    const values = f.machine
      ? await this.machineSums(f, span, (edge) =>
          this.queries.qualityTotals(edge, null).then((rows) => {
            const sums = new Float64Array(layout.width);
            for (const row of rows) {
              const start = layout.severities.get(row.severity) as number;
              sums[start] += row.count;
              sums[start + 1] += row.partsAffected;
            }
            return sums;
          }),
        )
      : this.plantSums(span);
    return SEVERITIES_MOST_SERIOUS_FIRST.filter((s) => severity === null || s === severity)
      .map((s) => {
        const start = layout.severities.get(s) as number;
        return {
          severity: s,
          count: Math.round(values[start]),
          partsAffected: Math.round(values[start + 1]),
        };
      })
      .filter((s) => s.count > 0);
  }

  async downtimeByReason(
    f: MetricsFilter,
  ): Promise<{ reason: string; hours: number; events: number }[]> {
    const values = await this.reasonSums(f);
    return [...this.layout.reasons]
      .map(([reason, start]) => ({
        reason,
        hours: values[start],
        events: Math.round(values[start + 1]),
      }))
      .filter((r) => r.events > 0)
      .sort((a, b) => b.hours - a.hours || (a.reason < b.reason ? -1 : 1));
  }

  async eventTotals(
    f: MetricsFilter,
    reasons: string[],
  ): Promise<{ events: number; hours: number }> {
    const values = await this.reasonSums(f);
    let events = 0;
    let hours = 0;
    for (const reason of reasons) {
      const start = this.layout.reasons.get(reason);
      if (start === undefined) continue;
      hours += values[start];
      events += values[start + 1];
    }
    return { events: Math.round(events), hours };
  }

  private reasonSums(f: MetricsFilter): Promise<Float64Array> {
    const span = this.span(f);
    const { layout } = this;
    if (!f.machine) return Promise.resolve(this.plantSums(span));
    return this.machineSums(f, span, (edge) =>
      this.queries.downtimeByReason(edge).then((rows) => {
        const sums = new Float64Array(layout.width);
        for (const row of rows) {
          const start = layout.reasons.get(row.reason);
          if (start === undefined)
            throw new Error(`Downtime reason ${row.reason} is not in this rollup`);
          sums[start] += row.hours;
          sums[start + 1] += row.events;
        }
        return sums;
      }),
    );
  }

  /**
   * Production sums of each machine with data in the span (all of them, or the one asked for):
   * whole months from memory, edges from the month-to-date rows of machine_day_totals.
   */
  private async byMachine(
    span: Span | null,
    machine: Machine | null = null,
  ): Promise<(OeeSums & { key: string })[]> {
    if (!span) return [];
    const { layout } = this;
    const { edges, firstMonth, lastMonth } = this.split(span);
    // Each edge lies in one month: month-to-date at its end, less month-to-date the day before.
    const startsMonth = (edge: Span) => edge.from === this.monthStarts[this.monthOf(edge.from)];
    const lookups = edges.flatMap((edge) =>
      startsMonth(edge) ? [edge.to] : [edge.to, edge.from - 1],
    );
    const totals = await this.queries.monthToDate(
      lookups.map((day) => this.dateOf(day)),
      machine?.id,
    );
    const fields = { from: 0, to: layout.base + SUM_KEYS.length };
    const result: (OeeSums & { key: string })[] = [];
    for (const { id, name } of machine ? [machine] : this.machines) {
      const sums = new Float64Array(layout.width);
      this.addMonths(sums, this.months.get(id), firstMonth, lastMonth, fields);
      for (const edge of edges) {
        const toDate = totals.get(this.dateOf(edge.to))?.get(id);
        const before = startsMonth(edge)
          ? undefined
          : totals.get(this.dateOf(edge.from - 1))?.get(id);
        for (const [row, sign] of [
          [toDate, 1],
          [before, -1],
        ] as const) {
          if (!row) continue;
          sums[layout.machineDays] += sign * row.machineDays;
          SUM_KEYS.forEach((key, i) => (sums[layout.base + i] += sign * row[key]));
        }
      }
      if (sums[layout.machineDays] > 0.5) result.push({ key: name, ...sumsAt(sums, layout.base) });
    }
    return result;
  }

  /** One machine: its whole months from memory plus its edge days summed by `edgeSums`. */
  private async machineSums(
    f: MetricsFilter,
    span: Span | null,
    edgeSums: (edge: MetricsFilter) => Promise<Float64Array>,
  ): Promise<Float64Array> {
    const sums = new Float64Array(this.layout.width);
    if (!span || !f.machine) return sums;
    const { edges, firstMonth, lastMonth } = this.split(span);
    const months = this.months.get(f.machine.id);
    if (!months) throw new Error(`Machine ${f.machine.id} is not in this rollup`);
    this.addMonths(sums, months, firstMonth, lastMonth);
    for (const edge of edges) {
      const part = await edgeSums({
        startDate: this.dateOf(edge.from),
        endDate: this.dateOf(edge.to),
        machine: f.machine,
      });
      for (let field = 0; field < sums.length; field++) sums[field] += part[field];
    }
    return sums;
  }

  /** The span as its whole months (firstMonth..lastMonth, maybe none) and partial months. */
  private split(span: Span): { edges: Span[]; firstMonth: number; lastMonth: number } {
    const first = this.monthOf(span.from);
    const last = this.monthOf(span.to);
    const startsMonth = span.from === this.monthStarts[first];
    const endsMonth = span.to === this.monthStarts[last + 1] - 1;
    if (first === last && !(startsMonth && endsMonth)) {
      return { edges: [span], firstMonth: 0, lastMonth: -1 };
    }
    const edges: Span[] = [];
    if (!startsMonth) edges.push({ from: span.from, to: this.monthStarts[first + 1] - 1 });
    if (!endsMonth) edges.push({ from: this.monthStarts[last], to: span.to });
    return {
      edges,
      firstMonth: startsMonth ? first : first + 1,
      lastMonth: endsMonth ? last : last - 1,
    };
  }

  /** Adds months first..last (running totals per machine) of fields [from, to) to `sums`. */
  private addMonths(
    sums: Float64Array,
    months: Float64Array | undefined,
    first: number,
    last: number,
    fields: { from: number; to: number } = { from: 0, to: this.layout.width },
  ): void {
    if (!months || last < first) return;
    const { width } = this.layout;
    for (let field = fields.from; field < fields.to; field++) {
      sums[field] += months[(last + 1) * width + field] - months[first * width + field];
    }
  }

  private plantSums(span: Span | null): Float64Array {
    const { width } = this.layout;
    const sums = new Float64Array(width);
    if (!span) return sums;
    for (let field = 0; field < width; field++) {
      sums[field] =
        this.plant[(span.to + 1) * width + field] - this.plant[span.from * width + field];
    }
    return sums;
  }

  /** Day indexes of the filter clipped to the months held, or null when they do not overlap. */
  private span(f: MetricsFilter): Span | null {
    const from = Math.max(0, daysBetween(this.startDate, f.startDate));
    const to = Math.min(this.days - 1, daysBetween(this.startDate, f.endDate));
    return from <= to ? { from, to } : null;
  }

  /** The date of a day held (remembered: answers ask for the same days again and again). */
  private dateOf(day: number): string {
    let date = this.dates[day];
    if (date === undefined) {
      date = addDays(this.startDate, day);
      if (day >= 0 && day < this.days) this.dates[day] = date;
    }
    return date;
  }

  /** Days from startDate (negative before it), remembered: builds ask for each date many times. */
  private dayIndex(date: string): number {
    let day = this.dayIndexes.get(date);
    if (day === undefined) {
      day = daysBetween(this.startDate, date);
      this.dayIndexes.set(date, day);
    }
    return day;
  }

  /** The month (from 0) a date held here falls in. */
  private monthIndex(date: string): number {
    return this.monthOf(this.dayIndex(date));
  }

  private monthOf(day: number): number {
    return this.dayMonths[day];
  }

  /** Adds to a month's row (before running totals: row k + 1 holds month k). */
  private addToMonth(
    sums: Float64Array | undefined,
    date: string,
    field: number,
    value: number,
  ): void {
    if (sums) sums[(this.monthIndex(date) + 1) * this.layout.width + field] += value;
  }

  private withPlant(plant: Float64Array): MetricsRollup {
    return new MetricsRollup(
      this.queries,
      this.startDate,
      this.monthCount,
      this.machines,
      this.shiftOrder,
      this.layout,
      this.months,
      plant,
    );
  }
}

interface DateRange {
  startDate: string;
  endDate: string;
}

type Sink = (machineId: number, date: string, field: number, value: number) => void;

/**
 * Reads every sum of the filter's machine-days (the build's GROUP BY queries) into `sink`, field
 * by field of the layout. False when the data holds a shift or downtime reason the layout lacks.
 * Between queries other requests get their turn: on SQLite each query blocks while it runs.
 */
async function readSums(
  queries: MetricsSumsRepository,
  f: MetricsFilter,
  layout: Layout,
  sink: Sink,
): Promise<boolean> {
  await nextTurn();
  for (const row of await queries.machineDaySums(f, 'machineDay')) {
    const [id, date] = row.key.split('|');
    sink(Number(id), date, layout.machineDays, 1);
    SUM_KEYS.forEach((key, i) => sink(Number(id), date, layout.base + i, row[key]));
  }
  await nextTurn();
  for (const row of await queries.shiftSums(f, 'machineDayShift')) {
    const [id, date, ...name] = row.key.split('|');
    const start = layout.shifts.get(name.join('|'));
    if (start === undefined) return false;
    sink(Number(id), date, start + SUM_KEYS.length, 1);
    SUM_KEYS.forEach((key, i) => sink(Number(id), date, start + i, row[key]));
  }
  await nextTurn();
  for (const e of await queries.eventsByMachineDayReason(f)) {
    const start = layout.reasons.get(e.reason);
    if (start === undefined) return false;
    sink(e.machineId, e.date, start, e.hours);
    sink(e.machineId, e.date, start + 1, e.events);
  }
  await nextTurn();
  for (const q of await queries.qualityByMachineDaySeverity(f)) {
    const start = layout.severities.get(q.severity);
    if (start === undefined) continue;
    sink(q.machineId, q.date, start, q.count);
    sink(q.machineId, q.date, start + 1, q.partsAffected);
  }
  return true;
}

/** Per-day values of `width` fields become running totals, from row `first` on. */
function runningTotals(values: Float64Array, width: number, first: number): void {
  for (let at = first * width; at < values.length; at += width) {
    for (let field = 0; field < width; field++) values[at + field] += values[at - width + field];
  }
}

function addSums(values: Float64Array, start: number, sums: OeeSums): void {
  SUM_KEYS.forEach((key, i) => (values[start + i] += sums[key]));
}

function sumsAt(values: Float64Array, start: number): OeeSums {
  const sums = {} as OeeSums;
  SUM_KEYS.forEach((key, i) => (sums[key] = values[start + i]));
  // Counts are whole numbers; differences of large running totals can carry float noise.
  for (const key of ['parts', 'good', 'scrap'] as const) sums[key] = Math.round(sums[key]);
  return sums;
}

/** Consecutive dates grouped into runs of at most `maxDays`. */
function dateRuns(dates: string[], maxDays: number): DateRange[] {
  const runs: DateRange[] = [];
  for (const date of [...dates].sort()) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.endDate, 1) === date && daysBetween(last.startDate, date) < maxDays) {
      last.endDate = date;
    } else {
      runs.push({ startDate: date, endDate: date });
    }
  }
  return runs;
}

/** Days from `start` to `date` (0 when equal; negative before). */
function daysBetween(start: string, date: string): number {
  return daysInclusive(start, date) - 1;
}

/** The first day of the month `count` months after the month starting on `start`. */
function addMonths(start: string, count: number): string {
  const [year, month] = start.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1 + count, 1)).toISOString().slice(0, 10);
}

/** Months from the one starting on `start` through the month of `end`, both included. */
function monthsFrom(start: string, end: string): number {
  const [y0, m0] = start.split('-').map(Number);
  const [y, m] = end.split('-').map(Number);
  return (y - y0) * 12 + (m - m0) + 1;
}

function layoutFor(shifts: string[], reasons: string[]): Layout {
  let width = 0;
  const take = (n: number) => ((width += n), width - n);
  const machineDays = take(1);
  const base = take(SUM_KEYS.length);
  const shiftStarts = new Map(shifts.map((name) => [name, take(SUM_KEYS.length + 1)]));
  const reasonStarts = new Map(reasons.map((reason) => [reason, take(2)]));
  const severityStarts = new Map(
    SEVERITIES_MOST_SERIOUS_FIRST.map((severity) => [severity, take(2)]),
  );
  return {
    machineDays,
    base,
    shifts: shiftStarts,
    reasons: reasonStarts,
    severities: severityStarts,
    width,
  };
}

/**
 * Hands out the rollup of the current data version: built on first use, then patched with the
 * machine-days each later write changed (by this process or any other: the version and the change
 * log live in the database). One version check per request.
 */
@Injectable()
export class MetricsRollupCache {
  private readonly logger = new Logger(MetricsRollupCache.name);
  private readonly rollups = new Map<number, Promise<MetricsRollup | null>>();
  private building: Promise<{ version: number; rollup: MetricsRollup | null }> | null = null;
  /** How long a request waits for a build (ROLLUP_WAIT_MS; tests shorten it). */
  waitMs = ROLLUP_WAIT_MS;

  constructor(
    private readonly data: DataService,
    private readonly queries: MetricsSumsRepository,
  ) {}

  /**
   * The rollup of the request's data version, or the database queries (in the request's snapshot)
   * when the data is too large to hold in memory or no rollup of that version can be had.
   */
  async sums(): Promise<MetricSums> {
    return (await this.rollup()) ?? this.queries;
  }

  /** The rollup of the request's data version, if there is one. */
  async rollup(): Promise<MetricsRollup | null> {
    const version = await this.version();
    const known = this.rollups.get(version);
    if (known) return known;
    const update = async () => {
      let built = await this.buildLatest();
      // A build that started before the write this request sees is of an older version: one more.
      if (built.version < version) built = await this.buildLatest();
      return built.version === version ? built.rollup : null;
    };
    // A build at plant scale takes minutes: rather than hold its read snapshot that long (PostgreSQL
    // ends a transaction idle for 60 s), a request answers from the database queries meanwhile.
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.waitMs);
    });
    const updated = update();
    // When the wait ends first, a later failure of the build is the next request's to see.
    updated.catch(() => undefined);
    try {
      return await Promise.race([updated, waited]);
    } finally {
      clearTimeout(timer);
    }
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
          const fresh = this.update(version);
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

  /** The newest rollup held, patched up to `version` when the change log allows, else built. */
  private async update(version: number): Promise<MetricsRollup | null> {
    const [latest] = [...this.rollups.keys()].filter((v) => v < version).sort((a, b) => b - a);
    const base = latest === undefined ? null : await this.rollups.get(latest)?.catch(() => null);
    if (base) {
      const started = performance.now();
      const changes = await this.data.changesBetween(latest, version);
      const size = changes ? [...changes.values()].reduce((n, dates) => n + dates.size, 0) : 0;
      if (changes && size <= PATCH_MAX_MACHINE_DAYS) {
        const patched = await base.patched(changes, await this.data.listMachines());
        if (patched) {
          this.logger.debug(
            `Patched the metrics rollup with ${size} machine-days in ${Math.round(performance.now() - started)} ms`,
          );
          return patched;
        }
      }
    }
    return this.build();
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
    const [range, machines, shifts] = await Promise.all([
      this.data.dateRange(),
      this.data.listMachines(),
      this.data.listShifts(),
    ]);
    if (!range) return null;
    const shiftNames = shifts.map((s) => s.name);
    const reasons = await this.data.downtimeReasons();
    const bytes = MetricsRollup.bytesFor(machines.length, range, shiftNames, reasons);
    if (bytes > ROLLUP_MAX_BYTES) {
      this.logger.log(
        `${machines.length} machines from ${range.startDate} to ${range.endDate} x ${reasons.length} downtime reasons would take ${Math.round(bytes / 2 ** 20)} MB: metrics are computed in the database, without a rollup`,
      );
      return null;
    }
    const rollup = await MetricsRollup.build(this.queries, machines, shiftNames, reasons, range);
    this.logger.log(
      `Built the metrics rollup (${machines.length} machines, ${range.startDate} to ${range.endDate}) in ${Math.round(performance.now() - started)} ms`,
    );
    return rollup;
  }
}
