import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Insertable, Kysely, Selectable, sql, Transaction } from 'kysely';
import { addDays, daysInclusive, monthsBetween, monthStart } from '../common/dates';
import { requestResource, withOwnResources } from '../common/request-context';
import { shiftTimes } from '../common/shift-calendar';
import { Database, PlantTargetsTable } from './database/database.types';
import { KYSELY, sqliteHandle } from './database/database.provider';
import {
  BulkInserter,
  PARAMETERS_PER_STATEMENT,
  withIndexesRebuilt,
  withLargeCache,
} from './database/bulk-insert';
import {
  collectDataset,
  Dataset,
  DatasetOrigin,
  DatasetRecords,
  DowntimeEventRecord,
  MachineSpec,
  ProductionRecord,
  QualityIssueRecord,
  ShiftSpec,
} from './dataset';

import { migrationStatus } from './database/migrations';
import { ReadSnapshots } from './database/read-snapshots';
import { SummariesWriter } from './summaries.writer';
import { StoredSums } from './metrics-sums.types';
import { lockVersion, META_KEYS, nextVersion, setMeta, upsertByName } from './data-versions';

/** Reports rows written so far out of the total, for progress bars. */
export type ProgressListener = (done: number, total: number) => void;

/** A machine's own targets: ratios 0-1 and the scrap rate in percent; null: the plant's. */
export interface StoredTargets {
  machine: string;
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  scrapRate: number | null;
}

/** The plant's targets from an instant on (ms); null: the TARGET_* setting. */
export interface StoredPlantTargets extends Omit<StoredTargets, 'machine'> {
  effectiveAt: number;
}

/** A stored shift, with its local start and end also as "HH:MM". */
export interface StoredShift extends Required<ShiftSpec> {
  id: number;
  startTime: string;
  endTime: string;
}

export interface DatasetStats {
  exists: boolean;
  startDate: string | null;
  endDate: string | null;
  /** Calendar days from the first to the last date with data, both included. */
  totalDays: number;
  /** Dates that have at least one production record. */
  daysWithData: number;
  totalMachines: number;
  totalShifts: number;
  /** Machine-days with production records. */
  totalRecords: number;
}

export interface WriteSummary {
  machines: number;
  productionRows: number;
  downtimeEvents: number;
  qualityIssues: number;
}

type Tx = Transaction<Database>;

const STATS = Symbol('stats');
/** Tables of a whole-dataset write's records, whose secondary indexes are built once all are in. */
const RECORD_TABLES = ['production', 'downtime_events', 'quality_issues'];
/** Dates per part when the dataset is read in parts (an export). */
const DAYS_PER_PART = 7;
/** Names asked for (any letter case) whose machine is remembered for the newest data version. */
const MACHINE_NAMES_KEPT = 10_000;

/**
 * The only place that reads and writes the production tables. Every bulk write is one transaction:
 * a failure leaves the previous data as it was, and readers see either the old or the new dataset.
 */
@Injectable()
export class DataService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DataService.name);
  constructor(
    @Inject(KYSELY) private readonly db: Kysely<Database>,
    private readonly snapshots: ReadSnapshots,
    private readonly summaries: SummariesWriter,
  ) {}

  private statsCache: { version: number; stats: Promise<DatasetStats> } | null = null;
  private pendingStats: Promise<{ version: number; stats: DatasetStats }> | null = null;
  /** Machines found by findMachine in the newest data version asked about, by the name asked. */
  private machinesFound: { version: number; byName: Map<string, { id: number; name: string }> } = {
    version: -1,
    byName: new Map(),
  };

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    if (await this.ensureSummaries()) {
      this.logger.log(
        `Summarised the stored data for the metrics in ${Math.round(performance.now() - started)} ms`,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.snapshots.close();
    await this.db.destroy();
  }

  /** Where reads go: the current request's snapshot (see ReadSnapshots), else the database. */
  private reader(): Promise<Kysely<Database>> {
    return this.snapshots.reader();
  }

  /** Deletes everything and writes the dataset in its place. */
  async replaceDataset(
    dataset: Dataset,
    origin: DatasetOrigin,
    onProgress?: ProgressListener,
  ): Promise<WriteSummary> {
    return this.replaceInParts(dataset, origin, [dataset], onProgress);
  }

  /**
   * Deletes everything and writes the plant's machines and shifts, then its records part by part
   * as `parts` yields them (a machine at a time, say), all in one transaction: a dataset larger
   * than memory is written without being held whole, and readers still see all of it or none.
   * Progress counts the rows of the parts written so far out of those of the parts seen so far.
   */
  async replaceInParts(
    plant: Pick<Dataset, 'machines' | 'shifts'>,
    origin: DatasetOrigin,
    parts: Iterable<DatasetRecords> | AsyncIterable<DatasetRecords>,
    onProgress?: ProgressListener,
  ): Promise<WriteSummary> {
    return this.db.transaction().execute(async (trx) => {
      for (const table of [
        'downtime_reasons',
        'machine_day_totals',
        'machine_month_sums',
        'plant_day_sums',
        'quality_issues',
        'downtime_events',
        'production',
        'pending_signals',
        'signals',
        'off_shift_production',
        'live_machines',
        'machines',
        'shifts',
      ] as const) {
        await trx.deleteFrom(table).execute();
      }
      const ids = new NameIds(
        await this.upsertMachines(trx, plant.machines),
        await this.upsertShifts(trx, plant.shifts),
      );
      const version = await this.writeOrigin(trx, origin);
      await this.summaries.logChanges(trx, version, null);
      const sqlite = sqliteHandle(this.db);
      const writer = new BatchWriter(trx, sqlite, onProgress);
      const summary = {
        machines: plant.machines.length,
        productionRows: 0,
        downtimeEvents: 0,
        qualityIssues: 0,
      };
      // The months each machine has records in, summarised once all parts are written.
      const months = new Map<number, Set<string>>();
      let writtenBy: 'machine' | 'date' = 'machine';
      await withLargeCache(sqlite, async () => {
        await withIndexesRebuilt(sqlite, RECORD_TABLES, async () => {
          for await (const part of parts) {
            const written = await insertRecords(writer, part, ids);
            const records = [...part.production, ...part.downtimeEvents, ...part.qualityIssues];
            for (const [machineId, dates] of machineDates(records, ids)) {
              const seen = months.get(machineId) ?? new Set<string>();
              // A machine in more than one part: its rows lie among other machines' rows.
              if (months.has(machineId)) writtenBy = 'date';
              for (const date of dates) seen.add(monthStart(date));
              months.set(machineId, seen);
            }
            summary.productionRows += written.productionRows;
            summary.downtimeEvents += written.downtimeEvents;
            summary.qualityIssues += written.qualityIssues;
          }
        });
        await withIndexesRebuilt(sqlite, ['machine_day_totals'], () =>
          this.summaries.summariseAll(trx, writer.bulk, months, writtenBy),
        );
      });
      return summary;
    });
  }

  /**
   * Upserts machines and shifts by name; every machine-date present in the dataset replaces the
   * stored one (its production rows, downtime events and quality issues), all else is kept.
   */
  async mergeDataset(
    dataset: Dataset,
    origin: DatasetOrigin,
    onProgress?: ProgressListener,
  ): Promise<WriteSummary> {
    return this.db.transaction().execute(async (trx) => {
      const machineIds = await this.upsertMachines(trx, dataset.machines);
      const shiftIds = await this.upsertShifts(trx, dataset.shifts);
      await this.deleteMachineDays(trx, dataset, machineIds);
      const version = await this.writeOrigin(trx, origin);
      const ids = new NameIds(machineIds, shiftIds);
      const writer = new BatchWriter(trx, sqliteHandle(this.db), onProgress);
      const written = await insertRecords(writer, dataset, ids);
      const touched = machineDates(
        [...dataset.production, ...dataset.downtimeEvents, ...dataset.qualityIssues],
        ids,
      );
      for (const [machineId, dates] of touched) {
        await this.summaries.refresh(trx, writer.bulk, machineId, dates);
      }
      await this.summaries.refreshPlantDays(
        trx,
        writer.bulk,
        [...touched.values()].flatMap((dates) => [...dates]),
      );
      await this.summaries.logChanges(trx, version, touched);
      return { machines: dataset.machines.length, ...written };
    });
  }

  /** The whole stored dataset, ordered by date, machine and shift. */
  async readDataset(): Promise<{ dataset: Dataset; origin: Partial<DatasetOrigin> }> {
    return this.readInParts(async ({ plant, origin, parts }) => ({
      dataset: await collectDataset(plant, parts),
      origin,
    }));
  }

  /**
   * The stored dataset for `work`: its plant, origin and first and last dates, then its records a
   * week of dates at a time, in date order (memory holds one part, whatever the dataset's size).
   * All in one read transaction: one state of the data, even while another process writes.
   */
  async readInParts<T>(
    work: (stored: {
      plant: Pick<Dataset, 'machines' | 'shifts'>;
      origin: Partial<DatasetOrigin>;
      dates: { first: string; last: string } | null;
      parts: AsyncGenerator<DatasetRecords>;
    }) => Promise<T>,
  ): Promise<T> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const machines = await this.listMachinesFrom(trx);
        const shifts = await this.listShiftsFrom(trx);
        const plant = {
          machines: machines.map(({ name, type, idealCycleTimeSeconds }) => ({
            name,
            type,
            idealCycleTimeSeconds,
          })),
          shifts: shifts.map(({ name, startHour, endHour, startMinute, endMinute }) => ({
            name,
            startHour,
            endHour,
            startMinute,
            endMinute,
          })),
        };
        const range = await recordDates(trx);
        async function* parts(): AsyncGenerator<DatasetRecords> {
          if (!range) return;
          for (
            let start = range.first;
            start <= range.last;
            start = addDays(start, DAYS_PER_PART)
          ) {
            const end = addDays(start, DAYS_PER_PART - 1);
            const dates = { start, end: end < range.last ? end : range.last };
            yield {
              production: await readProduction(trx, dates),
              downtimeEvents: await readDowntimeEvents(trx, dates),
              qualityIssues: await readQualityIssues(trx, dates),
            };
          }
        }
        return work({ plant, origin: await readOrigin(trx), dates: range, parts: parts() });
      });
  }

  /** Machines' own targets, by machine name (only what each overrides; null: the plant's). */
  async machineTargets(): Promise<StoredTargets[]> {
    const rows = await (
      await this.reader()
    )
      .selectFrom('machine_targets')
      .selectAll()
      .orderBy('machine')
      .execute();
    return rows.map((r) => ({
      machine: r.machine,
      oee: r.oee,
      availability: r.availability,
      performance: r.performance,
      quality: r.quality,
      scrapRate: r.scrap_rate,
    }));
  }

  /** The plant's targets set between two instants (ms), oldest first. */
  async plantTargetLog(from: number, to: number): Promise<StoredPlantTargets[]> {
    const rows = await (
      await this.reader()
    )
      .selectFrom('plant_targets')
      .selectAll()
      .where('effective_at', '>=', new Date(from).toISOString())
      .where('effective_at', '<=', new Date(to).toISOString())
      .orderBy('effective_at')
      .execute();
    return rows.map(plantTargetsOf);
  }

  /**
   * The plant's targets in force now: the newest set (a change dated in the past never comes after
   * one made now, and one made now on another instance may be a few milliseconds ahead).
   */
  async plantTargetsNow(): Promise<StoredPlantTargets | null> {
    const row = await (
      await this.reader()
    )
      .selectFrom('plant_targets')
      .selectAll()
      .orderBy('effective_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? plantTargetsOf(row) : null;
  }

  /**
   * Changes the plant's targets from an instant on (`now`: after every change made so far, whatever
   * the clocks of other instances say): `change` gets the set in force then and returns the new
   * one (null: nothing to record; one set at the same instant is replaced). Done under the write
   * lock, so that concurrent changes, through any instance, are not lost. Returns the set in force
   * from then on.
   */
  async changePlantTargets(
    at: number | 'now',
    change: (current: StoredPlantTargets | null, at: number) => StoredPlantTargets | null,
  ): Promise<StoredPlantTargets | null> {
    return this.db.transaction().execute(async (tx) => {
      await lockVersion(tx);
      let instant = at;
      if (instant === 'now') {
        const latest = await tx
          .selectFrom('plant_targets')
          .select((eb) => eb.fn.max('effective_at').as('at'))
          .executeTakeFirst();
        instant = Math.max(Date.now(), latest?.at ? Date.parse(latest.at) + 1 : 0);
      }
      const effectiveAt = new Date(instant).toISOString();
      const row = await tx
        .selectFrom('plant_targets')
        .selectAll()
        .where('effective_at', '<=', effectiveAt)
        .orderBy('effective_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const current = row ? plantTargetsOf(row) : null;
      const next = change(current, instant);
      if (!next) return current;
      const values = {
        oee: next.oee,
        availability: next.availability,
        performance: next.performance,
        quality: next.quality,
        scrap_rate: next.scrapRate,
      };
      await tx
        .insertInto('plant_targets')
        .values({ effective_at: effectiveAt, ...values })
        .onConflict((oc) => oc.column('effective_at').doUpdateSet(values))
        .execute();
      return next;
    });
  }

  /** Stores a machine's own targets (all null: it follows the plant's again). */
  async setMachineTargets(targets: StoredTargets): Promise<void> {
    const row = {
      machine: targets.machine,
      oee: targets.oee,
      availability: targets.availability,
      performance: targets.performance,
      quality: targets.quality,
      scrap_rate: targets.scrapRate,
    };
    const { machine, ...values } = row;
    if (Object.values(values).every((v) => v === null)) {
      await this.db.deleteFrom('machine_targets').where('machine', '=', machine).execute();
      return;
    }
    await this.db
      .insertInto('machine_targets')
      .values(row)
      .onConflict((oc) => oc.column('machine').doUpdateSet(values))
      .execute();
  }

  async listMachines(): Promise<
    { id: number; name: string; type: string; idealCycleTimeSeconds: number }[]
  > {
    return this.listMachinesFrom(await this.reader());
  }

  private listMachinesFrom(
    db: Kysely<Database>,
  ): Promise<{ id: number; name: string; type: string; idealCycleTimeSeconds: number }[]> {
    return db
      .selectFrom('machines')
      .select(['id', 'name', 'type', 'ideal_cycle_time_s as idealCycleTimeSeconds'])
      .orderBy('id')
      .execute();
  }

  async listShifts(): Promise<StoredShift[]> {
    return this.listShiftsFrom(await this.reader());
  }

  private async listShiftsFrom(db: Kysely<Database>): Promise<StoredShift[]> {
    const rows = await db
      .selectFrom('shifts')
      .select([
        'id',
        'name',
        'start_hour as startHour',
        'end_hour as endHour',
        'start_minute as startMinute',
        'end_minute as endMinute',
      ])
      .orderBy('start_hour')
      .orderBy('start_minute')
      .execute();
    return rows.map((shift) => ({ ...shift, ...shiftTimes(shift) }));
  }

  /**
   * What is stored, counted from the plant's stored sums per date (thousands of rows at plant
   * scale): computed once per data version and shared (once per request at most).
   */
  stats(): Promise<DatasetStats> {
    return (
      requestResource(STATS, () => ({ value: this.statsOfVersion() })) ?? this.statsOfVersion()
    );
  }

  private async statsOfVersion(): Promise<DatasetStats> {
    // Taken first: if the client goes away while this waits, reading it fails (CLIENT_CLOSED_REQUEST)
    // instead of falling back to the main connection.
    const db = await this.reader();
    const version = await this.dataVersion();
    if (this.statsCache?.version === version) return this.statsCache.stats;
    // Shared by every request that waits for it, so computed in a snapshot of its own: a request
    // whose client goes away must not take the others' answer with it.
    this.pendingStats ??= withOwnResources(
      async () => {
        const own = await this.dataVersion();
        return { version: own, stats: await this.computeStats(await this.reader()) };
      },
      { background: true },
    ).finally(() => {
      this.pendingStats = null;
    });
    const computed = await this.pendingStats;
    if (computed.version > (this.statsCache?.version ?? -1)) {
      this.statsCache = { version: computed.version, stats: Promise.resolve(computed.stats) };
    }
    // Computed before the write this request sees: count its own snapshot instead.
    return computed.version === version ? computed.stats : this.computeStats(db);
  }

  private async computeStats(db: Kysely<Database>): Promise<DatasetStats> {
    // The plant's stored sums per date hold its machine-days: no need to count the production rows.
    let startDate: string | null = null;
    let endDate: string | null = null;
    let daysWithData = 0;
    let totalRecords = 0;
    const days = await db.selectFrom('plant_day_sums').selectAll().orderBy('date').execute();
    for (const day of days) {
      const machineDays = (JSON.parse(day.sums) as StoredSums).days[0];
      if (machineDays === 0) continue;
      startDate ??= day.date;
      endDate = day.date;
      daysWithData++;
      totalRecords += machineDays;
    }
    const machines = await db
      .selectFrom('machines')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    const shifts = await db
      .selectFrom('shifts')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return {
      exists: startDate !== null && endDate !== null,
      startDate,
      endDate,
      totalDays: startDate && endDate ? daysInclusive(startDate, endDate) : 0,
      daysWithData,
      totalMachines: Number(machines.count),
      totalShifts: Number(shifts.count),
      totalRecords,
    };
  }

  /** The first and last dates with production (two index lookups); null without data. */
  async dateRange(): Promise<{ startDate: string; endDate: string } | null> {
    const row = await (
      await this.reader()
    )
      .selectFrom('production')
      .select((eb) => [eb.fn.min('date').as('startDate'), eb.fn.max('date').as('endDate')])
      .executeTakeFirst();
    return row?.startDate && row.endDate
      ? { startDate: row.startDate, endDate: row.endDate }
      : null;
  }

  /**
   * Every downtime reason recorded, sorted (from the reasons kept on write: a reason whose events
   * a merge removed may remain, with no events).
   */
  async downtimeReasons(): Promise<string[]> {
    const rows = await (
      await this.reader()
    )
      .selectFrom('downtime_reasons')
      .select('reason')
      .orderBy('reason')
      .execute();
    return rows.map((r) => r.reason);
  }

  /** A machine by its exact name, or by name in any letter case; null when there is none. */
  async findMachine(name: string): Promise<{ id: number; name: string } | null> {
    // Nearly every request for one machine asks this: answered from memory while no write happens.
    const version = await this.dataVersion();
    const known = this.machinesFound;
    if (version > known.version) {
      known.version = version;
      known.byName.clear();
    }
    const remembered = version === known.version ? known.byName.get(name) : undefined;
    if (remembered) return remembered;
    const found = await this.readMachine(name);
    if (found && version === known.version) {
      if (known.byName.size >= MACHINE_NAMES_KEPT) known.byName.clear();
      known.byName.set(name, found);
    }
    return found;
  }

  private async readMachine(name: string): Promise<{ id: number; name: string } | null> {
    const db = await this.reader();
    // The exact name is one indexed lookup; only a miss reads the whole list.
    const exact = await db
      .selectFrom('machines')
      .select(['id', 'name'])
      .where('name', '=', name)
      .executeTakeFirst();
    if (exact) return exact;
    const machines = await db.selectFrom('machines').select(['id', 'name']).orderBy('id').execute();
    return machines.find((m) => m.name.toLowerCase() === name.toLowerCase()) ?? null;
  }

  /** Throws unless the database answers and holds our schema (reads the migrations table). */
  async checkSchema(): Promise<void> {
    // A read connection of its own: a long write (an import) must not make the check wait.
    await sql`select count(*) from kysely_migration`.execute(await this.reader());
  }

  /** Every known migration with the time it was applied (null when pending). */
  migrations(): Promise<{ name: string; executedAt: Date | null }[]> {
    return migrationStatus(this.db);
  }

  /** True when no machine is stored: the state of a fresh database. */
  async isEmpty(): Promise<boolean> {
    const db = await this.reader();
    const row = await db.selectFrom('machines').select('id').limit(1).executeTakeFirst();
    return row === undefined;
  }

  private async upsertMachines(tx: Tx, machines: MachineSpec[]): Promise<Map<string, number>> {
    const existing = await tx.selectFrom('machines').select(['id', 'name']).execute();
    return upsertByName(existing, machines, async (machine, id, exists) => {
      const row = {
        name: machine.name,
        type: machine.type,
        ideal_cycle_time_s: machine.idealCycleTimeSeconds,
      };
      await (exists
        ? tx.updateTable('machines').set(row).where('id', '=', id).execute()
        : tx
            .insertInto('machines')
            .values({ id, ...row })
            .execute());
    });
  }

  private async upsertShifts(tx: Tx, shifts: ShiftSpec[]): Promise<Map<string, number>> {
    const existing = await tx.selectFrom('shifts').select(['id', 'name']).execute();
    return upsertByName(existing, shifts, async (shift, id, exists) => {
      const row = {
        name: shift.name,
        start_hour: shift.startHour,
        end_hour: shift.endHour,
        start_minute: shift.startMinute ?? 0,
        end_minute: shift.endMinute ?? 0,
      };
      await (exists
        ? tx.updateTable('shifts').set(row).where('id', '=', id).execute()
        : tx
            .insertInto('shifts')
            .values({ id, ...row })
            .execute());
    });
  }

  private async deleteMachineDays(
    tx: Tx,
    dataset: Dataset,
    machineIds: Map<string, number>,
  ): Promise<void> {
    const datesByMachine = new Map<string, Set<string>>();
    for (const record of [
      ...dataset.production,
      ...dataset.downtimeEvents,
      ...dataset.qualityIssues,
    ]) {
      const dates = datesByMachine.get(record.machine) ?? new Set<string>();
      dates.add(record.date);
      datesByMachine.set(record.machine, dates);
    }
    for (const [machine, dates] of datesByMachine) {
      const machineId = machineIds.get(machine) as number;
      for (const chunk of chunks([...dates], PARAMETERS_PER_STATEMENT)) {
        for (const table of ['quality_issues', 'downtime_events', 'production'] as const) {
          await tx
            .deleteFrom(table)
            .where('machine_id', '=', machineId)
            .where('date', 'in', chunk)
            .execute();
        }
      }
    }
  }

  /**
   * Records where the data came from and moves the data version on (it never goes back); returns
   * the new version.
   */
  private async writeOrigin(tx: Tx, origin: DatasetOrigin): Promise<number> {
    await setMeta(tx, META_KEYS.source, origin.source);
    await setMeta(tx, META_KEYS.generatedAt, origin.generatedAt);
    return this.nextVersion(tx);
  }

  private nextVersion(tx: Tx): Promise<number> {
    // The summaries written with this version follow today's planned downtime reasons.
    return nextVersion(tx, this.summaries.basis());
  }

  /**
   * Summarises the stored data again when its summaries were made under other planned downtime
   * reasons, or never (a database from before the summaries): once, at start.
   */
  async ensureSummaries(): Promise<boolean> {
    const basis = await this.db
      .selectFrom('dataset_meta')
      .select('value')
      .where('key', '=', META_KEYS.summariesBasis)
      .executeTakeFirst();
    if (basis?.value === this.summaries.basis()) return false;
    return this.db.transaction().execute(async (trx) => {
      // Another instance starting at the same time may have done it: check again under the lock.
      await lockVersion(trx);
      const now = await trx
        .selectFrom('dataset_meta')
        .select('value')
        .where('key', '=', META_KEYS.summariesBasis)
        .executeTakeFirst();
      if (now?.value === this.summaries.basis()) return false;
      for (const table of ['machine_day_totals', 'machine_month_sums', 'plant_day_sums'] as const) {
        await trx.deleteFrom(table).execute();
      }
      const { rows: spans } = await sql<{ machine_id: number; first: string; last: string }>`
        select machine_id, min(first) as first, max(last) as last from (
          select machine_id, min(date) as first, max(date) as last from production group by machine_id
          union all
          select machine_id, min(date), max(date) from downtime_events group by machine_id
          union all
          select machine_id, min(date), max(date) from quality_issues group by machine_id
        ) spans group by machine_id`.execute(trx);
      const months = new Map(
        spans.map((span) => [
          Number(span.machine_id),
          new Set(monthsBetween(span.first, span.last)),
        ]),
      );
      const bulk = new BulkInserter(trx, sqliteHandle(this.db));
      await this.summaries.summariseAll(trx, bulk, months, 'machine');
      await this.summaries.logChanges(trx, await this.nextVersion(trx), null);
      return true;
    });
  }

  /**
   * The machine-days changed after version `from` up to `to`: null when every one of those
   * versions may have changed anything (a whole dataset written) or is no longer logged.
   */
  async changesBetween(from: number, to: number): Promise<Map<number, Set<string>> | null> {
    const rows = await (
      await this.reader()
    )
      .selectFrom('data_changes')
      .select(['version', 'machine_id', 'date'])
      .where('version', '>', from)
      .where('version', '<=', to)
      .execute();
    if (new Set(rows.map((r) => r.version)).size !== to - from) return null;
    const changes = new Map<number, Set<string>>();
    for (const { machine_id: machineId, date } of rows) {
      if (machineId === null || date === null) return null;
      const dates = changes.get(Number(machineId)) ?? new Set<string>();
      dates.add(date);
      changes.set(Number(machineId), dates);
    }
    return changes;
  }

  /**
   * A number that changes with every write (import, merge, setup), from any process: caches of
   * derived data are keyed by it.
   */
  dataVersion(): Promise<number> {
    return this.snapshots.version();
  }
}

/**
 * Inserts one part's records in statements of bounded size. Events and issues are numbered within
 * their machine-day; a part holds whole machine-days (the generator's parts are whole machines).
 */
async function insertRecords(
  writer: BatchWriter,
  records: DatasetRecords,
  ids: NameIds,
): Promise<Omit<WriteSummary, 'machines'>> {
  writer.expect(
    records.production.length + records.downtimeEvents.length + records.qualityIssues.length,
  );
  await writer.insert(
    'production',
    records.production.map((r) => productionRow(r, ids)),
  );
  await writer.addReasons(records.downtimeEvents.map((e) => e.reason));
  const eventSeq = sequencePerMachineDay();
  await writer.insert(
    'downtime_events',
    records.downtimeEvents.map((e) => ({
      machine_id: ids.machine(e.machine),
      date: e.date,
      seq: eventSeq(e.machine, e.date),
      shift_id: e.shift === null ? null : ids.shift(e.shift),
      reason: e.reason,
      description: e.description,
      duration_hours: e.durationHours,
    })),
  );
  const issueSeq = sequencePerMachineDay();
  await writer.insert(
    'quality_issues',
    records.qualityIssues.map((q) => ({
      machine_id: ids.machine(q.machine),
      date: q.date,
      seq: issueSeq(q.machine, q.date),
      shift_id: q.shift === null ? null : ids.shift(q.shift),
      type: q.type,
      description: q.description,
      parts_affected: q.partsAffected,
      severity: q.severity,
    })),
  );
  return {
    productionRows: records.production.length,
    downtimeEvents: records.downtimeEvents.length,
    qualityIssues: records.qualityIssues.length,
  };
}

/** The dates of records by machine id. */
function machineDates(
  records: { machine: string; date: string }[],
  ids: NameIds,
): Map<number, Set<string>> {
  const result = new Map<number, Set<string>>();
  for (const { machine, date } of records) {
    const id = ids.machine(machine);
    const dates = result.get(id) ?? new Set<string>();
    dates.add(date);
    result.set(id, dates);
  }
  return result;
}

/** Database ids of the names a dataset uses; importers validate names first, this guards it. */
class NameIds {
  constructor(
    private readonly machines: Map<string, number>,
    private readonly shifts: Map<string, number>,
  ) {}

  machine(name: string): number {
    return this.idOf(this.machines, 'machine', name);
  }

  shift(name: string): number {
    return this.idOf(this.shifts, 'shift', name);
  }

  private idOf(ids: Map<string, number>, kind: string, name: string): number {
    const id = ids.get(name);
    // Aborts the transaction: nothing of the dataset is written.
    if (id === undefined) throw new Error(`Dataset refers to an undeclared ${kind} "${name}"`);
    return id;
  }
}

function productionRow(r: ProductionRecord, ids: NameIds): Insertable<Database['production']> {
  return {
    machine_id: ids.machine(r.machine),
    date: r.date,
    shift_id: ids.shift(r.shift),
    planned_hours: r.plannedHours,
    run_hours: r.runHours,
    downtime_hours: r.downtimeHours,
    parts_produced: r.partsProduced,
    good_parts: r.goodParts,
    scrap_parts: r.scrapParts,
  };
}

/** Writes a dataset's rows (see BulkInserter) and reports progress. */
class BatchWriter {
  private done = 0;
  private total = 0;
  readonly bulk: BulkInserter;

  constructor(
    private readonly tx: Tx,
    sqlite: ReturnType<typeof sqliteHandle>,
    onProgress?: ProgressListener,
  ) {
    this.bulk = new BulkInserter(tx, sqlite, (count) => {
      this.done += count;
      onProgress?.(this.done, this.total);
    });
  }

  /** Rows about to be written (progress is reported out of every row announced so far). */
  expect(rows: number): void {
    this.total += rows;
  }

  insert<T extends 'production' | 'downtime_events' | 'quality_issues'>(
    table: T,
    rows: Insertable<Database[T]>[],
  ): Promise<void> {
    return this.bulk.insert(table, rows);
  }

  /** Records downtime reasons not seen before (the list the metrics rollup lays out). */
  async addReasons(reasons: string[]): Promise<void> {
    for (const chunk of chunks([...new Set(reasons)], PARAMETERS_PER_STATEMENT)) {
      await this.tx
        .insertInto('downtime_reasons')
        .values(chunk.map((reason) => ({ reason })))
        .onConflict((oc) => oc.column('reason').doNothing())
        .execute();
    }
  }
}

/** Dates from start to end, both included. */
interface DateSpan {
  start: string;
  end: string;
}

/** The first and last dates of any record; null when there is none. */
async function recordDates(db: Kysely<Database>): Promise<{ first: string; last: string } | null> {
  let first: string | null = null;
  let last: string | null = null;
  for (const table of ['production', 'downtime_events', 'quality_issues'] as const) {
    const row = await db
      .selectFrom(table)
      .select((eb) => [eb.fn.min('date').as('first'), eb.fn.max('date').as('last')])
      .executeTakeFirst();
    if (row?.first && (first === null || row.first < first)) first = row.first;
    if (row?.last && (last === null || row.last > last)) last = row.last;
  }
  return first && last ? { first, last } : null;
}

/** Production rows of the dates by date, machine and shift (for export). */
function readProduction(db: Kysely<Database>, dates: DateSpan): Promise<ProductionRecord[]> {
  return db
    .selectFrom('production as p')
    .innerJoin('machines as m', 'm.id', 'p.machine_id')
    .innerJoin('shifts as s', 's.id', 'p.shift_id')
    .select([
      'm.name as machine',
      'p.date',
      's.name as shift',
      'p.planned_hours as plannedHours',
      'p.run_hours as runHours',
      'p.downtime_hours as downtimeHours',
      'p.parts_produced as partsProduced',
      'p.good_parts as goodParts',
      'p.scrap_parts as scrapParts',
    ])
    .where('p.date', '>=', dates.start)
    .where('p.date', '<=', dates.end)
    .orderBy('p.date')
    .orderBy('p.machine_id')
    .orderBy('s.start_hour')
    .execute();
}

/** Downtime events by date, machine and recorded order. */
function readDowntimeEvents(db: Kysely<Database>, dates: DateSpan): Promise<DowntimeEventRecord[]> {
  return db
    .selectFrom('downtime_events as e')
    .innerJoin('machines as m', 'm.id', 'e.machine_id')
    .leftJoin('shifts as s', 's.id', 'e.shift_id')
    .select([
      'm.name as machine',
      'e.date',
      's.name as shift',
      'e.reason',
      'e.description',
      'e.duration_hours as durationHours',
    ])
    .where('e.date', '>=', dates.start)
    .where('e.date', '<=', dates.end)
    .orderBy('e.date')
    .orderBy('e.machine_id')
    .orderBy('e.seq')
    .execute();
}

/** Quality issues by date, machine and recorded order. */
function readQualityIssues(db: Kysely<Database>, dates: DateSpan): Promise<QualityIssueRecord[]> {
  return db
    .selectFrom('quality_issues as q')
    .innerJoin('machines as m', 'm.id', 'q.machine_id')
    .leftJoin('shifts as s', 's.id', 'q.shift_id')
    .select([
      'm.name as machine',
      'q.date',
      's.name as shift',
      'q.type',
      'q.description',
      'q.parts_affected as partsAffected',
      'q.severity',
    ])
    .where('q.date', '>=', dates.start)
    .where('q.date', '<=', dates.end)
    .orderBy('q.date')
    .orderBy('q.machine_id')
    .orderBy('q.seq')
    .execute();
}

/** Where the data came from (dataset_meta). */
async function readOrigin(db: Kysely<Database>): Promise<Partial<DatasetOrigin>> {
  const meta = await db.selectFrom('dataset_meta').selectAll().execute();
  const metaValue = (key: string) => meta.find((row) => row.key === key)?.value;
  const source = metaValue(META_KEYS.source);
  return {
    source: source === 'demo' || source === 'import' ? source : undefined,
    generatedAt: metaValue(META_KEYS.generatedAt),
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** 1, 2, 3, ... per key: the order of records within one machine-day. */
function sequencePerMachineDay(): (machine: string, date: string) => number {
  const counters = new Map<string, number>();
  // Records mostly come machine-day by machine-day: the map is consulted when the machine-day changes.
  let current: { machine: string; date: string } | null = null;
  let last = 0;
  return (machine, date) => {
    if (machine !== current?.machine || date !== current.date) {
      if (current) counters.set(`${current.machine}|${current.date}`, last);
      current = { machine, date };
      last = counters.get(`${machine}|${date}`) ?? 0;
    }
    return ++last;
  };
}

function plantTargetsOf(row: Selectable<PlantTargetsTable>): StoredPlantTargets {
  return {
    effectiveAt: Date.parse(row.effective_at),
    oee: row.oee,
    availability: row.availability,
    performance: row.performance,
    quality: row.quality,
    scrapRate: row.scrap_rate,
  };
}
