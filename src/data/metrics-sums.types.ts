import { SeverityName } from '../common/severity';

/*
 * What the metric sums are asked for and what they return: the shapes shared by the storage that
 * adds them up (MetricsSumsRepository, and the rollup built from it) and MetricsService.
 */

/** A validated metrics request: an inclusive date range and an optional machine (resolved to its id). */
export interface MetricsFilter {
  startDate: string;
  endDate: string;
  machine: { id: number; name: string } | null;
  /** Ids from..to, both included: the rollup is built a slice of machines at a time. */
  machineIds?: { from: number; to: number };
}

/** Additive totals of production rows, the only inputs of the OEE formulas. */
export interface OeeSums {
  plannedHours: number;
  plannedDowntimeHours: number;
  runHours: number;
  downtimeHours: number;
  /** Sum of ideal cycle time x parts produced, in hours. */
  idealHours: number;
  parts: number;
  good: number;
  scrap: number;
}

/** The OeeSums in the order stored sums list them. */
export const SUM_KEYS: (keyof OeeSums)[] = [
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
 * Everything the metrics add up over some machine-days (one machine-day, a machine's month, a day of
 * the whole plant), keyed by name: what the summaries keep as JSON and the rollup is built from.
 */
export interface StoredSums {
  /** Machine-days with production, then the OeeSums in SUM_KEYS order. */
  days: number[];
  /** Per shift: its OeeSums in SUM_KEYS order, then its machine-day-shift rows. */
  shifts: Record<string, number[]>;
  /** Per downtime reason: hours, events. */
  reasons: Record<string, number[]>;
  /** Per severity: issues, parts affected. */
  severities: Record<string, number[]>;
}

/** A machine's sums from the first of a month to a day (machine_day_totals). */
export interface MonthToDate extends OeeSums {
  /** Days with production rows among them. */
  machineDays: number;
}

export interface QualityIssueRow {
  type: string;
  description: string;
  partsAffected: number;
  severity: SeverityName;
  date: string;
  machine: string;
  shift: string | null;
}

/** Downtime events of one reason, and of them those shorter than the small-stop threshold. */
export interface LossEventRow {
  reason: string;
  hours: number;
  events: number;
  shortHours: number;
  shortEvents: number;
}

/** Parts a machine reported outside every shift in a range (live counts; in no shift's figures). */
export interface OffShiftProductionRow {
  machine: string;
  firstDate: string;
  lastDate: string;
  parts: number;
  scrap: number;
}

export interface DowntimeEventRow {
  date: string;
  machine: string;
  shift: string | null;
  reason: string;
  description: string;
  durationHours: number;
}

/** Where a page of long events ends: the storage order's key of its last row. */
export interface LongEventCursor {
  date: string;
  machineId: number;
  seq: number;
}

/** A long event for the alert rules: with when it began if it is a live stop (ISO), else null. */
export interface LongEventRow extends DowntimeEventRow, LongEventCursor {
  startedAt: string | null;
}

/**
 * Where the metric sums come from: the database (MetricsSumsRepository) or the in-memory rollup built
 * from it (MetricsRollup). Both return the same sums; MetricsService turns them into metrics.
 */
export interface MetricSums {
  machineDaySums(
    f: MetricsFilter,
    groupBy: 'none' | 'machine' | 'date',
  ): Promise<(OeeSums & { key: string })[]>;
  shiftSums(f: MetricsFilter): Promise<(OeeSums & { key: string })[]>;
  qualityTotals(
    f: MetricsFilter,
    severity: SeverityName | null,
  ): Promise<{ severity: SeverityName; count: number; partsAffected: number }[]>;
  downtimeByReason(f: MetricsFilter): Promise<{ reason: string; hours: number; events: number }[]>;
  eventTotals(f: MetricsFilter, reasons: string[]): Promise<{ events: number; hours: number }>;
}
