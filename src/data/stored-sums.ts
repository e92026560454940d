import { setImmediate as nextTurn } from 'node:timers/promises';
import { Kysely } from 'kysely';
import { Database } from './database/database.types';
import { MetricsSumsRepository } from './metrics-sums.repository';
import { MetricsFilter, StoredSums, SUM_KEYS } from './metrics-sums.types';

/** No sums yet. Names are keys of objects without a prototype: a shift may be called "__proto__". */
export function emptySums(): StoredSums {
  const byName = () => Object.create(null) as Record<string, number[]>;
  return {
    days: new Array<number>(SUM_KEYS.length + 1).fill(0),
    shifts: byName(),
    reasons: byName(),
    severities: byName(),
  };
}

/** Adds `source` into `target`, key by key. */
export function addStoredSums(target: StoredSums, source: StoredSums): void {
  addValues(target.days, source.days);
  for (const part of ['shifts', 'reasons', 'severities'] as const) {
    const into = target[part];
    const from = source[part];
    for (const key in from) {
      if (into[key]) addValues(into[key], from[key]);
      else into[key] = [...from[key]];
    }
  }
}

function addValues(target: number[], source: number[]): void {
  for (let i = 0; i < source.length; i++) target[i] += source[i];
}

/**
 * Everything the filter's machine-days add up to, per machine id and date: the metrics' own GROUP BY
 * queries (MetricsSumsRepository), so stored sums follow their rules, planned downtime included.
 * Read in `db` (a write transaction), letting other requests in between queries: on SQLite each one
 * blocks while it runs.
 */
export async function readMachineDaySums(
  queries: MetricsSumsRepository,
  f: MetricsFilter,
  db: Kysely<Database>,
): Promise<Map<number, Map<string, StoredSums>>> {
  const result = new Map<number, Map<string, StoredSums>>();
  const at = (machineId: number | string, date: string): StoredSums => {
    const id = Number(machineId);
    let dates = result.get(id);
    if (!dates) result.set(id, (dates = new Map<string, StoredSums>()));
    let sums = dates.get(date);
    if (!sums) dates.set(date, (sums = emptySums()));
    return sums;
  };
  await nextTurn();
  for (const row of await queries.machineDaySums(f, 'machineDay', db)) {
    const [id, date] = row.key.split('|');
    at(id, date).days = [1, ...SUM_KEYS.map((key) => row[key])];
  }
  await nextTurn();
  for (const row of await queries.shiftSums(f, 'machineDayShift', db)) {
    const [id, date, ...name] = row.key.split('|');
    at(id, date).shifts[name.join('|')] = [...SUM_KEYS.map((key) => row[key]), 1];
  }
  await nextTurn();
  for (const e of await queries.eventsByMachineDayReason(f, db)) {
    at(e.machineId, e.date).reasons[e.reason] = [e.hours, e.events];
  }
  await nextTurn();
  for (const q of await queries.qualityByMachineDaySeverity(f, db)) {
    at(q.machineId, q.date).severities[q.severity] = [q.count, q.partsAffected];
  }
  return result;
}
