import { roundHours } from '../common/numbers';
import { scrapRateOf } from '../metrics/metrics.service';
import { Dataset, DatasetOrigin, ProductionRecord } from '../data/dataset';
import { LegacyDayRecord, LegacyFile, LegacyShiftRecord } from './legacy-format';

/**
 * Writes a dataset in the original format. Day totals are the sums of the shift rows, and every
 * record carries its `shifts` breakdown, so import -> export -> import -> export is stable.
 */
export function toLegacyFile(
  dataset: Dataset,
  origin: Partial<DatasetOrigin>,
  now: Date,
): LegacyFile {
  const days = new Map<string, Map<string, LegacyDayRecord>>();
  const record = (date: string, machine: string): LegacyDayRecord => {
    const machines = days.get(date) ?? new Map<string, LegacyDayRecord>();
    days.set(date, machines);
    const existing = machines.get(machine);
    if (existing) return existing;
    const created: LegacyDayRecord = {
      ...emptyTotals(),
      scrap_rate: 0,
      downtime_events: [],
      quality_issues: [],
      // Keys are names from the data: a shift called "__proto__" must stay a key.
      shifts: Object.create(null) as Record<string, LegacyShiftRecord>,
    };
    machines.set(machine, created);
    return created;
  };

  for (const row of dataset.production) {
    const target = record(row.date, row.machine);
    const shiftTotals = shiftRecord(row);
    (target.shifts as Record<string, LegacyShiftRecord>)[row.shift] = shiftTotals;
    addTotals(target, shiftTotals);
  }
  for (const event of dataset.downtimeEvents) {
    record(event.date, event.machine).downtime_events.push({
      reason: event.reason,
      description: event.description,
      duration_hours: event.durationHours,
      ...(event.shift === null ? {} : { shift: event.shift }),
    });
  }
  for (const issue of dataset.qualityIssues) {
    record(issue.date, issue.machine).quality_issues.push({
      type: issue.type,
      description: issue.description,
      parts_affected: issue.partsAffected,
      severity: issue.severity,
      date: issue.date,
      machine: issue.machine,
      ...(issue.shift === null ? {} : { shift: issue.shift }),
    });
  }

  const machineOrder = new Map(dataset.machines.map((m, index) => [m.name, index]));
  const dates = [...days.keys()].sort();
  const production: LegacyFile['production'] = Object.create(null) as LegacyFile['production'];
  for (const date of dates) {
    const machines = [...(days.get(date) as Map<string, LegacyDayRecord>).entries()].sort(
      ([a], [b]) => (machineOrder.get(a) ?? 0) - (machineOrder.get(b) ?? 0),
    );
    production[date] = Object.fromEntries(machines.map(([name, day]) => [name, finishDay(day)]));
  }
  return {
    generated_at: origin.generatedAt ?? now.toISOString(),
    start_date: dates[0] ?? '',
    end_date: dates[dates.length - 1] ?? '',
    ...legacyPlant(dataset),
    production,
  };
}

/** The plant's machines and shifts as the original format lists them. */
export function legacyPlant(
  plant: Pick<Dataset, 'machines' | 'shifts'>,
): Pick<LegacyFile, 'machines' | 'shifts'> {
  return {
    machines: plant.machines.map((m, index) => ({
      id: index + 1,
      name: m.name,
      type: m.type,
      ideal_cycle_time: m.idealCycleTimeSeconds,
    })),
    shifts: plant.shifts.map((s, index) => ({
      id: index + 1,
      name: s.name,
      start_hour: s.startHour,
      end_hour: s.endHour,
      ...(s.startMinute || s.endMinute
        ? { start_minute: s.startMinute ?? 0, end_minute: s.endMinute ?? 0 }
        : {}),
    })),
  };
}

function emptyTotals(): LegacyShiftRecord {
  return { parts_produced: 0, good_parts: 0, scrap_parts: 0, uptime_hours: 0, downtime_hours: 0 };
}

function shiftRecord(row: ProductionRecord): LegacyShiftRecord {
  return {
    parts_produced: row.partsProduced,
    good_parts: row.goodParts,
    scrap_parts: row.scrapParts,
    uptime_hours: row.runHours,
    downtime_hours: row.downtimeHours,
  };
}

function addTotals(target: LegacyShiftRecord, add: LegacyShiftRecord): void {
  target.parts_produced += add.parts_produced;
  target.good_parts += add.good_parts;
  target.scrap_parts += add.scrap_parts;
  target.uptime_hours = roundHours(target.uptime_hours + add.uptime_hours);
  target.downtime_hours = roundHours(target.downtime_hours + add.downtime_hours);
}

/** Field order as in the original files, with scrap_rate (percent, 2 decimals) derived. */
function finishDay(day: LegacyDayRecord): LegacyDayRecord {
  return {
    parts_produced: day.parts_produced,
    good_parts: day.good_parts,
    scrap_parts: day.scrap_parts,
    // The original writes 0 for a day without parts, where the API answers null.
    scrap_rate: scrapRateOf({ scrap: day.scrap_parts, parts: day.parts_produced }) ?? 0,
    uptime_hours: day.uptime_hours,
    downtime_hours: day.downtime_hours,
    downtime_events: day.downtime_events,
    quality_issues: day.quality_issues,
    shifts: day.shifts,
  };
}
