import { SeverityName } from '../../common/severity';

/** Kysely table types. Hours are doubles, counts integers, dates "YYYY-MM-DD" text (portable and sortable). */
export interface MachinesTable {
  id: number;
  name: string;
  type: string;
  ideal_cycle_time_s: number;
}

export interface ShiftsTable {
  id: number;
  name: string;
  start_hour: number;
  end_hour: number;
}

/** One row per machine x date x shift. run_hours + downtime_hours = planned_hours; good + scrap = parts. */
export interface ProductionTable {
  machine_id: number;
  date: string;
  shift_id: number;
  planned_hours: number;
  run_hours: number;
  downtime_hours: number;
  parts_produced: number;
  good_parts: number;
  scrap_parts: number;
}

/** seq numbers the events of one machine-day in recorded order. shift_id is null when unknown or spanning. */
export interface DowntimeEventsTable {
  machine_id: number;
  date: string;
  seq: number;
  shift_id: number | null;
  reason: string;
  description: string;
  duration_hours: number;
}

export interface QualityIssuesTable {
  machine_id: number;
  date: string;
  seq: number;
  shift_id: number | null;
  type: string;
  description: string;
  parts_affected: number;
  severity: SeverityName;
}

/** Facts about the dataset as a whole (when it was generated or imported, from what). */
export interface DatasetMetaTable {
  key: string;
  value: string;
}

export interface Database {
  machines: MachinesTable;
  shifts: ShiftsTable;
  production: ProductionTable;
  downtime_events: DowntimeEventsTable;
  quality_issues: QualityIssuesTable;
  dataset_meta: DatasetMetaTable;
}
