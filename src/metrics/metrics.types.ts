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

export interface ReasonDowntimeRow {
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
