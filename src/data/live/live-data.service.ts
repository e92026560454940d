import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { Kysely, Transaction } from 'kysely';
import { ShiftCalendar, ShiftDefinition, ShiftWindow } from '../../common/shift-calendar';
import { SeverityName } from '../../common/severity';
import { MachineSpec } from '../dataset';
import { BulkInserter } from '../database/bulk-insert';
import { KYSELY, sqliteHandle } from '../database/database.provider';
import { Database } from '../database/database.types';
import { lockVersion, nextVersion, upsertByName } from '../data-versions';
import { ReadSnapshots } from '../database/read-snapshots';
import { SummariesWriter } from '../summaries.writer';
import { deriveShiftTime, DerivedShiftTime, MachineState, StateChange } from './derive-shift';

export interface CountFields {
  parts: number;
  scrap: number;
}
export interface StateFields {
  state: MachineState;
  reason: string | null;
  description: string | null;
}
export interface QualityFields {
  type: string;
  severity: SeverityName;
  partsAffected: number;
  description: string;
}

/** A signal that passed validation: its machine is a known name (or one to create). */
export type LiveSignal = { machine: string; eventId: string; at: number } & (
  | { kind: 'count'; fields: CountFields }
  | { kind: 'state'; fields: StateFields }
  | { kind: 'quality'; fields: QualityFields }
);

/** unknown-machine: its machine is not stored (and may not be created). */
export type WriteOutcome = 'accepted' | 'duplicate' | 'unknown-machine';

export interface WriteOptions {
  now: number;
  calendar: ShiftCalendar;
  /** Where the signals came from (graphql, mqtt, replay), stored with each. */
  source: string;
  /** Machines not stored yet are created with this ideal cycle time; null: they must exist. */
  newMachineIdealCycleTimeSeconds: number | null;
}

export interface LiveWriteResult {
  /** Per signal, in order. */
  outcomes: WriteOutcome[];
  /** Machines created for signals that named them first. */
  createdMachines: string[];
  /** Accepted counts whose moment no shift covers (not counted in any shift). */
  outsideShifts: { machine: string; eventId: string; at: number; parts: number; scrap: number }[];
}

/** One machine's live figures in one shift window, as known at a moment. */
export interface LiveMachineShift {
  machine: string;
  idealCycleTimeSeconds: number;
  state: MachineState | null;
  since: number | null;
  reason: string | null;
  parts: number;
  scrap: number;
  time: DerivedShiftTime;
}

type Tx = Transaction<Database>;
type StateRow = { at: string; payload: string };

/** Signals per INSERT: 7 columns each, well under both databases' parameter limits. */
const SIGNALS_PER_INSERT = 1000;
/** Live machines whose machine-shifts one refresh transaction brings up to date. */
const MACHINES_PER_REFRESH = 50;

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (text: string) => Date.parse(text);

/**
 * Live signals into the same machine-day-shift rows, downtime events and quality issues that every
 * metric reads. Each batch is one transaction: its raw signals (a repeated event id is recognised
 * and ignored), the rows they change and the summaries of the machine-days touched, so a query
 * made after the batch is acknowledged reflects it, and a failed batch leaves nothing behind.
 *
 * Counts add to their machine-shift's parts; quality signals add a quality issue. A machine's
 * planned, run and downtime hours and its downtime events are derived from its state changes
 * (see deriveShiftTime): each batch re-derives, for every machine it touches, the windows from its
 * earliest new state change (or from where the machine was derived up to) until now, and
 * `refresh` brings every live machine up to now on a schedule, so a stop counts while it lasts.
 * A write yields to the event loop between machines: requests read their own snapshots meanwhile
 * (see ReadSnapshots), so a batch of many machines never holds them up for its whole length.
 */
@Injectable()
export class LiveDataService {
  constructor(
    @Inject(KYSELY) private readonly db: Kysely<Database>,
    private readonly snapshots: ReadSnapshots,
    private readonly summaries: SummariesWriter,
  ) {}

  /** Stores the batch's signals and applies the new ones to the rows, in one transaction. */
  async write(signals: LiveSignal[], options: WriteOptions): Promise<LiveWriteResult> {
    return this.db.transaction().execute(async (tx) => {
      await lockVersion(tx);
      const createdMachines: string[] = [];
      const machineIds = await this.machineIds(tx, signals, options, createdMachines);
      const fresh = await insertSignals(tx, signals, machineIds, options);
      const outcomes = outcomesOf(signals, machineIds, fresh);
      const accepted = signals.filter((_, i) => fresh.has(i));
      const outsideShifts = await this.apply(tx, accepted, machineIds, options);
      return { outcomes, createdMachines, outsideShifts };
    });
  }

  /**
   * Stores the signals and marks the new ones pending, in one short transaction, so that a
   * transport can acknowledge each message as soon as it is safe; `applyPending` applies them in
   * batches. A pending signal survives a crash and is applied after the restart.
   */
  async stage(
    signals: LiveSignal[],
    options: Omit<WriteOptions, 'calendar'>,
  ): Promise<Pick<LiveWriteResult, 'outcomes' | 'createdMachines'>> {
    return this.db.transaction().execute(async (tx) => {
      const createdMachines: string[] = [];
      const machineIds = await this.machineIds(tx, signals, options, createdMachines);
      const fresh = await insertSignals(tx, signals, machineIds, options);
      const pending = [...fresh].map((i) => ({
        machine_id: machineIds.get(signals[i].machine) as number,
        event_id: signals[i].eventId,
      }));
      for (let first = 0; first < pending.length; first += SIGNALS_PER_INSERT) {
        await tx
          .insertInto('pending_signals')
          .values(pending.slice(first, first + SIGNALS_PER_INSERT))
          .execute();
      }
      return { outcomes: outcomesOf(signals, machineIds, fresh), createdMachines };
    });
  }

  /**
   * Applies up to `limit` pending signals, oldest first, in one transaction (several instances
   * take turns: none applies a signal twice). Returns how many were applied.
   */
  async applyPending(
    options: Pick<WriteOptions, 'calendar' | 'now'>,
    limit: number,
  ): Promise<{
    applied: number;
    machines: string[];
    outsideShifts: LiveWriteResult['outsideShifts'];
  }> {
    return this.db.transaction().execute(async (tx) => {
      await lockVersion(tx);
      const rows = await tx
        .selectFrom('pending_signals as p')
        .innerJoin('signals as s', (join) =>
          join.onRef('s.machine_id', '=', 'p.machine_id').onRef('s.event_id', '=', 'p.event_id'),
        )
        .innerJoin('machines as m', 'm.id', 's.machine_id')
        .select(['s.machine_id', 's.event_id', 's.kind', 's.at', 's.payload', 'm.name'])
        .orderBy('s.at')
        .orderBy('s.machine_id')
        .orderBy('s.event_id')
        .limit(limit)
        .execute();
      if (rows.length === 0) return { applied: 0, machines: [], outsideShifts: [] };
      const signals = rows.map(
        (row) =>
          ({
            machine: row.name,
            eventId: row.event_id,
            at: ms(row.at),
            kind: row.kind,
            fields: JSON.parse(row.payload) as unknown,
          }) as LiveSignal,
      );
      const machineIds = new Map(rows.map((row) => [row.name, Number(row.machine_id)]));
      const outsideShifts = await this.apply(tx, signals, machineIds, options);
      for (const [machineId, eventIds] of groupEventIds(rows)) {
        for (let first = 0; first < eventIds.length; first += SIGNALS_PER_INSERT) {
          await tx
            .deleteFrom('pending_signals')
            .where('machine_id', '=', machineId)
            .where('event_id', 'in', eventIds.slice(first, first + SIGNALS_PER_INSERT))
            .execute();
        }
      }
      return { applied: rows.length, machines: [...machineIds.keys()], outsideShifts };
    });
  }

  /** Applies stored signals to the rows and the summaries (inside the caller's transaction). */
  private async apply(
    tx: Tx,
    signals: LiveSignal[],
    machineIds: Map<string, number>,
    options: Pick<WriteOptions, 'calendar' | 'now'>,
  ): Promise<LiveWriteResult['outsideShifts']> {
    if (signals.length === 0) return [];
    const rows = new RowWriter(tx, await this.calendarShiftIds(tx, options.calendar));
    const outsideShifts = await rows.addCounts(signals, machineIds, options.calendar);
    await rows.addQualityIssues(signals, machineIds, options.calendar);
    const earliestState = new Map<number, number>();
    for (const signal of signals) {
      const id = machineIds.get(signal.machine) as number;
      if (signal.kind === 'state' && !(signal.at >= (earliestState.get(id) ?? Infinity))) {
        earliestState.set(id, signal.at);
      }
    }
    for (const machineId of new Set(signals.map((s) => machineIds.get(s.machine) as number))) {
      await nextTurn();
      await rows.deriveUpTo(machineId, earliestState.get(machineId) ?? null, options);
    }
    await this.finish(tx, rows.touched);
    return outsideShifts;
  }

  /**
   * Brings every live machine's machine-shifts up to `now` (a stop goes on counting, a shift that
   * ended is closed), a few machines per transaction. Returns the names of those brought up to date.
   */
  async refresh(calendar: ShiftCalendar, now: number): Promise<string[]> {
    const behind = await this.db
      .selectFrom('live_machines as l')
      .innerJoin('machines as m', 'm.id', 'l.machine_id')
      .select(['l.machine_id', 'm.name'])
      .where('l.derived_until', '<', iso(now))
      .orderBy('l.machine_id')
      .execute();
    for (let i = 0; i < behind.length; i += MACHINES_PER_REFRESH) {
      const chunk = behind.slice(i, i + MACHINES_PER_REFRESH);
      await this.db.transaction().execute(async (tx) => {
        await lockVersion(tx);
        const rows = new RowWriter(tx, await this.calendarShiftIds(tx, calendar));
        for (const { machine_id: machineId } of chunk) {
          await nextTurn();
          await rows.deriveUpTo(machineId, null, { calendar, now });
        }
        await this.finish(tx, rows.touched);
      });
    }
    return behind.map((m) => m.name);
  }

  /** Every machine's (or the named ones') state now and figures in `window` as known at `now`. */
  async machineShifts(
    window: ShiftWindow,
    now: number,
    names?: string[],
  ): Promise<LiveMachineShift[]> {
    const db = await this.snapshots.reader();
    let query = db
      .selectFrom('machines as m')
      .leftJoin('live_machines as l', 'l.machine_id', 'm.id')
      .select(['m.id', 'm.name', 'm.ideal_cycle_time_s', 'l.machine_id as live'])
      .orderBy('m.id');
    if (names) query = query.where('m.name', 'in', names.length > 0 ? names : ['']);
    const machines = await query.execute();
    const counts = await db
      .selectFrom('production as p')
      .innerJoin('shifts as s', 's.id', 'p.shift_id')
      .select(['p.machine_id', 'p.parts_produced', 'p.scrap_parts'])
      .where('p.date', '=', window.date)
      .where('s.name', '=', window.shift)
      .execute();
    const countsOf = new Map(counts.map((c) => [Number(c.machine_id), c]));
    const result: LiveMachineShift[] = [];
    for (const machine of machines) {
      const row = countsOf.get(Number(machine.id));
      const timeline =
        machine.live === null ? null : await stateTimeline(db, machine.id, window, now);
      const current = timeline?.states.filter((s) => s.at <= now).at(-1) ?? null;
      result.push({
        machine: machine.name,
        idealCycleTimeSeconds: machine.ideal_cycle_time_s,
        state: current?.state ?? null,
        since: current?.at ?? null,
        reason: current?.reason ?? null,
        parts: row?.parts_produced ?? 0,
        scrap: row?.scrap_parts ?? 0,
        time: timeline
          ? deriveShiftTime(window, timeline.states, timeline.knownFrom, now)
          : deriveShiftTime(window, [], null, now),
      });
    }
    return result;
  }

  /** When the newest signal of a machine happened (ms), null when it sent none. */
  async lastSignalAt(machine: string): Promise<number | null> {
    const db = await this.snapshots.reader();
    const found = await db
      .selectFrom('machines')
      .select('id')
      .where('name', '=', machine)
      .executeTakeFirst();
    if (!found) return null;
    let last: number | null = null;
    // One index seek per kind (signals are indexed by machine, kind and time).
    for (const kind of ['count', 'state', 'quality'] as const) {
      const row = await db
        .selectFrom('signals')
        .select((eb) => eb.fn.max('at').as('at'))
        .where('machine_id', '=', found.id)
        .where('kind', '=', kind)
        .executeTakeFirst();
      if (row?.at) last = Math.max(last ?? 0, Date.parse(row.at));
    }
    return last;
  }

  /** Adds the machines whose names are not stored yet (existing ones are left as they are). */
  async addMachines(machines: MachineSpec[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await lockVersion(tx);
      const existing = await tx.selectFrom('machines').select(['id', 'name']).execute();
      const known = new Set(existing.map((m) => m.name));
      await upsertByName(
        existing,
        machines.filter((m) => !known.has(m.name)),
        (machine, id) =>
          tx
            .insertInto('machines')
            .values({
              id,
              name: machine.name,
              type: machine.type,
              ideal_cycle_time_s: machine.idealCycleTimeSeconds,
            })
            .execute(),
      );
    });
  }

  /** Keeps a message that could not be read, for inspection. */
  async recordDeadLetter(letter: {
    source: string;
    topic: string;
    payload: string;
    reason: string;
  }): Promise<void> {
    await this.db
      .insertInto('dead_letters')
      .values({ id: randomUUID(), received_at: iso(Date.now()), ...letter })
      .execute();
  }

  /** Dead letters, newest first. */
  async deadLetters(page: {
    limit: number;
    offset: number;
  }): Promise<
    { receivedAt: string; source: string; topic: string; payload: string; reason: string }[]
  > {
    return (await this.snapshots.reader())
      .selectFrom('dead_letters')
      .select(['received_at as receivedAt', 'source', 'topic', 'payload', 'reason'])
      .orderBy('received_at', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
  }

  /** The machine's signals as received, newest first. */
  async signals(
    machineId: number,
    page: { limit: number; offset: number },
  ): Promise<
    {
      eventId: string;
      kind: string;
      at: string;
      receivedAt: string;
      source: string;
      payload: string;
    }[]
  > {
    return (await this.snapshots.reader())
      .selectFrom('signals')
      .select([
        'event_id as eventId',
        'kind',
        'at',
        'received_at as receivedAt',
        'source',
        'payload',
      ])
      .where('machine_id', '=', machineId)
      .orderBy('at', 'desc')
      .orderBy('event_id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
  }

  /** Summaries of the machine-days written, a new data version, and its change log. */
  private async finish(tx: Tx, touched: Map<number, Set<string>>): Promise<void> {
    if (touched.size === 0) return;
    const bulk = new BulkInserter(tx, sqliteHandle(this.db));
    for (const [machineId, dates] of touched) {
      await nextTurn();
      await this.summaries.refresh(tx, bulk, machineId, dates);
    }
    await nextTurn();
    await this.summaries.refreshPlantDays(
      tx,
      bulk,
      [...touched.values()].flatMap((dates) => [...dates]),
    );
    await this.summaries.logChanges(tx, await nextVersion(tx, this.summaries.basis()), touched);
  }

  /** Ids of the signals' machines; unknown ones are created when allowed (else left out). */
  private async machineIds(
    tx: Tx,
    signals: LiveSignal[],
    options: Pick<WriteOptions, 'newMachineIdealCycleTimeSeconds'>,
    created: string[],
  ): Promise<Map<string, number>> {
    const names = [...new Set(signals.map((s) => s.machine))];
    const found = new Map<string, number>();
    for (let first = 0; first < names.length; first += SIGNALS_PER_INSERT) {
      const rows = await tx
        .selectFrom('machines')
        .select(['id', 'name'])
        .where('name', 'in', names.slice(first, first + SIGNALS_PER_INSERT))
        .execute();
      for (const row of rows) found.set(row.name, row.id);
    }
    const missing = names.filter((name) => !found.has(name));
    const idealCycleTime = options.newMachineIdealCycleTimeSeconds;
    if (missing.length === 0 || idealCycleTime === null) return found;
    // Writers take turns here, so that two instances do not create the same machine.
    await lockVersion(tx);
    for (const row of await tx
      .selectFrom('machines')
      .select(['id', 'name'])
      .where('name', 'in', missing)
      .execute()) {
      found.set(row.name, row.id);
    }
    const toCreate = missing.filter((name) => !found.has(name));
    created.push(...toCreate);
    const { id: maxId } = await tx
      .selectFrom('machines')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    let nextId = Number(maxId ?? 0) + 1;
    for (const name of toCreate) {
      const id = nextId++;
      await tx
        .insertInto('machines')
        .values({ id, name, type: 'Unknown', ideal_cycle_time_s: idealCycleTime })
        .execute();
      found.set(name, id);
    }
    return found;
  }

  /** The calendar's shifts in the shifts table (added, or their hours updated), by name. */
  private async calendarShiftIds(tx: Tx, calendar: ShiftCalendar): Promise<Map<string, number>> {
    const existing = await tx
      .selectFrom('shifts')
      .select(['id', 'name', 'start_hour', 'end_hour', 'start_minute', 'end_minute'])
      .execute();
    const rowOf = (shift: ShiftDefinition) => ({
      name: shift.name,
      start_hour: shift.startHour,
      end_hour: shift.endHour,
      start_minute: shift.startMinute ?? 0,
      end_minute: shift.endMinute ?? 0,
    });
    const changed = calendar.shifts.filter((shift) => {
      const stored = existing.find((s) => s.name === shift.name);
      const row = rowOf(shift);
      return (
        stored?.start_hour !== row.start_hour ||
        stored.end_hour !== row.end_hour ||
        stored.start_minute !== row.start_minute ||
        stored.end_minute !== row.end_minute
      );
    });
    const ids = await upsertByName(existing, changed, (shift, id, exists) => {
      const row = rowOf(shift);
      return exists
        ? tx.updateTable('shifts').set(row).where('id', '=', id).execute()
        : tx
            .insertInto('shifts')
            .values({ id, ...row })
            .execute();
    });
    return ids;
  }
}

/**
 * Stores the signals not seen before (per machine and event id, in this batch or any earlier one);
 * returns the indexes of those stored. Signals of machines without an id are skipped.
 */
async function insertSignals(
  tx: Tx,
  signals: LiveSignal[],
  machineIds: Map<string, number>,
  options: Pick<WriteOptions, 'source' | 'now'>,
): Promise<Set<number>> {
  const firstByKey = new Map<string, number>();
  signals.forEach((signal, i) => {
    const id = machineIds.get(signal.machine);
    const key = `${id}|${signal.eventId}`;
    if (id !== undefined && !firstByKey.has(key)) firstByKey.set(key, i);
  });
  const candidates = [...firstByKey.values()];
  const fresh = new Set<number>();
  const receivedAt = iso(options.now);
  for (let first = 0; first < candidates.length; first += SIGNALS_PER_INSERT) {
    const chunk = candidates.slice(first, first + SIGNALS_PER_INSERT);
    const inserted = await tx
      .insertInto('signals')
      .values(
        chunk.map((i) => {
          const signal = signals[i];
          return {
            machine_id: machineIds.get(signal.machine) as number,
            event_id: signal.eventId,
            kind: signal.kind,
            at: iso(signal.at),
            received_at: receivedAt,
            source: options.source,
            payload: JSON.stringify(signal.fields),
          };
        }),
      )
      .onConflict((oc) => oc.columns(['machine_id', 'event_id']).doNothing())
      .returning(['machine_id', 'event_id'])
      .execute();
    for (const row of inserted) {
      fresh.add(firstByKey.get(`${row.machine_id}|${row.event_id}`) as number);
    }
  }
  return fresh;
}

function outcomesOf(
  signals: LiveSignal[],
  machineIds: Map<string, number>,
  fresh: Set<number>,
): WriteOutcome[] {
  return signals.map((signal, i) => {
    if (fresh.has(i)) return 'accepted';
    return machineIds.has(signal.machine) ? 'duplicate' : 'unknown-machine';
  });
}

/** Event ids by machine id. */
function groupEventIds(rows: { machine_id: number; event_id: string }[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const row of rows) {
    const ids = groups.get(Number(row.machine_id)) ?? [];
    ids.push(row.event_id);
    groups.set(Number(row.machine_id), ids);
  }
  return groups;
}

/** The machine's state changes relevant to a window, and its first state change ever. */
async function stateTimeline(
  db: Kysely<Database>,
  machineId: number,
  span: { start: number; end: number },
  now: number,
): Promise<{ states: StateChange[]; knownFrom: number | null }> {
  const stateSignals = db
    .selectFrom('signals')
    .select(['at', 'payload'])
    .where('machine_id', '=', machineId)
    .where('kind', '=', 'state');
  const first = await stateSignals.orderBy('at').limit(1).executeTakeFirst();
  if (!first) return { states: [], knownFrom: null };
  const before = await stateSignals
    .where('at', '<=', iso(span.start))
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const within = await stateSignals
    .where('at', '>', iso(span.start))
    .where('at', '<', iso(Math.min(span.end, now)))
    .orderBy('at')
    .execute();
  const rows: StateRow[] = before ? [before, ...within] : within;
  return { states: rows.map(stateChange), knownFrom: ms(first.at) };
}

function stateChange(row: StateRow): StateChange {
  const fields = JSON.parse(row.payload) as StateFields;
  return {
    at: ms(row.at),
    state: fields.state,
    reason: fields.reason,
    description: fields.description,
  };
}

/** Writes a batch's rows and remembers the machine-days they touch. */
class RowWriter {
  readonly touched = new Map<number, Set<string>>();
  private readonly lastSeq = new Map<string, number>();

  constructor(
    private readonly tx: Tx,
    private readonly shiftIds: Map<string, number>,
  ) {}

  /** Adds counts to their machine-shifts; returns those no shift covers. */
  async addCounts(
    signals: LiveSignal[],
    machineIds: Map<string, number>,
    calendar: ShiftCalendar,
  ): Promise<LiveWriteResult['outsideShifts']> {
    const sums = new Map<string, { machineId: number; window: ShiftWindow } & CountFields>();
    const outside: LiveWriteResult['outsideShifts'] = [];
    for (const signal of signals) {
      if (signal.kind !== 'count') continue;
      const window = calendar.windowAt(signal.at);
      if (!window) {
        outside.push({ ...signal, parts: signal.fields.parts, scrap: signal.fields.scrap });
        continue;
      }
      const machineId = machineIds.get(signal.machine) as number;
      const key = `${machineId}|${window.date}|${window.shift}`;
      const sum = sums.get(key) ?? { machineId, window, parts: 0, scrap: 0 };
      sum.parts += signal.fields.parts;
      sum.scrap += signal.fields.scrap;
      sums.set(key, sum);
    }
    for (const { machineId, window, parts, scrap } of sums.values()) {
      await this.tx
        .insertInto('production')
        .values({
          machine_id: machineId,
          date: window.date,
          shift_id: this.shiftId(window.shift),
          planned_hours: 0,
          run_hours: 0,
          downtime_hours: 0,
          parts_produced: parts,
          good_parts: parts - scrap,
          scrap_parts: scrap,
        })
        .onConflict((oc) =>
          oc.columns(['machine_id', 'date', 'shift_id']).doUpdateSet((eb) => ({
            parts_produced: eb('production.parts_produced', '+', eb.ref('excluded.parts_produced')),
            good_parts: eb('production.good_parts', '+', eb.ref('excluded.good_parts')),
            scrap_parts: eb('production.scrap_parts', '+', eb.ref('excluded.scrap_parts')),
          })),
        )
        .execute();
      this.touch(machineId, window.date);
    }
    await this.addOffShift(outside, machineIds, calendar);
    return outside;
  }

  /** Parts counted outside every shift, added up per machine and local date. */
  private async addOffShift(
    outside: LiveWriteResult['outsideShifts'],
    machineIds: Map<string, number>,
    calendar: ShiftCalendar,
  ): Promise<void> {
    const sums = new Map<
      string,
      { machine_id: number; date: string; parts: number; scrap: number }
    >();
    for (const count of outside) {
      const row = {
        machine_id: machineIds.get(count.machine) as number,
        date: calendar.localDate(count.at),
      };
      const key = `${row.machine_id}|${row.date}`;
      const sum = sums.get(key) ?? { ...row, parts: 0, scrap: 0 };
      sum.parts += count.parts;
      sum.scrap += count.scrap;
      sums.set(key, sum);
    }
    for (const row of sums.values()) {
      await this.tx
        .insertInto('off_shift_production')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['machine_id', 'date']).doUpdateSet((eb) => ({
            parts: eb('off_shift_production.parts', '+', eb.ref('excluded.parts')),
            scrap: eb('off_shift_production.scrap', '+', eb.ref('excluded.scrap')),
          })),
        )
        .execute();
    }
  }

  /** One quality issue per signal, in the shift its moment falls in (none outside shifts). */
  async addQualityIssues(
    signals: LiveSignal[],
    machineIds: Map<string, number>,
    calendar: ShiftCalendar,
  ): Promise<void> {
    for (const signal of signals) {
      if (signal.kind !== 'quality') continue;
      const machineId = machineIds.get(signal.machine) as number;
      const window = calendar.windowAt(signal.at);
      const date = window?.date ?? calendar.localDate(signal.at);
      await this.tx
        .insertInto('quality_issues')
        .values({
          machine_id: machineId,
          date,
          seq: await this.nextSeq('quality_issues', machineId, date),
          shift_id: window ? this.shiftId(window.shift) : null,
          type: signal.fields.type,
          description: signal.fields.description,
          parts_affected: signal.fields.partsAffected,
          severity: signal.fields.severity,
        })
        .execute();
      this.touch(machineId, date);
    }
  }

  /**
   * Re-derives the machine's time in every shift window from `from` (its earliest new state
   * change; else where it was derived up to) until now, and records how far it is derived.
   */
  async deriveUpTo(
    machineId: number,
    earliestNewState: number | null,
    options: Pick<WriteOptions, 'calendar' | 'now'>,
  ): Promise<void> {
    const live = await this.tx
      .selectFrom('live_machines')
      .select('derived_until')
      .where('machine_id', '=', machineId)
      .executeTakeFirst();
    const derivedUntil = live ? ms(live.derived_until) : null;
    const from = Math.min(earliestNewState ?? Infinity, derivedUntil ?? Infinity);
    if (from === Infinity) return;
    const now = options.now;
    for (const window of options.calendar.windowsBetween(Math.min(from, now), now)) {
      const timeline = await stateTimeline(this.tx, machineId, window, now);
      await this.writeTime(
        machineId,
        window,
        deriveShiftTime(window, timeline.states, timeline.knownFrom, now),
      );
    }
    const until = iso(Math.max(now, derivedUntil ?? -Infinity));
    await this.tx
      .insertInto('live_machines')
      .values({ machine_id: machineId, derived_until: until })
      .onConflict((oc) => oc.column('machine_id').doUpdateSet({ derived_until: until }))
      .execute();
  }

  /** The machine-shift's hours and its downtime events (the ones derived before are replaced). */
  private async writeTime(
    machineId: number,
    window: ShiftWindow,
    time: DerivedShiftTime,
  ): Promise<void> {
    const shiftId = this.shiftId(window.shift);
    await this.tx
      .deleteFrom('downtime_events')
      .where('machine_id', '=', machineId)
      .where('date', '=', window.date)
      .where('shift_id', '=', shiftId)
      .execute();
    this.lastSeq.delete(`downtime_events|${machineId}|${window.date}`);
    if (time.plannedHours > 0) {
      const hours = {
        planned_hours: time.plannedHours,
        run_hours: time.runHours,
        downtime_hours: time.downtimeHours,
      };
      await this.tx
        .insertInto('production')
        .values({
          machine_id: machineId,
          date: window.date,
          shift_id: shiftId,
          ...hours,
          parts_produced: 0,
          good_parts: 0,
          scrap_parts: 0,
        })
        .onConflict((oc) => oc.columns(['machine_id', 'date', 'shift_id']).doUpdateSet(hours))
        .execute();
    }
    for (const stop of time.stops) {
      await this.tx
        .insertInto('downtime_reasons')
        .values({ reason: stop.reason })
        .onConflict((oc) => oc.column('reason').doNothing())
        .execute();
      await this.tx
        .insertInto('downtime_events')
        .values({
          machine_id: machineId,
          date: window.date,
          seq: await this.nextSeq('downtime_events', machineId, window.date),
          shift_id: shiftId,
          reason: stop.reason,
          description: stop.description,
          duration_hours: stop.hours,
          started_at: new Date(stop.startedAt).toISOString(),
        })
        .execute();
    }
    this.touch(machineId, window.date);
  }

  private shiftId(name: string): number {
    const id = this.shiftIds.get(name);
    if (id === undefined) throw new Error(`Shift "${name}" of the calendar is not stored`);
    return id;
  }

  private async nextSeq(
    table: 'downtime_events' | 'quality_issues',
    machineId: number,
    date: string,
  ): Promise<number> {
    const key = `${table}|${machineId}|${date}`;
    let last = this.lastSeq.get(key);
    if (last === undefined) {
      const row = await this.tx
        .selectFrom(table)
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('machine_id', '=', machineId)
        .where('date', '=', date)
        .executeTakeFirst();
      last = Number(row?.seq ?? 0);
    }
    this.lastSeq.set(key, last + 1);
    return last + 1;
  }

  private touch(machineId: number, date: string): void {
    const dates = this.touched.get(machineId) ?? new Set<string>();
    dates.add(date);
    this.touched.set(machineId, dates);
  }
}
