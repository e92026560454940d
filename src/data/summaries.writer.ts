import { Injectable } from '@nestjs/common';
import { Insertable, Kysely } from 'kysely';
import { addDays, monthEnd, monthStart } from '../common/dates';
import { AppConfig } from '../config/app-config.service';
import { BulkInserter } from './database/bulk-insert';
import { Database } from './database/database.types';
import { MetricsSumsRepository } from './metrics-sums.repository';
import { OeeSums } from './metrics-sums.types';

/** Versions of change log kept: an instance further behind than this rebuilds its summaries. */
export const CHANGES_KEPT = 1000;
// Change log rows per INSERT (3 columns), well under both databases' parameter limits.
const ROWS_PER_INSERT = 800;

type TotalsColumn = Exclude<keyof Database['machine_day_totals'], 'machine_id' | 'date'>;

const FIELDS: [keyof OeeSums, TotalsColumn][] = [
  ['plannedHours', 'planned_hours'],
  ['plannedDowntimeHours', 'planned_downtime_hours'],
  ['runHours', 'run_hours'],
  ['downtimeHours', 'downtime_hours'],
  ['idealHours', 'ideal_hours'],
  ['parts', 'parts'],
  ['good', 'good'],
  ['scrap', 'scrap'],
];

/**
 * Keeps the summaries of the Data module in step with every write, inside the write's transaction:
 * machine_day_totals (month-to-date sums per machine and day) and data_changes (which machine-days
 * a data version changed). The sums come from the same SQL as the metrics (MetricsSumsRepository),
 * so they follow its rules, planned downtime included.
 */
@Injectable()
export class SummariesWriter {
  constructor(
    private readonly sums: MetricsSumsRepository,
    private readonly config: AppConfig,
  ) {}

  /** What the summaries depend on besides the data: the planned downtime reasons. */
  basis(): string {
    return JSON.stringify([...this.config.plannedDowntimeReasons].sort());
  }

  /**
   * Recomputes machine_day_totals for every month of one machine that any of `dates` falls in:
   * a row for each day of each such month in which the machine has production.
   */
  async refresh(
    tx: Kysely<Database>,
    bulk: BulkInserter,
    machineId: number,
    dates: Iterable<string>,
  ): Promise<void> {
    for (const { startDate, endDate } of monthRuns(dates)) {
      await tx
        .deleteFrom('machine_day_totals')
        .where('machine_id', '=', machineId)
        .where('date', '>=', startDate)
        .where('date', '<=', endDate)
        .execute();
      const days = await this.sums.machineDaySums(
        { startDate, endDate, machine: { id: machineId, name: '' } },
        'machineDay',
        tx,
      );
      const byDate = new Map(days.map((day) => [day.key.split('|')[1], day]));
      const rows: Insertable<Database['machine_day_totals']>[] = [];
      for (const month of new Set([...byDate.keys()].map(monthStart))) {
        const running = { machine_days: 0 } as Record<TotalsColumn, number>;
        for (const [, column] of FIELDS) running[column] = 0;
        for (let date = month; date <= monthEnd(month); date = addDays(date, 1)) {
          const day = byDate.get(date);
          if (day) {
            running.machine_days += 1;
            for (const [field, column] of FIELDS) running[column] += day[field];
          }
          rows.push({ ...running, machine_id: machineId, date });
        }
      }
      await bulk.insert('machine_day_totals', rows);
    }
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

/** The dates' months, as runs of consecutive months (one query per run). */
function monthRuns(dates: Iterable<string>): { startDate: string; endDate: string }[] {
  const months = [...new Set([...dates].map(monthStart))].sort();
  const runs: { startDate: string; endDate: string }[] = [];
  for (const month of months) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.endDate, 1) === month) last.endDate = monthEnd(month);
    else runs.push({ startDate: month, endDate: monthEnd(month) });
  }
  return runs;
}
