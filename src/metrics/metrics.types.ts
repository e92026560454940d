import { DowntimeEventRow } from '../data/metrics-sums.types';

export interface OeeResult {
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  totalParts: number;
  goodParts: number;
  scrapParts: number;
  plannedHours: number;
  plannedBusyHours: number;
  runHours: number;
}

export interface ScrapResult {
  scrapParts: number;
  totalParts: number;
  scrapRate: number | null;
}

export interface ReasonDowntimeRow extends Cumulative {
  reason: string;
  hours: number;
  events: number;
  planned: boolean;
}

export interface DowntimeResult {
  totalDowntimeHours: number;
  plannedDowntimeHours: number;
  unplannedDowntimeHours: number;
  failures: number;
  failureHours: number;
  mtbfHours: number | null;
  mttrHours: number | null;
}

/** A share of a Pareto: the rows so far (this one included) over all of them, 0-1. */
export interface Cumulative {
  cumulativeShare: number;
}

export interface LossReasonRow extends Cumulative {
  reason: string;
  hours: number;
  events: number;
}

export type LossCategory = 'availability' | 'performance' | 'quality';

export interface BigLossRow {
  loss: string;
  category: LossCategory;
  /** Null when the data cannot tell this loss apart (see note). */
  hours: number | null;
  note: string | null;
}

export interface LossesResult {
  plannedHours: number;
  plannedDowntimeHours: number;
  plannedBusyHours: number;
  valuableOperatingHours: number;
  availabilityLossHours: number;
  performanceLossHours: number;
  qualityLossHours: number;
  availabilityLossByReason: LossReasonRow[];
  plannedDowntimeByReason: LossReasonRow[];
  sixBigLosses: BigLossRow[];
  warnings: string[];
}

export interface DowntimeShareRow extends Cumulative {
  key: string;
  downtimeHours: number;
  plannedDowntimeHours: number;
  unplannedDowntimeHours: number;
}

export interface DefectRow extends Cumulative {
  key: string;
  count: number;
  partsAffected: number;
}

export interface PeriodFigures {
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  scrapRate: number | null;
  downtimeHours: number;
  unplannedDowntimeHours: number;
}

export interface PeriodComparison {
  startDate: string;
  endDate: string;
  previousStartDate: string;
  previousEndDate: string;
  current: PeriodFigures;
  previous: PeriodFigures;
  /** current - previous, per figure; null when either is null. */
  change: { [K in keyof PeriodFigures]: number | null };
}

/** One shift of a shift report. */
export interface ShiftReportShift extends OeeResult {
  shift: string;
  machines: (OeeResult & { machine: string })[];
  /** The largest of the six big losses with hours, most first (at most 3). */
  topLosses: BigLossRow[];
  /** The unplanned downtime reasons with most hours (at most 3). */
  topReasons: LossReasonRow[];
  majorEvents: DowntimeEventRow[];
}

export interface ShiftReport {
  date: string;
  shifts: ShiftReportShift[];
  /** Major events recorded without a shift (imported data may have them). */
  majorEventsWithoutShift: DowntimeEventRow[];
}

/** Targets that apply to an answer, and whether each figure meets its own. */
export interface TargetCheck {
  /** OEE, A, P, Q as ratios (at least), the scrap rate in percent (at most). */
  oee: number;
  availability: number;
  performance: number;
  quality: number;
  scrapRate: number;
  /** Whether the machine has targets of its own (else the plant's, TARGET_*). */
  own: boolean;
  /** Null when the figure itself is null (nothing to compare). */
  oeeMet: boolean | null;
  availabilityMet: boolean | null;
  performanceMet: boolean | null;
  qualityMet: boolean | null;
  scrapRateMet: boolean | null;
}

/** The figures targets are checked against: OEE's, or a scrap answer's (its ratios null). */
export type TargetedFigures = Pick<
  OeeResult,
  'oee' | 'availability' | 'performance' | 'quality' | 'scrapParts' | 'totalParts'
>;

/** A scrap answer's target: the scrap rate in percent (at most), and whether it is kept. */
export interface ScrapTargetCheck {
  scrapRate: number;
  own: boolean;
  /** Null without parts. */
  met: boolean | null;
}
