/**
 * The original Python system's `production.json` format. Import reads it (plus the optional `shift`
 * on events and issues and the shifts' optional minutes that our export adds); export writes it.
 */
export interface LegacyMachine {
  id: number;
  name: string;
  type: string;
  ideal_cycle_time: number;
}

export interface LegacyShift {
  id: number;
  name: string;
  start_hour: number;
  end_hour: number;
  /** Ours: minutes past the hours, written only for a shift that starts or ends off the hour. */
  start_minute?: number;
  end_minute?: number;
}

export interface LegacyShiftRecord {
  parts_produced: number;
  good_parts: number;
  scrap_parts: number;
  uptime_hours: number;
  downtime_hours: number;
}

export interface LegacyDowntimeEvent {
  reason: string;
  description: string;
  duration_hours: number;
  shift?: string;
}

export interface LegacyQualityIssue {
  type: string;
  description: string;
  parts_affected: number;
  severity: string;
  date: string;
  machine: string;
  shift?: string;
}

export interface LegacyDayRecord extends LegacyShiftRecord {
  scrap_rate: number;
  downtime_events: LegacyDowntimeEvent[];
  quality_issues: LegacyQualityIssue[];
  shifts?: Record<string, LegacyShiftRecord>;
}

export interface LegacyFile {
  generated_at: string;
  start_date: string;
  end_date: string;
  machines: LegacyMachine[];
  shifts: LegacyShift[];
  production: Record<string, Record<string, LegacyDayRecord>>;
}
