import { SeverityName } from '../common/severity';

/**
 * A whole dataset in memory, keyed by names rather than database ids. The demo generator and the
 * legacy importer produce one; DataService writes it in a single transaction.
 */
export interface MachineSpec {
  name: string;
  type: string;
  idealCycleTimeSeconds: number;
}

export interface ShiftSpec {
  name: string;
  /** Local start and end hours (0-24); an end at or before the start is on the next day. */
  startHour: number;
  endHour: number;
  /** Minutes past the start and end hours (0-59); 0 when absent. */
  startMinute?: number;
  endMinute?: number;
}

export interface ProductionRecord {
  machine: string;
  date: string;
  shift: string;
  plannedHours: number;
  runHours: number;
  downtimeHours: number;
  partsProduced: number;
  goodParts: number;
  scrapParts: number;
}

export interface DowntimeEventRecord {
  machine: string;
  date: string;
  shift: string | null;
  reason: string;
  description: string;
  durationHours: number;
}

export interface QualityIssueRecord {
  machine: string;
  date: string;
  shift: string | null;
  type: string;
  description: string;
  partsAffected: number;
  severity: SeverityName;
}

export interface Dataset {
  machines: MachineSpec[];
  shifts: ShiftSpec[];
  production: ProductionRecord[];
  downtimeEvents: DowntimeEventRecord[];
  qualityIssues: QualityIssueRecord[];
}

/** The records of a dataset (or of a part of one), without its machines and shifts. */
export type DatasetRecords = Pick<Dataset, 'production' | 'downtimeEvents' | 'qualityIssues'>;

/** A whole dataset from its plant and its records read part by part. */
export async function collectDataset(
  plant: Pick<Dataset, 'machines' | 'shifts'>,
  parts: AsyncIterable<DatasetRecords>,
): Promise<Dataset> {
  const dataset: Dataset = { ...plant, production: [], downtimeEvents: [], qualityIssues: [] };
  for await (const part of parts) {
    dataset.production.push(...part.production);
    dataset.downtimeEvents.push(...part.downtimeEvents);
    dataset.qualityIssues.push(...part.qualityIssues);
  }
  return dataset;
}

/** Where a dataset came from, kept in dataset_meta and written back on export. */
export interface DatasetOrigin {
  source: 'demo' | 'import';
  generatedAt: string;
}
