import { Injectable } from '@nestjs/common';
import { Kysely, RawBuilder, sql } from 'kysely';
import { AppConfig } from '../config/app-config.service';
import { Database } from './database/database.types';
import { SeverityName } from '../common/severity';
import { ReadSnapshots } from './database/read-snapshots';
import {
  DowntimeEventRow,
  LongEventCursor,
  LongEventRow,
  MetricSums,
  MonthToDate,
  MetricsFilter,
  OeeSums,
  LossEventRow,
  OffShiftProductionRow,
  QualityIssueRow,
  StoredSums,
} from './metrics-sums.types';

/** Rows as the database returns them: PostgreSQL gives sums and counts of integers as strings. */
type Numeric = number | string | null;
type SumsRow = Record<keyof OeeSums, Numeric>;

const SUMS_COLUMNS = sql`
  sum(planned) as "plannedHours",
  sum(planned_downtime) as "plannedDowntimeHours",
  sum(run) as "runHours",
  sum(downtime) as "downtimeHours",
  sum(ideal_seconds) / 3600.0 as "idealHours",
  sum(parts) as "parts",
  sum(good) as "good",
  sum(scrap) as "scrap"`;

/**
 * ISO 22400 planned downtime (PDOT): the hours of planned events, but never more than the downtime
 * recorded. The one place this rule is written.
 */
function plannedDowntime(
  plannedEvents: RawBuilder<unknown>,
  downtime: RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql`case when ${plannedEvents} < ${downtime} then ${plannedEvents} else ${downtime} end`;
}

export function toSums(row: SumsRow | undefined): OeeSums {
  const n = (value: Numeric | undefined) => Number(value ?? 0);
  return {
    plannedHours: n(row?.plannedHours),
    plannedDowntimeHours: n(row?.plannedDowntimeHours),
    runHours: n(row?.runHours),
    downtimeHours: n(row?.downtimeHours),
    idealHours: n(row?.idealHours),
    parts: n(row?.parts),
    good: n(row?.good),
    scrap: n(row?.scrap),
  };
}

/**
 * The aggregate SQL behind the metrics: sums grouped in the database, never rows loaded into
 * JavaScript. Formulas (ratios of these sums) live in MetricsService. Portable SQL only: the same
 * text runs on SQLite and PostgreSQL.
 */
@Injectable()
export class MetricsSumsRepository implements MetricSums {
  constructor(
    private readonly snapshots: ReadSnapshots,
    private readonly config: AppConfig,
  ) {}

  /** The current request's snapshot (see ReadSnapshots), else the database. */
  private reader(): Promise<Kysely<Database>> {
    return this.snapshots.reader();
  }

  private range(alias: string, f: MetricsFilter): RawBuilder<unknown> {
    const column = (name: string) => sql.ref(`${alias}.${name}`);
    const machine = f.machine ? sql`and ${column('machine_id')} = ${f.machine.id}` : sql``;
    const slice = f.machineIds
      ? sql`and ${column('machine_id')} between ${f.machineIds.from} and ${f.machineIds.to}`
      : sql``;
    return sql`${column('date')} >= ${f.startDate} and ${column('date')} <= ${f.endDate} ${machine} ${slice}`;
  }

  /**
   * Hours of events whose reason is planned (PLANNED_DOWNTIME_REASONS), per machine, date and
   * shift (shift null: recorded without one). Both grains of planned downtime start here.
   */
  private plannedEventHours(f: MetricsFilter): RawBuilder<unknown> {
    return sql`
      select e.machine_id, e.date, e.shift_id, sum(e.duration_hours) as hours
      from downtime_events e
      where ${this.range('e', f)} and ${this.reasonIn(this.config.plannedDowntimeReasons)}
      group by e.machine_id, e.date, e.shift_id`;
  }

  private reasonIn(reasons: string[]): RawBuilder<unknown> {
    return sql`e.reason in (${sql.join(reasons)})`;
  }

  /**
   * Production sums per machine-day, with the machine-day's planned downtime: min(its downtime
   * hours, hours of its events whose reason is planned). Grouped by nothing, machine, date or
   * machine-day (key "id|date"). Read in the request's snapshot, or in `db` (a write transaction
   * that keeps its summaries).
   */
  async machineDaySums(
    f: MetricsFilter,
    groupBy: 'none' | 'machine' | 'date' | 'machineDay',
    db?: Kysely<Database>,
  ): Promise<(OeeSums & { key: string })[]> {
    const { key, group } = {
      none: { key: sql`'all'`, group: sql`` },
      machine: { key: sql`m.name`, group: sql`group by m.id, m.name order by m.id` },
      date: { key: sql`md.date`, group: sql`group by md.date order by md.date` },
      machineDay: {
        key: sql`md.machine_id || '|' || md.date`,
        group: sql`group by md.machine_id, md.date`,
      },
    }[groupBy];
    const { rows } = await sql<SumsRow & { key: string }>`
      with md as (
        select p.machine_id, p.date,
          sum(p.planned_hours) as planned, sum(p.run_hours) as run, sum(p.downtime_hours) as downtime,
          sum(p.parts_produced * m.ideal_cycle_time_s) as ideal_seconds,
          sum(p.parts_produced) as parts, sum(p.good_parts) as good, sum(p.scrap_parts) as scrap
        from production p join machines m on m.id = p.machine_id
        where ${this.range('p', f)}
        group by p.machine_id, p.date
      ),
      pe as (${this.plannedEventHours(f)}),
      pd as (select machine_id, date, sum(hours) as hours from pe group by machine_id, date),
      machine_days as (
        select md.*, ${plannedDowntime(sql`coalesce(pd.hours, 0)`, sql`md.downtime`)} as planned_downtime
        from md left join pd on pd.machine_id = md.machine_id and pd.date = md.date
      )
      select ${key} as key, ${SUMS_COLUMNS}
      from machine_days md join machines m on m.id = md.machine_id
      ${group}`.execute(db ?? (await this.reader()));
    return rows.map((row) => ({ key: String(row.key), ...toSums(row) }));
  }

  /**
   * Production sums per shift. A shift row's planned downtime is min(its downtime hours, planned
   * events recorded for that shift + the machine-day's planned events without a shift, shared in
   * proportion to the shift's part of the day's downtime). Summed over shifts this equals the
   * machine-day figure whenever events fit in their shift's downtime.
   */
  async shiftSums(
    f: MetricsFilter,
    groupBy: 'shift' | 'machineDayShift' = 'shift',
    db?: Kysely<Database>,
  ): Promise<(OeeSums & { key: string })[]> {
    const { key, group } = {
      shift: {
        key: sql`s.name`,
        group: sql`group by s.id, s.name, s.start_hour, s.start_minute order by s.start_hour, s.start_minute`,
      },
      machineDayShift: {
        key: sql`r.machine_id || '|' || r.date || '|' || s.name`,
        group: sql`group by r.machine_id, r.date, s.id, s.name`,
      },
    }[groupBy];
    const { rows } = await sql<SumsRow & { key: string }>`
      with pe as (${this.plannedEventHours(f)}),
      dd as (
        select p.machine_id, p.date, sum(p.downtime_hours) as downtime
        from production p where ${this.range('p', f)}
        group by p.machine_id, p.date
      ),
      shift_rows as (
        select p.machine_id, p.date, p.shift_id, p.planned_hours as planned, p.run_hours as run, p.downtime_hours as downtime,
          p.parts_produced * m.ideal_cycle_time_s as ideal_seconds,
          p.parts_produced as parts, p.good_parts as good, p.scrap_parts as scrap,
          coalesce(ps.hours, 0) + case when dd.downtime > 0
            then coalesce(pn.hours, 0) * p.downtime_hours / dd.downtime else 0 end as planned_events
        from production p
        join machines m on m.id = p.machine_id
        join dd on dd.machine_id = p.machine_id and dd.date = p.date
        left join pe ps on ps.machine_id = p.machine_id and ps.date = p.date and ps.shift_id = p.shift_id
        left join pe pn on pn.machine_id = p.machine_id and pn.date = p.date and pn.shift_id is null
        where ${this.range('p', f)}
      ),
      shift_totals as (
        select r.*, ${plannedDowntime(sql`planned_events`, sql`downtime`)} as planned_downtime
        from shift_rows r
      )
      select ${key} as key, ${SUMS_COLUMNS}
      from shift_totals r join shifts s on s.id = r.shift_id
      ${group}`.execute(db ?? (await this.reader()));
    return rows.map((row) => ({ key: String(row.key), ...toSums(row) }));
  }

  /**
   * Month-to-date sums (machine_day_totals) of every machine (or the one given) with data in the
   * month of each date, by date and machine id.
   */
  async monthToDate(
    dates: string[],
    machineId?: number,
  ): Promise<Map<string, Map<number, MonthToDate>>> {
    const result = new Map(dates.map((date) => [date, new Map<number, MonthToDate>()]));
    if (dates.length === 0) return result;
    let query = (await this.reader())
      .selectFrom('machine_day_totals')
      .selectAll()
      .where('date', 'in', dates);
    if (machineId !== undefined) query = query.where('machine_id', '=', machineId);
    const rows = await query.execute();
    for (const row of rows) {
      result.get(row.date)?.set(Number(row.machine_id), {
        machineDays: Number(row.machine_days),
        plannedHours: Number(row.planned_hours),
        plannedDowntimeHours: Number(row.planned_downtime_hours),
        runHours: Number(row.run_hours),
        downtimeHours: Number(row.downtime_hours),
        idealHours: Number(row.ideal_hours),
        parts: Number(row.parts),
        good: Number(row.good),
        scrap: Number(row.scrap),
      });
    }
    return result;
  }

  /**
   * The stored sums of machine-months (machine_month_sums): of the machines with ids from..to, and
   * of the months listed (all when none are).
   */
  async machineMonthSums(
    machineIds: { from: number; to: number },
    months?: string[],
  ): Promise<{ machineId: number; month: string; sums: StoredSums }[]> {
    if (months?.length === 0) return [];
    let query = (await this.reader())
      .selectFrom('machine_month_sums')
      .selectAll()
      .where('machine_id', '>=', machineIds.from)
      .where('machine_id', '<=', machineIds.to);
    if (months) query = query.where('month', 'in', months);
    const rows = await query.execute();
    return rows.map((row) => ({
      machineId: Number(row.machine_id),
      month: row.month,
      sums: JSON.parse(row.sums) as StoredSums,
    }));
  }

  /** The stored sums of the whole plant's days (plant_day_sums) from..to, both included. */
  async plantDaySums(range: {
    startDate: string;
    endDate: string;
  }): Promise<{ date: string; sums: StoredSums }[]> {
    const rows = await (
      await this.reader()
    )
      .selectFrom('plant_day_sums')
      .selectAll()
      .where('date', '>=', range.startDate)
      .where('date', '<=', range.endDate)
      .execute();
    return rows.map((row) => ({ date: row.date, sums: JSON.parse(row.sums) as StoredSums }));
  }

  /** Every downtime reason recorded in the range, sorted. */
  async reasons(f: MetricsFilter): Promise<string[]> {
    const { rows } = await sql<{ reason: string }>`
      select distinct e.reason as reason from downtime_events e
      where ${this.range('e', f)} order by e.reason`.execute(await this.reader());
    return rows.map((r) => r.reason);
  }

  /** Event hours and counts per machine-day and reason (for the stored sums). */
  async eventsByMachineDayReason(
    f: MetricsFilter,
    db?: Kysely<Database>,
  ): Promise<{ machineId: number; date: string; reason: string; hours: number; events: number }[]> {
    const { rows } = await sql<{
      machine_id: number;
      date: string;
      reason: string;
      hours: Numeric;
      events: Numeric;
    }>`
      select e.machine_id, e.date, e.reason, sum(e.duration_hours) as hours, count(*) as events
      from downtime_events e
      where ${this.range('e', f)}
      group by e.machine_id, e.date, e.reason`.execute(db ?? (await this.reader()));
    return rows.map((r) => ({
      machineId: Number(r.machine_id),
      date: r.date,
      reason: r.reason,
      hours: Number(r.hours),
      events: Number(r.events),
    }));
  }

  /** Issue counts and parts affected per machine-day and severity (for the stored sums). */
  async qualityByMachineDaySeverity(
    f: MetricsFilter,
    db?: Kysely<Database>,
  ): Promise<
    {
      machineId: number;
      date: string;
      severity: SeverityName;
      count: number;
      partsAffected: number;
    }[]
  > {
    const { rows } = await sql<{
      machine_id: number;
      date: string;
      severity: SeverityName;
      count: Numeric;
      parts: Numeric;
    }>`
      select q.machine_id, q.date, q.severity, count(*) as count, sum(q.parts_affected) as parts
      from quality_issues q
      where ${this.range('q', f)}
      group by q.machine_id, q.date, q.severity`.execute(db ?? (await this.reader()));
    return rows.map((r) => ({
      machineId: Number(r.machine_id),
      date: r.date,
      severity: r.severity,
      count: Number(r.count),
      partsAffected: Number(r.parts ?? 0),
    }));
  }

  async qualityTotals(
    f: MetricsFilter,
    severity: SeverityName | null,
  ): Promise<{ severity: SeverityName; count: number; partsAffected: number }[]> {
    const { rows } = await sql<{ severity: SeverityName; count: Numeric; parts: Numeric }>`
      select q.severity as severity, count(*) as count, sum(q.parts_affected) as parts
      from quality_issues q
      where ${this.range('q', f)} ${severity ? sql`and q.severity = ${severity}` : sql``}
      group by q.severity`.execute(await this.reader());
    return rows.map((r) => ({
      severity: r.severity,
      count: Number(r.count),
      partsAffected: Number(r.parts ?? 0),
    }));
  }

  /** Newest first. */
  async qualityIssues(
    f: MetricsFilter,
    severity: SeverityName | null,
    limit: number,
    offset: number,
    type: string | null = null,
  ): Promise<QualityIssueRow[]> {
    const { rows } = await sql<QualityIssueRow>`
      select q.type as type, q.description as description, q.parts_affected as "partsAffected",
        q.severity as severity, q.date as date, m.name as machine, s.name as shift
      from quality_issues q
      join machines m on m.id = q.machine_id
      left join shifts s on s.id = q.shift_id
      where ${this.range('q', f)} ${severity ? sql`and q.severity = ${severity}` : sql``}
        ${type === null ? sql`` : sql`and lower(q.type) = lower(${type})`}
      order by q.date desc, m.id, q.seq
      limit ${limit} offset ${offset}`.execute(await this.reader());
    return rows.map((r) => ({ ...r, partsAffected: Number(r.partsAffected) }));
  }

  async downtimeByReason(
    f: MetricsFilter,
  ): Promise<{ reason: string; hours: number; events: number }[]> {
    const { rows } = await sql<{ reason: string; hours: Numeric; events: Numeric }>`
      select e.reason as reason, sum(e.duration_hours) as hours, count(*) as events
      from downtime_events e
      where ${this.range('e', f)}
      group by e.reason
      order by sum(e.duration_hours) desc, e.reason`.execute(await this.reader());
    return rows.map((r) => ({
      reason: r.reason,
      hours: Number(r.hours),
      events: Number(r.events),
    }));
  }

  async eventTotals(
    f: MetricsFilter,
    reasons: string[],
  ): Promise<{ events: number; hours: number }> {
    const { rows } = await sql<{ events: Numeric; hours: Numeric }>`
      select count(*) as events, sum(e.duration_hours) as hours
      from downtime_events e
      where ${this.range('e', f)} and ${this.reasonIn(reasons)}`.execute(await this.reader());
    return { events: Number(rows[0]?.events ?? 0), hours: Number(rows[0]?.hours ?? 0) };
  }

  /** Events longer than `minHours`, longest first. */
  async longEvents(
    f: MetricsFilter,
    minHours: number,
    limit: number,
    offset: number,
    reason: string | null = null,
  ): Promise<DowntimeEventRow[]> {
    const { rows } = await sql<DowntimeEventRow>`
      select e.date as date, m.name as machine, s.name as shift, e.reason as reason,
        e.description as description, e.duration_hours as "durationHours"
      from downtime_events e
      join machines m on m.id = e.machine_id
      left join shifts s on s.id = e.shift_id
      where ${this.range('e', f)} and e.duration_hours > ${minHours}
        ${reason === null ? sql`` : sql`and lower(e.reason) = lower(${reason})`}
      order by e.duration_hours desc, e.date, m.id, e.seq
      limit ${limit} offset ${offset}`.execute(await this.reader());
    return rows.map((r) => ({ ...r, durationHours: Number(r.durationHours) }));
  }

  /**
   * A page of the events longer than `minHours` in storage order (date, machine, sequence), after
   * `after` (the last row of the previous page), each with when it began if it is a live stop:
   * every such event, however many, for the alert rules.
   */
  async longEventPage(
    f: MetricsFilter,
    minHours: number,
    after: LongEventCursor | null,
    limit: number,
  ): Promise<LongEventRow[]> {
    const { rows } = await sql<LongEventRow>`
      select e.date as date, m.name as machine, s.name as shift, e.reason as reason,
        e.description as description, e.duration_hours as "durationHours",
        e.started_at as "startedAt", e.machine_id as "machineId", e.seq as seq
      from downtime_events e
      join machines m on m.id = e.machine_id
      left join shifts s on s.id = e.shift_id
      where ${this.range('e', f)} and e.duration_hours > ${minHours}
        ${
          after === null
            ? sql``
            : sql`and (e.date > ${after.date} or (e.date = ${after.date} and (e.machine_id > ${after.machineId}
                or (e.machine_id = ${after.machineId} and e.seq > ${after.seq}))))`
        }
      order by e.date, e.machine_id, e.seq
      limit ${limit}`.execute(await this.reader());
    return rows.map((r) => ({
      ...r,
      durationHours: Number(r.durationHours),
      machineId: Number(r.machineId),
      seq: Number(r.seq),
    }));
  }

  /** Per machine, the parts counted outside every shift on the range's dates (most parts first). */
  async offShiftProduction(f: MetricsFilter): Promise<OffShiftProductionRow[]> {
    const { rows } = await sql<OffShiftProductionRow>`
      select m.name as machine, min(o.date) as "firstDate", max(o.date) as "lastDate",
        sum(o.parts) as parts, sum(o.scrap) as scrap
      from off_shift_production o
      join machines m on m.id = o.machine_id
      where ${this.range('o', f)}
      group by m.id, m.name
      order by sum(o.parts) desc, m.id`.execute(await this.reader());
    return rows.map((r) => ({ ...r, parts: Number(r.parts), scrap: Number(r.scrap) }));
  }

  /**
   * Event hours and counts per reason (of one shift when named), and of them the events shorter
   * than `shortHours`: what the loss analysis splits availability losses by.
   */
  async eventsForLosses(
    f: MetricsFilter,
    shift: string | null,
    shortHours: number,
  ): Promise<LossEventRow[]> {
    const { rows } = await sql<Record<keyof LossEventRow, Numeric> & { reason: string }>`
      select e.reason as reason, sum(e.duration_hours) as hours, count(*) as events,
        sum(case when e.duration_hours < ${shortHours} then e.duration_hours else 0 end) as "shortHours",
        sum(case when e.duration_hours < ${shortHours} then 1 else 0 end) as "shortEvents"
      from downtime_events e
      ${shift === null ? sql`` : sql`join shifts s on s.id = e.shift_id and s.name = ${shift}`}
      where ${this.range('e', f)}
      group by e.reason
      order by sum(e.duration_hours) desc, e.reason`.execute(await this.reader());
    return rows.map((r) => ({
      reason: r.reason,
      hours: Number(r.hours),
      events: Number(r.events),
      shortHours: Number(r.shortHours),
      shortEvents: Number(r.shortEvents),
    }));
  }

  /** Quality issues and parts affected by type or by machine, most parts affected first. */
  async defectsBy(
    f: MetricsFilter,
    severity: SeverityName | null,
    by: 'type' | 'machine',
  ): Promise<{ key: string; count: number; partsAffected: number }[]> {
    const { key, join, group } = {
      type: { key: sql`q.type`, join: sql``, group: sql`q.type` },
      machine: {
        key: sql`m.name`,
        join: sql`join machines m on m.id = q.machine_id`,
        group: sql`m.id, m.name`,
      },
    }[by];
    const { rows } = await sql<{ key: string; count: Numeric; parts: Numeric }>`
      select ${key} as key, count(*) as count, sum(q.parts_affected) as parts
      from quality_issues q ${join}
      where ${this.range('q', f)} ${severity ? sql`and q.severity = ${severity}` : sql``}
      group by ${group}
      order by sum(q.parts_affected) desc, count(*) desc, ${key}`.execute(await this.reader());
    return rows.map((r) => ({
      key: r.key,
      count: Number(r.count),
      partsAffected: Number(r.parts ?? 0),
    }));
  }
}
