import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { BadInputError } from '../common/errors';
import { ShiftCalendar, ShiftWindow } from '../common/shift-calendar';
import { clip } from '../common/text';
import { AppConfig } from '../config/app-config.service';
import { DataService } from '../data/data.service';
import { MachineSpec } from '../data/dataset';
import { LiveDataService, LiveSignal, LiveWriteResult } from '../data/live/live-data.service';
import { MetricsService } from '../metrics/metrics.service';
import { OeeResult } from '../metrics/metrics.types';
import { MAX_LIST_LIMIT } from '../metrics/metrics.limits';
import { MAX_FUTURE_MS, MAX_SIGNALS_PER_BATCH } from './ingest.limits';
import { LiveEvents } from './live-events';
import { parseSignal, SignalKind } from './signal-parser';

/** A signal as it arrived: its kind, its fields, and its machine when the transport names it. */
export interface IncomingSignal {
  kind: SignalKind;
  raw: unknown;
  machine?: string;
}

export type SignalStatus =
  { status: 'accepted' } | { status: 'duplicate' } | { status: 'rejected'; reason: string };

export interface IngestOutcome {
  /** Per signal, in the order received. */
  statuses: SignalStatus[];
  accepted: number;
  duplicates: number;
  rejected: { eventId: string; machine: string; reason: string }[];
  warnings: string[];
}

export interface LiveMachineFigures extends Pick<
  OeeResult,
  'oee' | 'availability' | 'performance' | 'quality'
> {
  machine: string;
  state: string | null;
  since: string | null;
  reason: string | null;
  parts: number;
  scrap: number;
}

export interface CurrentShiftFigures {
  date: string;
  shift: string;
  startsAt: string;
  endsAt: string;
  machines: LiveMachineFigures[];
}

const MS_PER_DAY = 86_400_000;
/** Signals staged within this long are applied together. */
const APPLY_DELAY_MS = 50;
/** Live updates of one machine are pushed at most this often. */
const PUSH_INTERVAL_MS = 1000;

/**
 * Live signals in: validated one by one (a bad signal never refuses the good ones), placed by the
 * shift calendar, written in one transaction per batch (LiveDataService). Also keeps live
 * machines' shifts up to date on a schedule, and answers the running shift's figures.
 */
@Injectable()
export class IngestService implements OnModuleDestroy {
  private readonly logger = new Logger(IngestService.name);
  readonly calendar: ShiftCalendar;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private applyTimer: NodeJS.Timeout | null = null;
  private applying: Promise<void> = Promise.resolve();
  private stopping = false;
  private machines: Map<string, string> | null = null;
  private readonly pushTimers = new Map<string, NodeJS.Timeout>();
  private readonly pushDue = new Set<string>();
  private readonly lastPushed = new Map<string, number>();
  private readonly lastStates = new Map<string, string>();

  constructor(
    private readonly live: LiveDataService,
    private readonly data: DataService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: LiveEvents,
  ) {
    this.calendar = new ShiftCalendar(config.shifts, config.timeZone);
  }

  /**
   * Keeps live data moving in a long-running process (the server, `factory-agent mcp`): applies the
   * signals staged before a stop or a crash, and brings live machines' shifts up to now every
   * LIVE_REFRESH_SECONDS. A one-shot CLI command does not: a read would wait to write first, up to
   * 5 s while an import holds the SQLite file.
   */
  startUpkeep(): void {
    if (this.timer || this.stopping) return;
    this.timer = setInterval(() => void this.refresh(), this.config.liveRefreshMs);
    this.timer.unref();
    void this.applyPending();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.applyTimer) clearTimeout(this.applyTimer);
    for (const timer of this.pushTimers.values()) clearTimeout(timer);
    await this.refreshing;
    await this.applying;
  }

  /** Brings live machines' shifts up to now (a stop goes on counting); one run at a time. */
  refresh(): Promise<void> {
    this.refreshing ??= this.applyPending()
      .then(() => this.live.refresh(this.calendar, this.clock.now()))
      .then((machines) => this.changed(machines))
      .catch((error: unknown) => {
        this.logger.warn(
          `Live refresh failed (retried in ${this.config.liveRefreshMs / 1000} s): ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** Validates a batch and writes it (applied before the answer); answers per signal. */
  async ingest(signals: IncomingSignal[], source: string): Promise<IngestOutcome> {
    const now = this.clock.now();
    const { statuses, valid } = await this.validate(signals, now);
    const written = await this.live.write(
      valid.map((v) => v.signal),
      { now, calendar: this.calendar, source, newMachineIdealCycleTimeSeconds: this.newMachines() },
    );
    this.changed(
      valid.filter((_, i) => written.outcomes[i] === 'accepted').map((v) => v.signal.machine),
    );
    return this.outcome(signals, statuses, valid, written);
  }

  /**
   * Validates a batch and stores it durably (MQTT: the message may be acknowledged once this
   * returns); the signals are applied to the rows in batches right after.
   */
  async stage(signals: IncomingSignal[], source: string): Promise<IngestOutcome> {
    const now = this.clock.now();
    const { statuses, valid } = await this.validate(signals, now);
    const staged = await this.live.stage(
      valid.map((v) => v.signal),
      { now, source, newMachineIdealCycleTimeSeconds: this.newMachines() },
    );
    if (staged.outcomes.includes('accepted')) this.applySoon();
    return this.outcome(signals, statuses, valid, { ...staged, outsideShifts: [] });
  }

  /**
   * Applies every signal pending when called; resolves when they are applied. Runs take turns: a
   * call made during a run starts another one after it (the run may have missed its signals).
   */
  applyPending(): Promise<void> {
    this.applying = this.applying.then(() => this.applyAll());
    return this.applying;
  }

  private applySoon(): void {
    if (this.applyTimer || this.stopping) return;
    this.applyTimer = setTimeout(() => {
      this.applyTimer = null;
      void this.applyPending();
    }, APPLY_DELAY_MS);
  }

  private async applyAll(): Promise<void> {
    try {
      for (;;) {
        const { applied, machines, outsideShifts } = await this.live.applyPending(
          { calendar: this.calendar, now: this.clock.now() },
          MAX_SIGNALS_PER_BATCH,
        );
        for (const count of outsideShifts) this.logger.warn(outsideShiftWarning(count));
        this.changed(machines);
        if (applied < MAX_SIGNALS_PER_BATCH) return;
      }
    } catch (error) {
      // The signals stay pending and are applied on the next run (a later message, the schedule).
      this.logger.warn(
        `Applying pending signals failed (retried later): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Schedules live updates of the machines' figures: at once, then at most once a second per
   * machine (changes in between are pushed together at the end of that second). Nothing is
   * computed while nobody can be listening.
   */
  private changed(machines: Iterable<string>): void {
    if (!this.events.wanted || this.stopping) return;
    const now = Date.now();
    for (const machine of machines) {
      if (this.pushTimers.has(machine)) continue;
      const wait = Math.max(0, (this.lastPushed.get(machine) ?? 0) + PUSH_INTERVAL_MS - now);
      this.pushTimers.set(
        machine,
        setTimeout(() => {
          this.pushTimers.delete(machine);
          this.pushDue.add(machine);
          void this.push();
        }, wait),
      );
    }
  }

  /** Computes and publishes the figures of the machines due, together. */
  private async push(): Promise<void> {
    const machines = [...this.pushDue];
    this.pushDue.clear();
    if (machines.length === 0) return;
    const pushedAt = Date.now();
    for (const machine of machines) this.lastPushed.set(machine, pushedAt);
    try {
      const shift = await this.currentShift(machines);
      for (const figures of shift.machines) {
        this.events.publishFigures({ date: shift.date, shift: shift.shift, ...figures });
        const state = `${figures.state}|${figures.since}|${figures.reason}`;
        if (figures.state !== null && this.lastStates.get(figures.machine) !== state) {
          this.lastStates.set(figures.machine, state);
          const { machine, since, reason } = figures;
          this.events.publishState({ machine, state: figures.state, since, reason });
        }
      }
    } catch (error) {
      this.logger.warn(
        `Live update of ${machines.length} machines failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private newMachines(): number | null {
    return this.config.ingestAutoCreateMachines
      ? this.config.ingestDefaultIdealCycleTimeSeconds
      : null;
  }

  /** Reads every signal; those that pass are returned with their machine's stored name. */
  private async validate(
    signals: IncomingSignal[],
    now: number,
  ): Promise<{ statuses: SignalStatus[]; valid: { index: number; signal: LiveSignal }[] }> {
    if (signals.length > MAX_SIGNALS_PER_BATCH) {
      throw new BadInputError(
        `${signals.length} signals in one call; send at most ${MAX_SIGNALS_PER_BATCH} per call`,
      );
    }
    const statuses = new Array<SignalStatus>(signals.length);
    const valid: { index: number; signal: LiveSignal }[] = [];
    const parsed = signals.map((incoming) =>
      parseSignal(incoming.kind, incoming.raw, incoming.machine),
    );
    const names = parsed.flatMap((p) => (p.ok ? [p.signal.machine] : []));
    const machines = await this.machineNames(names);
    parsed.forEach((result, index) => {
      const reason = result.ok ? this.timeProblem(result.signal.at, now) : result.reason;
      if (!result.ok || reason !== null) {
        statuses[index] = { status: 'rejected', reason: reason ?? 'invalid' };
        return;
      }
      const stored = machines.get(result.signal.machine.toLowerCase());
      if (!stored && !this.config.ingestAutoCreateMachines) {
        statuses[index] = {
          status: 'rejected',
          reason: unknownMachine(result.signal.machine, machines),
        };
        return;
      }
      valid.push({ index, signal: { ...result.signal, machine: stored ?? result.signal.machine } });
    });
    return { statuses, valid };
  }

  private outcome(
    signals: IncomingSignal[],
    statuses: SignalStatus[],
    valid: { index: number; signal: LiveSignal }[],
    written: LiveWriteResult,
  ): IngestOutcome {
    valid.forEach((v, i) => {
      const outcome = written.outcomes[i];
      statuses[v.index] =
        outcome === 'unknown-machine'
          ? {
              status: 'rejected',
              reason: `Unknown machine '${clip(v.signal.machine)}' (removed meanwhile)`,
            }
          : { status: outcome };
    });
    const warnings = [
      ...written.createdMachines.map(
        (name) =>
          `Machine '${clip(name)}' was created for its first signal, with an ideal cycle time of ${this.config.ingestDefaultIdealCycleTimeSeconds} s (INGEST_DEFAULT_IDEAL_CYCLE_TIME_SECONDS).`,
      ),
      ...written.outsideShifts.map(outsideShiftWarning),
    ];
    if (written.createdMachines.length > 0) this.machines = null;
    for (const warning of warnings) this.logger.warn(warning);
    return summarise(signals, statuses, warnings);
  }

  /** Adds the machines not stored yet (the simulator's plant). */
  async addMachines(machines: MachineSpec[]): Promise<void> {
    await this.live.addMachines(machines);
    this.machines = null;
  }

  /** Messages kept as dead letters, newest first. */
  deadLetters(page: { limit: number; offset: number }): ReturnType<LiveDataService['deadLetters']> {
    if (page.limit < 0 || page.limit > MAX_LIST_LIMIT || page.offset < 0) {
      throw new BadInputError(`limit must be 0-${MAX_LIST_LIMIT} and offset 0 or more`);
    }
    return this.live.deadLetters(page);
  }

  /**
   * The running shift (or, between shifts, the last one), per machine (every one, or the named
   * ones), as of now.
   */
  async currentShift(names?: string[]): Promise<CurrentShiftFigures> {
    const now = this.clock.now();
    const window: ShiftWindow | null =
      this.calendar.windowAt(now) ?? this.calendar.latestStartedAt(now);
    if (!window) throw new Error('The shift calendar has no shift in the last two days');
    const planned = new Set(this.config.plannedDowntimeReasons);
    const machines = await this.live.machineShifts(window, now, names);
    return {
      date: window.date,
      shift: window.shift,
      startsAt: new Date(window.start).toISOString(),
      endsAt: new Date(window.end).toISOString(),
      machines: machines.map((m) => {
        const plannedStops = m.time.stops
          .filter((stop) => planned.has(stop.reason))
          .reduce((sum, stop) => sum + stop.hours, 0);
        const figures = this.metrics.oeeFromSums({
          plannedHours: m.time.plannedHours,
          plannedDowntimeHours: Math.min(plannedStops, m.time.downtimeHours),
          runHours: m.time.runHours,
          downtimeHours: m.time.downtimeHours,
          idealHours: (m.parts * m.idealCycleTimeSeconds) / 3600,
          parts: m.parts,
          good: m.parts - m.scrap,
          scrap: m.scrap,
        });
        return {
          machine: m.machine,
          state: m.state,
          since: m.since === null ? null : new Date(m.since).toISOString(),
          reason: m.reason,
          parts: m.parts,
          scrap: m.scrap,
          oee: figures.oee,
          availability: figures.availability,
          performance: figures.performance,
          quality: figures.quality,
        };
      }),
    };
  }

  /**
   * Stored machine names by lower-case name; read again when a name is missing (a machine added
   * since), at most once per batch.
   */
  private async machineNames(names: string[]): Promise<Map<string, string>> {
    const missing = (map: Map<string, string>) => names.some((n) => !map.has(n.toLowerCase()));
    if (!this.machines || missing(this.machines)) {
      const machines = await this.data.listMachines();
      this.machines = new Map(machines.map((m) => [m.name.toLowerCase(), m.name]));
    }
    return this.machines;
  }

  private timeProblem(at: number, now: number): string | null {
    const lateWindowDays = this.config.ingestLateWindowDays;
    if (at < now - lateWindowDays * MS_PER_DAY) {
      return `at ${new Date(at).toISOString()} is more than ${lateWindowDays} days ago (INGEST_LATE_WINDOW_DAYS): too late to place`;
    }
    if (at > now + MAX_FUTURE_MS) {
      return `at ${new Date(at).toISOString()} is more than 5 minutes in the future (server time ${new Date(now).toISOString()})`;
    }
    return null;
  }
}

function outsideShiftWarning(count: LiveWriteResult['outsideShifts'][number]): string {
  return `Machine '${clip(count.machine)}' produced ${count.parts} parts at ${new Date(count.at).toISOString()} (eventId ${clip(count.eventId)}), outside every shift of SHIFTS: stored, not counted in any shift.`;
}

function unknownMachine(name: string, machines: Map<string, string>): string {
  const known = [...machines.values()];
  const list = known.length > 20 ? `${known.slice(0, 20).join(', ')}, ...` : known.join(', ');
  return `Unknown machine '${clip(name)}'. Known machines: ${list || 'none'} (INGEST_AUTO_CREATE_MACHINES=true creates machines on their first signal)`;
}

function summarise(
  signals: IncomingSignal[],
  statuses: SignalStatus[],
  warnings: string[],
): IngestOutcome {
  const rejected = statuses.flatMap((s, i) => {
    if (s.status !== 'rejected') return [];
    const raw = (signals[i].raw ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    return [
      {
        eventId: text(raw.eventId),
        machine: signals[i].machine ?? text(raw.machine),
        reason: s.reason,
      },
    ];
  });
  return {
    statuses,
    accepted: statuses.filter((s) => s.status === 'accepted').length,
    duplicates: statuses.filter((s) => s.status === 'duplicate').length,
    rejected,
    warnings,
  };
}
