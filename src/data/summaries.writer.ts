import { Injectable } from '@nestjs/common';
import { Insertable, Kysely } from 'kysely';
import { addDays, monthEnd, monthStart } from '../common/dates';
import { AppConfig } from '../config/app-config.service';
import { BulkInserter } from './database/bulk-insert';
import { Database } from './database/database.types';
import { MetricsSumsRepository } from './metrics-sums.repository';
import { OeeSums, StoredSums, SUM_KEYS } from './metrics-sums.types';
import { addStoredSums, emptySums, readMachineDaySums } from './stored-sums';

/** Versions of change log kept: an instance further behind than this rebuilds its summaries. */
export const CHANGES_KEPT = 1000;
// Change log rows per INSERT (3 columns), well under both databases' parameter limits.
const ROWS_PER_INSERT = 800;

type TotalsColumn = Exclude<keyof Database['machine_day_totals'], 'machine_id' | 'date'>;

const COLUMNS: Record<keyof OeeSums, TotalsColumn> = {
  plannedHours: 'planned_hours',
  plannedDowntimeHours: 'planned_downtime_hours',
  runHours: 'run_hours',
  downtimeHours: 'downtime_hours',
  idealHours: 'ideal_hours',
  parts: 'parts',
  good: 'good',
  scrap: 'scrap',
};
/** Raised when the summaries hold something new: a database summarised before is summarised again. */
const SUMMARIES_FORMAT = 2;
/**
 * Machine-days one summary query reads: on SQLite each query holds the event loop while it runs, about
 * 15 ms for the costliest (shiftSums) on a 2-core machine.
 */
const MACHINE_DAYS_PER_QUERY = 1_000;
/** Months one query over one machine reads, so that it reads MACHINE_DAYS_PER_QUERY or fewer. */
const MONTHS_PER_QUERY = Math.floor(MACHINE_DAYS_PER_QUERY / 31);

/**
 * Keeps the summaries of the Data module in step with every write, inside the write's transaction:
 * machine_day_totals (month-to-date sums per machine and day), machine_month_sums and
 * plant_day_sums (everything a machine's month and the plant's day add up to) and data_changes
 * (which machine-days a data version changed). The sums come from the same SQL as the metrics
 * (MetricsSumsRepository), so they follow its rules, planned downtime included.
 */
@Injectable()
export class SummariesWriter {
  constructor(
    private readonly sums: MetricsSumsRepository,
    private readonly config: AppConfig,
  ) {}

  /** What the summaries depend on besides the data: their format and the planned downtime reasons. */
  basis(): string {
    return JSON.stringify({
      summaries: SUMMARIES_FORMAT,
      plannedDowntimeReasons: [...this.config.plannedDowntimeReasons].sort(),
    });
  }

  /**
   * Recomputes the summaries of one machine for every month that any of `dates` falls in:
   * machine_month_sums, and machine_day_totals (a row for each day of each such month in which the
   * machine has production) from the first of `dates` on: the month-to-date sums of earlier days
   * do not change. A live signal of today rewrites a row or a few, not the month's thirty. With
   * `plant`, each of the machine's days is also added to the plant's sums of its date (a whole
   * dataset summarised machine by machine; see writePlantDays).
   */
  async refresh(
    tx: Kysely<Database>,
    bulk: BulkInserter,
    machineId: number,
    dates: Iterable<string>,
    plant?: Map<string, StoredSums>,
  ): Promise<void> {
    for (const { startDate, endDate, firstChanged } of monthRuns(dates)) {
      for (const [table, column, from] of [
        ['machine_day_totals', 'date', firstChanged],
        ['machine_month_sums', 'month', startDate],
      ] as const) {
        await tx
          .deleteFrom(table)
          .where('machine_id', '=', machineId)
          .where(column, '>=', from)
          .where(column, '<=', endDate)
          .execute();
      }
      const f = { startDate, endDate, machine: { id: machineId, name: '' } };
      const days =
        (await readMachineDaySums(this.sums, f, tx)).get(machineId) ??
        new Map<string, StoredSums>();
      const months = new Map<string, StoredSums>();
      for (const [date, sums] of days) {
        const month = monthStart(date);
        addStoredSums(entry(months, month), sums);
        if (plant) addStoredSums(entry(plant, date), sums);
      }
      await bulk.insert(
        'machine_month_sums',
        [...months].map(([month, sums]) => ({
          machine_id: machineId,
          month,
          sums: JSON.stringify(sums),
        })),
      );
      await bulk.insert(
        'machine_day_totals',
        monthToDateRows(machineId, days, months).filter((row) => row.date >= firstChanged),
      );
    }
  }

  /**
   * Summarises a whole dataset just written in place of everything (the summary tables empty);
   * `months` holds the months each machine has records in. A dataset written a machine at a time
   * is read a machine at a time: its rows lie together. One written date by date (a file imported)
   * leaves each machine's rows scattered through the tables, so it is read month by month over
   * all machines, a few days at a time along the records' date indexes: in the order the rows
   * were written. Memory then holds one month of the plant's day sums.
   */
  async summariseAll(
    tx: Kysely<Database>,
    bulk: BulkInserter,
    months: Map<number, Set<string>>,
    writtenBy: 'machine' | 'date',
  ): Promise<void> {
    if (writtenBy === 'machine') {
      const plant = new Map<string, StoredSums>();
      for (const [machineId, machineMonths] of months) {
        await this.refresh(tx, bulk, machineId, machineMonths, plant);
      }
      await this.writePlantDays(bulk, plant);
      return;
    }
    const perQuery = await this.daysPerQuery(tx);
    for (const month of [...new Set([...months.values()].flatMap((m) => [...m]))].sort()) {
      const machines = new Map<number, { sums: StoredSums; days: Map<string, DaySums> }>();
      const plant = new Map<string, StoredSums>();
      for (const { startDate, endDate } of dateRuns(datesOf(month), perQuery)) {
        const f = { startDate, endDate, machine: null };
        for (const [machineId, days] of await readMachineDaySums(this.sums, f, tx)) {
          let machine = machines.get(machineId);
          if (!machine) machines.set(machineId, (machine = { sums: emptySums(), days: new Map() }));
          for (const [date, sums] of days) {
            machine.days.set(date, { days: sums.days });
            addStoredSums(machine.sums, sums);
            addStoredSums(entry(plant, date), sums);
          }
        }
      }
      const monthRows: Insertable<Database['machine_month_sums']>[] = [];
      const totalsRows: Insertable<Database['machine_day_totals']>[] = [];
      for (const [machineId, { sums, days }] of machines) {
        monthRows.push({ machine_id: machineId, month, sums: JSON.stringify(sums) });
        totalsRows.push(...monthToDateRows(machineId, days, new Map([[month, sums]])));
      }
      await bulk.insert('machine_month_sums', monthRows);
      await bulk.insert('machine_day_totals', totalsRows);
      await this.writePlantDays(bulk, plant);
    }
  }

  /** Recomputes plant_day_sums of the dates, over every machine. */
  async refreshPlantDays(
    tx: Kysely<Database>,
    bulk: BulkInserter,
    dates: Iterable<string>,
  ): Promise<void> {
    for (const { startDate, endDate } of dateRuns(dates, await this.daysPerQuery(tx))) {
      await tx
        .deleteFrom('plant_day_sums')
        .where('date', '>=', startDate)
        .where('date', '<=', endDate)
        .execute();
      const plant = new Map<string, StoredSums>();
      const f = { startDate, endDate, machine: null };
      for (const days of (await readMachineDaySums(this.sums, f, tx)).values()) {
        for (const [date, sums] of days) {
          addStoredSums(entry(plant, date), sums);
        }
      }
      await this.writePlantDays(bulk, plant);
    }
  }

  /** Dates one query over every machine reads, so that it reads MACHINE_DAYS_PER_QUERY or so. */
  private async daysPerQuery(tx: Kysely<Database>): Promise<number> {
    const { machines } = await tx
      .selectFrom('machines')
      .select((eb) => eb.fn.countAll<number>().as('machines'))
      .executeTakeFirstOrThrow();
    return Math.max(1, Math.floor(MACHINE_DAYS_PER_QUERY / Math.max(1, Number(machines))));
  }

  /** Writes the plant's sums per date (after deleting what those dates held). */
  private async writePlantDays(bulk: BulkInserter, plant: Map<string, StoredSums>): Promise<void> {
    await bulk.insert(
      'plant_day_sums',
      [...plant].map(([date, sums]) => ({ date, sums: JSON.stringify(sums) })),
    );
  }

  /**
   * Records what `version` changed (null: everything) and forgets changes too old to be asked for.
   */
  async logChanges(
    tx: Kysely<Database>,
    version: number,
    machineDays: Map<number, Set<string>> | null,
  ): Promise<void> {
    await tx
      .deleteFrom('data_changes')
      .where('version', '<=', version - CHANGES_KEPT)
      .execute();
    const rows = machineDays
      ? [...machineDays].flatMap(([machineId, dates]) =>
          [...dates].map((date) => ({ version, machine_id: machineId, date })),
        )
      : [{ version, machine_id: null, date: null }];
    for (let first = 0; first < rows.length; first += ROWS_PER_INSERT) {
      await tx
        .insertInto('data_changes')
        .values(rows.slice(first, first + ROWS_PER_INSERT))
        .execute();
    }
  }
}

/** The sums kept under `key`, new ones when there are none yet. */
function entry(sums: Map<string, StoredSums>, key: string): StoredSums {
  let found = sums.get(key);
  if (!found) sums.set(key, (found = emptySums()));
  return found;
}

/** What month-to-date rows are made of: a day's sums of the machine-day and production columns. */
type DaySums = Pick<StoredSums, 'days'>;

/** Every date of the month that starts on `month`. */
function datesOf(month: string): string[] {
  const dates: string[] = [];
  for (let date = month; date <= monthEnd(month); date = addDays(date, 1)) dates.push(date);
  return dates;
}

/**
 * machine_day_totals rows of one machine: for each month in which it has production, a row for
 * every day with the month-to-date sums.
 */
function monthToDateRows(
  machineId: number,
  days: Map<string, DaySums>,
  months: Map<string, StoredSums>,
): Insertable<Database['machine_day_totals']>[] {
  const rows: Insertable<Database['machine_day_totals']>[] = [];
  for (const [month, monthSums] of months) {
    if (monthSums.days[0] === 0) continue;
    const running = new Array<number>(SUM_KEYS.length + 1).fill(0);
    const lastDay = Number(monthEnd(month).slice(8));
    for (let dayOfMonth = 1; dayOfMonth <= lastDay; dayOfMonth++) {
      const date = `${month.slice(0, 8)}${String(dayOfMonth).padStart(2, '0')}`;
      const day = days.get(date);
      if (day) day.days.forEach((value, i) => (running[i] += value));
      const row = { machine_id: machineId, date, machine_days: running[0] } as Insertable<
        Database['machine_day_totals']
      >;
      SUM_KEYS.forEach((key, i) => (row[COLUMNS[key]] = running[i + 1]));
      rows.push(row);
    }
  }
  return rows;
}

/** Consecutive dates grouped into runs of at most `maxDays`. */
function dateRuns(
  dates: Iterable<string>,
  maxDays: number,
): { startDate: string; endDate: string }[] {
  const runs: { startDate: string; endDate: string; days: number }[] = [];
  for (const date of [...new Set(dates)].sort()) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.endDate, 1) === date && last.days < maxDays) {
      last.endDate = date;
      last.days++;
    } else {
      runs.push({ startDate: date, endDate: date, days: 1 });
    }
  }
  return runs;
}

/**
 * The dates' months, as runs of at most MONTHS_PER_QUERY consecutive months (one query per run),
 * each with the first of the dates in it.
 */
function monthRuns(
  dates: Iterable<string>,
): { startDate: string; endDate: string; firstChanged: string }[] {
  const runs: { startDate: string; endDate: string; firstChanged: string; months: number }[] = [];
  for (const date of [...new Set(dates)].sort()) {
    const month = monthStart(date);
    const last = runs[runs.length - 1];
    if (last && month <= last.endDate) continue;
    if (last && addDays(last.endDate, 1) === month && last.months < MONTHS_PER_QUERY) {
      last.endDate = monthEnd(month);
      last.months++;
    } else {
      runs.push({ startDate: month, endDate: monthEnd(month), firstChanged: date, months: 1 });
    }
  }
  return runs;
}
