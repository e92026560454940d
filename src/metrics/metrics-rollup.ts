import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { addDays, daysInclusive, monthStart } from '../common/dates';
import { requestResource, withOwnResources } from '../common/request-context';
import { DataService } from '../data/data.service';
import { SEVERITIES_MOST_SERIOUS_FIRST, SeverityName } from '../common/severity';
import { MetricsSumsRepository } from '../data/metrics-sums.repository';
import {
  MetricSums,
  MetricsFilter,
  MonthToDate,
  OeeSums,
  StoredSums,
  SUM_KEYS,
} from '../data/metrics-sums.types';

/**
 * Above this size (machine-months and plant days x fields, 8 bytes each: about 600,000
 * machine-months of the demo plant, fewer when imports bring many downtime reasons) the rollup
 * would cost too much memory, and the database answers instead.
 */
export const ROLLUP_MAX_BYTES = 200 * 2 ** 20;
/** Stored sums (machine-months or plant days) one query reads: milliseconds of the database's time. */
const ROWS_PER_QUERY = 2_000;
/** Dates whose month-to-date rows of every machine a rollup remembers (about 150 KB each at 1,000 machines). */
const MONTH_TO_DATE_DATES_KEPT = 64;
/** Machines whose changed months one query of a patch reads. */
const PATCH_MACHINES_PER_QUERY = 100;
/** Changes larger than this are rebuilt from scratch rather than patched in. */
const PATCH_MAX_MACHINE_DAYS = 20_000;
const DATA_VERSION = Symbol('data version');
/** A request's reason sums of single machines, by rollup and span: see reasonSums. */
const REASON_SUMS = Symbol('reason sums');
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
 * (shifts, downtime reasons, quality) summed over the edge days. Loaded from the stored sums that
 * every write keeps (machine_month_sums, plant_day_sums: the database path's GROUP BY queries, run
 * on write), and patched with the changed machine-months and days after a write; the formulas stay
 * in MetricsService.
 */
export class MetricsRollup implements MetricSums {
  private readonly monthStarts: number[];
  /** The month of each day held. */
  private readonly dayMonths: Int32Array;
  private readonly dayIndexes = new Map<string, number>();
  private readonly dates: string[] = [];
  private statsCache: RollupStats | null = null;
  /** Every machine's month-to-date rows of recently asked dates, oldest first. */
  private readonly monthToDateCache = new Map<string, Map<number, MonthToDate>>();

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
    return bytesOf(machines, start, monthsFrom(start, range.endDate), layoutFor(shifts, reasons));
  }

  /**
   * Reads the stored sums of every machine-month and plant day (machine_month_sums, plant_day_sums:
   * kept on write) into a new rollup, a slice at a time.
   */
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
    const machinesPerQuery = Math.max(1, Math.floor(ROWS_PER_QUERY / monthCount));
    for (let first = 0; first < machines.length; first += machinesPerQuery) {
      const slice = machines.slice(first, first + machinesPerQuery);
      await nextTurn();
      const ids = { from: slice[0].id, to: slice[slice.length - 1].id };
      for (const row of await queries.machineMonthSums(ids)) {
        const sums = months.get(row.machineId);
        if (sums) rollup.place(sums, rollup.monthIndex(row.month) + 1, row.sums);
      }
    }
    const days = new Float64Array((rollup.days + 1) * layout.width);
    for (let day = 0; day < rollup.days; day += ROWS_PER_QUERY) {
      await nextTurn();
      const last = Math.min(rollup.days, day + ROWS_PER_QUERY) - 1;
      const run = { startDate: rollup.dateOf(day), endDate: rollup.dateOf(last) };
      for (const row of await queries.plantDaySums(run)) {
        rollup.place(days, rollup.dayIndex(row.date) + 1, row.sums);
      }
    }
    for (const sums of months.values()) runningTotals(sums, layout.width, 1);
    runningTotals(days, layout.width, 1);
    return rollup.withPlant(days);
  }

  /**
   * A copy with the changed machine-days' stored sums read again: the months they fall in for their
   * machines, and their days for the plant. Dates after the months held (live data of a new month)
   * add months, up to the one after the newest date, so that a plant's data moving into a new month
   * costs a copy of the running totals once a month at most, not a build. Null when the change
   * brings what the layout has no room for (a new shift or downtime reason, a date before the
   * months held): then a build is needed.
   */
  async patched(
    changes: Map<number, Set<string>>,
    machines: Machine[],
  ): Promise<MetricsRollup | null> {
    const { layout } = this;
    const { width } = layout;
    const dates = new Set([...changes.values()].flatMap((d) => [...d]));
    if ([...dates].some((date) => date < this.startDate)) return null;
    const newest = [...dates].reduce((a, b) => (b > a ? b : a), this.startDate);
    const monthCount =
      daysBetween(this.startDate, newest) < this.days
        ? this.monthCount
        : monthsFrom(this.startDate, newest) + 1;
    // As large as a build would make it: past the limit, the build declines (the database answers).
    if (bytesOf(machines.length, this.startDate, monthCount, layout) > ROLLUP_MAX_BYTES)
      return null;
    const months = new Map(
      [...this.months].map(([id, sums]) => [
        id,
        withRoom(sums, this.monthCount, monthCount, width),
      ]),
    );
    for (const m of machines) {
      if (!months.has(m.id)) months.set(m.id, new Float64Array((monthCount + 1) * width));
    }
    const next = new MetricsRollup(
      this.queries,
      this.startDate,
      monthCount,
      machines,
      this.shiftOrder,
      layout,
      months,
      new Float64Array(0),
    );
    try {
      // Each changed machine-month's stored sums replace its old ones in its running totals.
      const ids = [...changes.keys()].filter((id) => months.has(id)).sort((a, b) => a - b);
      for (let first = 0; first < ids.length; first += PATCH_MACHINES_PER_QUERY) {
        const slice = ids.slice(first, first + PATCH_MACHINES_PER_QUERY);
        const wanted = new Map(
          slice.map((id) => [id, new Set([...(changes.get(id) ?? [])].map(monthStart))]),
        );
        await nextTurn();
        const rows = await this.queries.machineMonthSums(
          { from: slice[0], to: slice[slice.length - 1] },
          [...new Set([...wanted.values()].flatMap((m) => [...m]))],
        );
        const fresh = new Map(slice.map((id) => [id, new Map<number, Float64Array>()]));
        for (const id of slice) {
          for (const month of wanted.get(id) ?? []) {
            fresh.get(id)?.set(next.monthIndex(month) + 1, new Float64Array(width));
          }
        }
        for (const row of rows) {
          const values = fresh.get(row.machineId)?.get(next.monthIndex(row.month) + 1);
          if (values) next.place(values, 0, row.sums);
        }
        for (const [id, changed] of fresh) {
          const sums = new Float64Array(months.get(id) as Float64Array);
          replaceRows(sums, monthCount, width, changed);
          months.set(id, sums);
        }
      }
      // The plant's changed days likewise.
      const changedDays = new Map(
        [...dates].map((date) => [next.dayIndex(date) + 1, new Float64Array(width)]),
      );
      for (const run of dateRuns([...dates], ROWS_PER_QUERY)) {
        await nextTurn();
        for (const row of await this.queries.plantDaySums(run)) {
          const values = changedDays.get(next.dayIndex(row.date) + 1);
          if (values) next.place(values, 0, row.sums);
        }
      }
      const plant = copyWithRows(this.plant, this.days, next.days, width);
      replaceRows(plant, next.days, width, changedDays);
      return next.withPlant(plant);
    } catch (error) {
      if (error instanceof UnknownKeyError) return null;
      throw error;
    }
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
      // machineDays, then the OeeSums: contiguous in the layout.
      const one = new Float64Array(SUM_KEYS.length + 1);
      for (let day = span?.from ?? 0; span && day <= span.to; day++) {
        const at = (day + 1) * layout.width + layout.machineDays;
        for (let i = 0; i < one.length; i++) {
          one[i] = this.plant[at + i] - this.plant[at - layout.width + i];
        }
        if (one[0] > 0) result.push(sumsAt(this.dateOf(day), one, 1));
      }
      return result;
    }
    if (f.machine) {
      const rows = await this.byMachine(span, f.machine);
      if (groupBy === 'machine') return rows;
      return [
        rows[0]
          ? { ...rows[0], key: 'all' }
          : sumsAt('all', new Float64Array(layout.width), layout.base),
      ];
    }
    if (groupBy === 'none') return [sumsAt('all', this.plantSums(span), layout.base)];
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
      .map(({ name, start }) => sumsAt(name, values, start));
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

  /**
   * Event hours and counts per reason. For one machine its edge days are summed in the database, once
   * per request: `downtime { failures downtimeByReason }` asks twice for the same span.
   */
  private reasonSums(f: MetricsFilter): Promise<Float64Array> {
    const span = this.span(f);
    if (!f.machine) return Promise.resolve(this.plantSums(span));
    const mine = requestResource(REASON_SUMS, () => ({
      value: new WeakMap<MetricsRollup, Map<string, Promise<Float64Array>>>(),
    }));
    if (!mine) return this.machineReasonSums(f, span);
    const known = mine.get(this) ?? new Map<string, Promise<Float64Array>>();
    mine.set(this, known);
    const key = `${f.machine.id}:${span?.from}:${span?.to}`;
    let sums = known.get(key);
    if (!sums) {
      sums = this.machineReasonSums(f, span);
      known.set(key, sums);
    }
    return sums;
  }

  private machineReasonSums(f: MetricsFilter, span: Span | null): Promise<Float64Array> {
    const { layout } = this;
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
    const { width } = layout;
    const { edges, firstMonth, lastMonth } = this.split(span);
    // Each edge lies in one month: month-to-date at its end, less month-to-date the day before.
    const startsMonth = (edge: Span) => edge.from === this.monthStarts[this.monthOf(edge.from)];
    const lookups: [string, 1 | -1][] = edges.flatMap((edge) =>
      startsMonth(edge)
        ? [[this.dateOf(edge.to), 1]]
        : [
            [this.dateOf(edge.to), 1],
            [this.dateOf(edge.from - 1), -1],
          ],
    );
    const totals = await this.monthToDate(
      lookups.map(([date]) => date),
      machine,
    );
    // machineDays, then the OeeSums: contiguous in the layout.
    const fields = SUM_KEYS.length + 1;
    const sums = new Float64Array(fields);
    const result: (OeeSums & { key: string })[] = [];
    for (const { id, name } of machine ? [machine] : this.machines) {
      sums.fill(0);
      const months = this.months.get(id);
      if (months && lastMonth >= firstMonth) {
        const last = (lastMonth + 1) * width + layout.machineDays;
        const first = firstMonth * width + layout.machineDays;
        for (let i = 0; i < fields; i++) sums[i] = months[last + i] - months[first + i];
      }
      for (const [date, sign] of lookups) {
        const row = totals.get(date)?.get(id);
        if (!row) continue;
        sums[0] += sign * row.machineDays;
        for (let i = 0; i < SUM_KEYS.length; i++) sums[i + 1] += sign * row[SUM_KEYS[i]];
      }
      if (sums[0] > 0.5) result.push(sumsAt(name, sums, 1));
    }
    return result;
  }

  /**
   * Month-to-date rows of the dates by date and machine id: every machine's are remembered for a
   * few dozen dates (dashboards ask for the same ranges again and again; they belong to this data
   * version, so every snapshot of it reads the same), the rest read in the request's snapshot.
   */
  private async monthToDate(
    dates: string[],
    machine: Machine | null,
  ): Promise<Map<string, Map<number, MonthToDate>>> {
    const missing = dates.filter((date) => !this.monthToDateCache.has(date));
    const read = missing.length > 0 ? await this.queries.monthToDate(missing, machine?.id) : null;
    const result = new Map<string, Map<number, MonthToDate>>();
    for (const date of dates) {
      const known = this.monthToDateCache.get(date);
      if (known) {
        result.set(date, known);
        continue;
      }
      const rows = read?.get(date) ?? new Map<number, MonthToDate>();
      result.set(date, rows);
      if (machine) continue;
      this.monthToDateCache.set(date, rows);
      if (this.monthToDateCache.size > MONTH_TO_DATE_DATES_KEPT) {
        this.monthToDateCache.delete(this.monthToDateCache.keys().next().value as string);
      }
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

  /**
   * Adds stored sums to row `row` of `values` (the layout's fields), by name. A shift or downtime
   * reason the layout has no field for means the data changed since the layout was read.
   */
  private place(values: Float64Array, row: number, stored: StoredSums): void {
    const { layout } = this;
    const at = row * layout.width;
    values[at + layout.machineDays] += stored.days[0];
    for (let i = 0; i < SUM_KEYS.length; i++) values[at + layout.base + i] += stored.days[i + 1];
    const parts: [Map<string, number>, Record<string, number[]>, string][] = [
      [layout.shifts, stored.shifts, 'shift'],
      [layout.reasons, stored.reasons, 'downtime reason'],
      [layout.severities, stored.severities, 'severity'],
    ];
    for (const [starts, sums, kind] of parts) {
      for (const [key, numbers] of Object.entries(sums)) {
        const start = starts.get(key);
        if (start === undefined)
          throw new UnknownKeyError(`The ${kind} ${key} is not in the rollup`);
        for (let i = 0; i < numbers.length; i++) values[at + start + i] += numbers[i];
      }
    }
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

/** Stored sums name what the layout has no field for: the rollup must be built again. */
class UnknownKeyError extends Error {}

/**
 * Running totals of `rows` rows (after the row of zeros) as a copy of `total` rows: the rows added
 * repeat the last (nothing happened in them yet).
 */
function copyWithRows(
  values: Float64Array,
  rows: number,
  total: number,
  width: number,
): Float64Array {
  const copy = new Float64Array((total + 1) * width);
  copy.set(values.subarray(0, (rows + 1) * width));
  const last = values.subarray(rows * width, (rows + 1) * width);
  for (let row = rows + 1; row <= total; row++) copy.set(last, row * width);
  return copy;
}

/** A machine's monthly running totals with room for `total` months: the same array when it has it. */
function withRoom(values: Float64Array, rows: number, total: number, width: number): Float64Array {
  return total === rows ? values : copyWithRows(values, rows, total, width);
}

/** Per-day values of `width` fields become running totals, from row `first` on. */
function runningTotals(values: Float64Array, width: number, first: number): void {
  for (let at = first * width; at < values.length; at += width) {
    for (let field = 0; field < width; field++) values[at + field] += values[at - width + field];
  }
}

/**
 * Replaces the own values of some rows (row index -> values) in running totals whose row r holds
 * rows 1..r added up: every later row moves by the difference.
 */
function replaceRows(
  values: Float64Array,
  lastRow: number,
  width: number,
  changed: Map<number, Float64Array>,
): void {
  let first = lastRow + 1;
  for (const row of changed.keys()) first = Math.min(first, row);
  // What the rows before the current one moved by.
  const delta = new Float64Array(width);
  for (let row = first; row <= lastRow; row++) {
    const at = row * width;
    const fresh = changed.get(row);
    for (let field = 0; field < width; field++) {
      if (fresh) {
        const old = values[at + field] - (values[at - width + field] - delta[field]);
        delta[field] += fresh[field] - old;
      }
      values[at + field] += delta[field];
    }
  }
}

function addSums(values: Float64Array, start: number, sums: OeeSums): void {
  SUM_KEYS.forEach((key, i) => (values[start + i] += sums[key]));
}

/** The OeeSums held in `values` from `start` on, as a row under `key`. */
function sumsAt(key: string, values: Float64Array, start: number): OeeSums & { key: string } {
  const sums = { key } as OeeSums & { key: string };
  for (let i = 0; i < SUM_KEYS.length; i++) sums[SUM_KEYS[i]] = values[start + i];
  // Counts are whole numbers; differences of large running totals can carry float noise.
  sums.parts = Math.round(sums.parts);
  sums.good = Math.round(sums.good);
  sums.scrap = Math.round(sums.scrap);
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

/** Bytes of a rollup of `months` months from `start`: one 8-byte sum per field, machine-month and day. */
function bytesOf(machines: number, start: string, months: number, layout: Layout): number {
  const days = daysBetween(start, addMonths(start, months));
  return (machines * (months + 1) + days + 1) * layout.width * 8;
}

/** Months from the one starting on `start` through the month of `end`, both included. */
function monthsFrom(start: string, end: string): number {
  const [y0, m0] = start.split('-').map(Number);
  const [y, m] = end.split('-').map(Number);
  return (y - y0) * 12 + (m - m0) + 1;
}

/** The fields of a row: machine-days and the OeeSums first, side by side (byMachine reads them so). */
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
