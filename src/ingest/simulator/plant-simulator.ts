import { MachineSpec } from '../../data/dataset';
import {
  DEFECT_TYPES,
  DEFECTS_BY_TEMPLATE,
  demoMachine,
  DOWNTIME_DESCRIPTIONS,
  MACHINE_TEMPLATES,
  UNPLANNED_REASONS,
} from '../../data/generator/demo-factory';
import { Random } from '../../data/generator/random';
import { IncomingSignal } from '../ingest.service';

/** A signal as a machine sends it: its kind and its payload (machine included). */
export type SimulatedSignal = IncomingSignal & { machine: string; raw: Record<string, unknown> };

interface MachineState {
  spec: MachineSpec;
  template: number;
  started: boolean;
  stoppedUntil: number | null;
  lastStep: number | null;
  /** Parts made but not yet reported (fractions carry over). */
  parts: number;
}

// Tuned so that a live plant looks like the demo's: OEE around 70-80%.
const MEAN_MS_BETWEEN_STOPS = 20 * 60_000;
const STOP_MS = [60_000, 8 * 60_000] as const;
const SPEED = 0.9;
const NIGHT_SPEED = 0.84;
const SCRAP_RATE = 0.02;
/** Planted: Assembly-001 makes scrap with High-severity assembly issues. */
const SCRAPPY_MACHINE = 'Assembly-001';
const SCRAPPY_RATE = 0.12;
/** Planted: Packaging-001 now and then has a long bearing failure. */
const BREAKDOWN_MACHINE = 'Packaging-001';
const BREAKDOWN_CHANCE_PER_STOP = 0.15;
const BREAKDOWN_MS = 30 * 60_000;
const QUALITY_ISSUE_CHANCE = 0.05;

/**
 * A live plant for `factory-agent simulate`: the demo's machines run, make parts at a little below
 * their ideal cycle time (slower at night), stop now and then for the demo's downtime reasons,
 * make scrap and report quality issues, with the demo's planted behaviours (Assembly-001's scrap,
 * Packaging-001's long breakdown). Each step of a machine yields the signals it sends at `now`.
 */
export class PlantSimulator {
  private readonly machines: MachineState[];
  private readonly random: Random;
  private sequence = 0;

  constructor(
    machines: number,
    seed: number,
    /** Distinguishes this run's event ids from those of earlier runs. */
    private readonly run: string,
  ) {
    this.random = new Random(seed);
    this.machines = Array.from({ length: machines }, (_, i) => ({
      spec: demoMachine(i),
      template: i % MACHINE_TEMPLATES.length,
      started: false,
      stoppedUntil: null,
      lastStep: null,
      parts: 0,
    }));
  }

  get specs(): MachineSpec[] {
    return this.machines.map((m) => m.spec);
  }

  /** The signals of machine `index` at `now` (its count since its last step, state changes, issues). */
  step(index: number, now: number): SimulatedSignal[] {
    const machine = this.machines[index];
    const signals: SimulatedSignal[] = [];
    if (!machine.started) {
      machine.started = true;
      machine.lastStep = now;
      signals.push(this.signal(machine, 'state', now, { state: 'RUNNING' }));
      return signals;
    }
    const elapsed = now - (machine.lastStep ?? now);
    machine.lastStep = now;
    if (machine.stoppedUntil !== null) {
      if (now < machine.stoppedUntil) return signals;
      machine.stoppedUntil = null;
      signals.push(this.signal(machine, 'state', now, { state: 'RUNNING' }));
      return signals;
    }
    const speed = isNight(now) ? NIGHT_SPEED : SPEED;
    machine.parts += ((elapsed / 1000) * speed) / machine.spec.idealCycleTimeSeconds;
    const parts = Math.floor(machine.parts);
    machine.parts -= parts;
    // A running machine reports its count at every step, like a gateway polling it (often 0 parts).
    const rate = machine.spec.name === SCRAPPY_MACHINE ? SCRAPPY_RATE : SCRAP_RATE;
    const scrap = Math.min(parts, this.binomial(parts, rate));
    signals.push(this.signal(machine, 'count', now, { parts, scrap }));
    if (scrap > 0 && this.random.next() < QUALITY_ISSUE_CHANCE * scrap) {
      signals.push(this.qualityIssue(machine, now, scrap));
    }
    if (this.random.next() < elapsed / MEAN_MS_BETWEEN_STOPS) {
      signals.push(this.stop(machine, now));
    }
    return signals;
  }

  private stop(machine: MachineState, now: number): SimulatedSignal {
    if (machine.spec.name === BREAKDOWN_MACHINE && this.random.next() < BREAKDOWN_CHANCE_PER_STOP) {
      machine.stoppedUntil = now + BREAKDOWN_MS;
      return this.signal(machine, 'state', now, {
        state: 'STOPPED',
        reason: 'mechanical',
        description: 'Critical bearing failure requiring emergency replacement',
      });
    }
    const reason = this.random.weighted(UNPLANNED_REASONS);
    machine.stoppedUntil = now + this.random.uniform(...STOP_MS);
    return this.signal(machine, 'state', now, {
      state: 'STOPPED',
      reason,
      description: this.random.pick(DOWNTIME_DESCRIPTIONS[reason]),
    });
  }

  private qualityIssue(machine: MachineState, now: number, scrap: number): SimulatedSignal {
    const type =
      machine.spec.name === SCRAPPY_MACHINE
        ? 'assembly'
        : this.random.pick(DEFECTS_BY_TEMPLATE[machine.template]);
    const defect = DEFECT_TYPES[type];
    return this.signal(machine, 'quality', now, {
      type,
      severity: defect.severity,
      partsAffected: scrap,
      description: this.random.pick(defect.descriptions),
    });
  }

  private signal(
    machine: MachineState,
    kind: SimulatedSignal['kind'],
    now: number,
    fields: Record<string, unknown>,
  ): SimulatedSignal {
    const eventId = `${this.run}-${++this.sequence}`;
    return {
      kind,
      machine: machine.spec.name,
      raw: { machine: machine.spec.name, eventId, at: new Date(now).toISOString(), ...fields },
    };
  }

  private binomial(n: number, p: number): number {
    let count = 0;
    for (let i = 0; i < n; i++) if (this.random.next() < p) count++;
    return count;
  }
}

/** 22:00-06:00 UTC: the simulated night, when machines run a little slower. */
function isNight(now: number): boolean {
  const hour = new Date(now).getUTCHours();
  return hour >= 22 || hour < 6;
}
