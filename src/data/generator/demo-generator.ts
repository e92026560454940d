import { addDays } from '../../common/dates';
import { splitProportionally, sum } from '../../common/numbers';
import {
  Dataset,
  DowntimeEventRecord,
  ProductionRecord,
  QualityIssueRecord,
  ShiftSpec,
} from '../dataset';
import {
  DEFECT_TYPES,
  DEFECTS_BY_TEMPLATE,
  DEMO_SHIFTS,
  demoMachine,
  DOWNTIME_DESCRIPTIONS,
  MACHINE_TEMPLATES,
  UNPLANNED_REASONS,
} from './demo-factory';
import { lengthInHours } from '../../common/shift-calendar';
import { Random } from './random';

export interface DemoOptions {
  days: number;
  machines: number;
  seed: number;
  /** Last day of the dataset, YYYY-MM-DD. */
  endDate: string;
  /** The plant's shifts, the first being the day shift (default: DEMO_SHIFTS). */
  shifts?: readonly ShiftSpec[];
  /** A shift's real length on a date, in hours (the shift calendar; default: its nominal length). */
  shiftHours?: (date: string, shift: ShiftSpec) => number;
}

export const DEMO_LIMITS = {
  days: { min: 1, max: 3650 },
  machines: { min: 1, max: 1000 },
} as const;

/** What `setup` and the first start generate unless told otherwise. */
export const DEMO_DEFAULTS = { days: 30, machines: 4 } as const;

/**
 * The planted scenarios (day numbers count from 1 = the first day of the dataset). The generator
 * works backwards from target OEE components, so each scenario shows in the metrics computed from
 * the stored rows, not only in the generator's intentions.
 */
export const SCENARIOS = {
  /** Factory OEE per day rises linearly from the first to the last day. */
  oeeStart: 0.65,
  oeeEnd: 0.8,
  /** Night shift performance relative to Day; Night OEE ends up 5-8 % lower. */
  nightPerformanceFactor: 0.935,
  qualitySpike: { day: 15, machineIndex: 1, scrapRate: 0.12 },
  breakdown: {
    day: 22,
    machineIndex: 2,
    hours: 4,
    description: 'Critical bearing failure requiring emergency replacement',
  },
} as const;

// Everything below works in centi-hours (1/100 h) so that sums of hours are exact.
const CENTI_PER_HOUR = 100;
const SECONDS_PER_CENTI_HOUR = 36;
const MAX_UNPLANNED_EVENT = 150;
const MAINTENANCE_PROBABILITY = 0.12;

interface ShiftPlan {
  shift: ShiftSpec;
  /** The shift's length on this date, in centi-hours. */
  planned: number;
  maintenance: number;
  unplanned: number[];
  /** Part of a downtime event that spans shifts and is recorded once for the day. */
  spanning: number;
}

/**
 * Generates a physically consistent demo dataset: no row makes more parts than its run time allows
 * at the ideal cycle time, run + downtime = planned, good + scrap = parts, and a machine-day's
 * downtime events sum to its downtime hours. Same options, same data.
 */
export function generateDemoDataset(
  options: DemoOptions,
  onProgress?: (machinesDone: number, machinesTotal: number) => void,
): Dataset {
  const dataset = emptyDemoDataset(options);
  for (let m = 0; m < dataset.machines.length; m++) {
    generateDemoMachine(dataset, options, m);
    onProgress?.(m + 1, dataset.machines.length);
  }
  return dataset;
}

/** The demo plant's machines and shifts, without records yet. */
export function emptyDemoDataset(options: DemoOptions): Dataset {
  return {
    machines: Array.from({ length: options.machines }, (_, i) => demoMachine(i)),
    shifts: [...(options.shifts ?? DEMO_SHIFTS)],
    production: [],
    downtimeEvents: [],
    qualityIssues: [],
  };
}

/** Adds every day of machine `m` (0-based) to the dataset; machines can be generated one at a time. */
export function generateDemoMachine(dataset: Dataset, options: DemoOptions, m: number): void {
  const startDate = addDays(options.endDate, -(options.days - 1));
  // One stream per machine: machine n's data does not depend on how many machines there are.
  const random = Random.stream(options.seed, m);
  const bias = random.uniform(0.97, 1.03);
  const availabilityShare = random.uniform(1.0, 1.03);
  for (let d = 0; d < options.days; d++) {
    const progress = options.days > 1 ? d / (options.days - 1) : 1;
    generateMachineDay(dataset, random, options.shiftHours ?? nominalHours, {
      machineIndex: m,
      dayNumber: d + 1,
      date: addDays(startDate, d),
      targetOee: SCENARIOS.oeeStart + (SCENARIOS.oeeEnd - SCENARIOS.oeeStart) * progress,
      bias,
      availabilityShare,
    });
  }
}

const nominalHours = (_date: string, shift: ShiftSpec) => lengthInHours(shift);

interface MachineDay {
  machineIndex: number;
  dayNumber: number;
  date: string;
  targetOee: number;
  bias: number;
  availabilityShare: number;
}

function generateMachineDay(
  dataset: Dataset,
  random: Random,
  shiftHours: NonNullable<DemoOptions['shiftHours']>,
  day: MachineDay,
): void {
  const machine = dataset.machines[day.machineIndex];
  const { qualitySpike, breakdown } = SCENARIOS;
  const isSpike =
    day.dayNumber === qualitySpike.day && day.machineIndex === qualitySpike.machineIndex;
  const isBreakdown =
    day.dayNumber === breakdown.day && day.machineIndex === breakdown.machineIndex;

  // Day shift OEE is set so that the Day/Night mean follows the factory trend.
  const dayOee =
    ((day.targetOee * 2) / (1 + SCENARIOS.nightPerformanceFactor)) *
    day.bias *
    random.uniform(0.985, 1.015);
  const quality = isSpike ? 1 - qualitySpike.scrapRate : random.uniform(0.972, 0.99);
  const availability = Math.min(0.97, Math.sqrt(dayOee / quality) * day.availabilityShare);
  const performance = Math.min(0.98, dayOee / (quality * availability));

  const plans = dataset.shifts.map((shift) => {
    const planned = Math.round(shiftHours(day.date, shift) * CENTI_PER_HOUR);
    return isBreakdown
      ? planBreakdownShift(shift, planned, dataset.shifts.length)
      : planShift(random, shift, planned, availability);
  });
  if (isBreakdown) {
    dataset.downtimeEvents.push({
      machine: machine.name,
      date: day.date,
      shift: null,
      reason: 'mechanical',
      description: breakdown.description,
      durationHours: breakdown.hours,
    });
  }

  const parts = plans.map((plan, index) => {
    const run = runCenti(plan);
    const maxParts = Math.floor((run * SECONDS_PER_CENTI_HOUR) / machine.idealCycleTimeSeconds);
    const shiftFactor = index === 0 ? 1 : SCENARIOS.nightPerformanceFactor;
    const shiftPerformance = Math.min(1, performance * shiftFactor * random.uniform(0.99, 1.01));
    return Math.floor(maxParts * shiftPerformance);
  });
  const scrap = splitProportionally(Math.round(sum(parts) * (1 - quality)), parts);

  plans.forEach((plan, index) => {
    const downtime = plan.maintenance + sum(plan.unplanned) + plan.spanning;
    const planned = plan.planned;
    dataset.production.push({
      machine: machine.name,
      date: day.date,
      shift: plan.shift.name,
      plannedHours: planned / CENTI_PER_HOUR,
      runHours: (planned - downtime) / CENTI_PER_HOUR,
      downtimeHours: downtime / CENTI_PER_HOUR,
      partsProduced: parts[index],
      goodParts: parts[index] - scrap[index],
      scrapParts: scrap[index],
    } satisfies ProductionRecord);
    dataset.downtimeEvents.push(...shiftEvents(random, machine.name, day.date, plan));
  });

  const defects = isSpike
    ? ['assembly', 'assembly']
    : scrapIssueTypes(random, day.machineIndex, sum(scrap));
  dataset.qualityIssues.push(
    ...qualityIssues(random, machine.name, day.date, dataset.shifts, defects, sum(scrap), isSpike),
  );
}

function planShift(
  random: Random,
  shift: ShiftSpec,
  planned: number,
  availability: number,
): ShiftPlan {
  const maintenance = random.next() < MAINTENANCE_PROBABILITY ? random.int(25, 100) : 0;
  const unplanned = Math.round((planned - maintenance) * (1 - availability));
  return { shift, planned, maintenance, unplanned: splitDowntime(random, unplanned), spanning: 0 };
}

/** The breakdown starts at 12:00 and is repaired at 16:00: it takes the same hours from each shift. */
function planBreakdownShift(shift: ShiftSpec, planned: number, shiftCount: number): ShiftPlan {
  const spanning = (SCENARIOS.breakdown.hours * CENTI_PER_HOUR) / shiftCount;
  return { shift, planned, maintenance: 0, unplanned: [], spanning };
}

/** Splits unplanned downtime into events of at most 1.5 h, so only the planted breakdown is major. */
function splitDowntime(random: Random, total: number): number[] {
  const events: number[] = [];
  let remaining = total;
  while (remaining > 0) {
    const takeAll = remaining < 20 || (remaining <= MAX_UNPLANNED_EVENT && random.next() < 0.6);
    const duration = takeAll ? remaining : random.int(10, Math.min(120, remaining - 5));
    events.push(duration);
    remaining -= duration;
  }
  return events;
}

function runCenti(plan: ShiftPlan): number {
  return plan.planned - plan.maintenance - sum(plan.unplanned) - plan.spanning;
}

function shiftEvents(
  random: Random,
  machine: string,
  date: string,
  plan: ShiftPlan,
): DowntimeEventRecord[] {
  const event = (reason: string, centi: number): DowntimeEventRecord => ({
    machine,
    date,
    shift: plan.shift.name,
    reason,
    description: random.pick(DOWNTIME_DESCRIPTIONS[reason]),
    durationHours: centi / CENTI_PER_HOUR,
  });
  const events = plan.unplanned.map((centi) => event(random.weighted(UNPLANNED_REASONS), centi));
  if (plan.maintenance > 0) events.unshift(event('maintenance', plan.maintenance));
  return events;
}

function scrapIssueTypes(random: Random, machineIndex: number, scrap: number): string[] {
  if (scrap === 0) return [];
  const count = random.pick([0, 1, 1, 2]);
  const types = DEFECTS_BY_TEMPLATE[machineIndex % MACHINE_TEMPLATES.length];
  return Array.from({ length: count }, () => random.pick(types));
}

/** Issues whose affected parts together never exceed the day's scrap (the spike's cover all of it). */
function qualityIssues(
  random: Random,
  machine: string,
  date: string,
  shifts: ShiftSpec[],
  types: string[],
  scrap: number,
  coverAll: boolean,
): QualityIssueRecord[] {
  const weights = types.map(() => random.uniform(0.3, 1));
  const scale = coverAll ? 1 : random.uniform(0.4, 0.9);
  const affected = splitProportionally(Math.floor(scrap * scale), weights);
  return types
    .map((type, index) => ({
      machine,
      date,
      shift: random.pick(shifts).name,
      type,
      description: random.pick(DEFECT_TYPES[type].descriptions),
      partsAffected: affected[index],
      severity: DEFECT_TYPES[type].severity,
    }))
    .filter((issue) => issue.partsAffected > 0);
}
