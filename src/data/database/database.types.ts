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
  /** Minutes past start_hour and end_hour (0-59). */
  start_minute: number;
  end_minute: number;
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
  /** When a live stop began (ISO instant); null for imported events. */
  started_at: string | null;
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

/**
 * Month-to-date sums per machine and day (a row for every day of each month in which the machine
 * has data). planned_downtime_hours follows PLANNED_DOWNTIME_REASONS as recorded in dataset_meta.
 */
export interface MachineDayTotalsTable {
  machine_id: number;
  date: string;
  /** Days of the month so far on which the machine has production rows. */
  machine_days: number;
  planned_hours: number;
  planned_downtime_hours: number;
  run_hours: number;
  downtime_hours: number;
  ideal_hours: number;
  parts: number;
  good: number;
  scrap: number;
}

/** The machine-days a data version changed; machine_id and date null: everything. */
export interface DataChangesTable {
  version: number;
  machine_id: number | null;
  date: string | null;
}

/** Every downtime reason recorded (kept on write; a reason may outlive its last event). */
export interface DowntimeReasonsTable {
  reason: string;
}

/** Everything a machine's month adds up to: StoredSums as JSON; month is its first day. */
export interface MachineMonthSumsTable {
  machine_id: number;
  month: string;
  sums: string;
}

/** Everything the whole plant's machine-days of a date add up to: StoredSums as JSON. */
export interface PlantDaySumsTable {
  date: string;
  sums: string;
}

/** A live signal as received; payload is the kind's own fields as JSON (see data/live). */
export interface SignalsTable {
  machine_id: number;
  event_id: string;
  kind: 'count' | 'state' | 'quality';
  /** When it happened and when it was received: UTC ISO 8601, fixed width. */
  at: string;
  received_at: string;
  source: string;
  payload: string;
}

/** A signal stored and acknowledged but not yet applied to the rows (see LiveDataService). */
export interface PendingSignalsTable {
  machine_id: number;
  event_id: string;
}

/** A machine that reports its state: its machine-shifts are derived up to derived_until. */
export interface LiveMachinesTable {
  machine_id: number;
  derived_until: string;
}

/** A machine's own targets (null: the plant's): ratios 0-1, scrap rate in percent. */
export interface MachineTargetsTable {
  machine: string;
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  scrap_rate: number | null;
}

/** Parts counted live at moments no shift covers, per machine and local date. */
export interface OffShiftProductionTable {
  machine_id: number;
  date: string;
  parts: number;
  scrap: number;
}

/** The plant's targets from an instant on (null: the TARGET_* setting); see migration 0010. */
export interface PlantTargetsTable {
  effective_at: string;
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  scrap_rate: number | null;
}

/** One occurrence of an alert rule (see migration 0008). */
export interface AlertsTable {
  id: string;
  key: string;
  rule: string;
  machine: string;
  date: string;
  shift: string | null;
  value: number;
  threshold: number;
  message: string;
  raised_at: string;
}

/** An alert's delivery to one webhook URL: pending (with its next attempt), delivered or failed. */
export interface AlertDeliveriesTable {
  id: string;
  alert_id: string;
  url: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  updated_at: string;
}

/** An i3X subscription (see migration 0009); instants are ISO 8601 UTC. */
export interface I3xSubscriptionsTable {
  id: string;
  client_id: string;
  display_name: string | null;
  next_sequence: number;
  /** 1 when batches were dropped since the last sync. */
  dropped: number;
  touched_at: string;
  /** The instance that streams the subscription, and until when (renewed by its keep-alive). */
  streamed_by: string | null;
  streamed_until: string | null;
}

/** An object a subscription monitors, with the depth of components it brings. */
export interface I3xMonitoredTable {
  subscription_id: string;
  element_id: string;
  max_depth: number;
}

/** The last value and quality (JSON) a subscription delivered of an object, and when it was read. */
export interface I3xDeliveredTable {
  subscription_id: string;
  element_id: string;
  value: string;
  read_at: string;
}

/** Updates queued for sync (JSON array), until acknowledged. */
export interface I3xBatchesTable {
  subscription_id: string;
  sequence_number: number;
  updates: string;
}

/** A message that could not be read, kept for inspection. */
export interface DeadLettersTable {
  id: string;
  received_at: string;
  source: string;
  topic: string;
  payload: string;
  reason: string;
}

export interface Database {
  machines: MachinesTable;
  shifts: ShiftsTable;
  off_shift_production: OffShiftProductionTable;
  machine_targets: MachineTargetsTable;
  plant_targets: PlantTargetsTable;
  production: ProductionTable;
  downtime_events: DowntimeEventsTable;
  quality_issues: QualityIssuesTable;
  dataset_meta: DatasetMetaTable;
  machine_day_totals: MachineDayTotalsTable;
  data_changes: DataChangesTable;
  downtime_reasons: DowntimeReasonsTable;
  machine_month_sums: MachineMonthSumsTable;
  plant_day_sums: PlantDaySumsTable;
  signals: SignalsTable;
  pending_signals: PendingSignalsTable;
  live_machines: LiveMachinesTable;
  dead_letters: DeadLettersTable;
  alerts: AlertsTable;
  alert_deliveries: AlertDeliveriesTable;
  i3x_subscriptions: I3xSubscriptionsTable;
  i3x_monitored: I3xMonitoredTable;
  i3x_delivered: I3xDeliveredTable;
  i3x_batches: I3xBatchesTable;
}
