import { Kysely, Migration, MigrationProvider, Migrator } from 'kysely';
import {
  DatabaseBusyError,
  DatabaseUnavailableError,
  DatabaseUnreachableError,
} from '../../../common/errors';
import { Database } from '../database.types';
import * as initial from './0001-initial';
import * as summaries from './0002-summaries';
import * as storedSums from './0003-stored-sums';
import * as liveSignals from './0004-live-signals';
import * as shiftMinutes from './0005-shift-minutes';
import * as offShiftProduction from './0006-off-shift-production';
import * as machineTargets from './0007-machine-targets';
import * as alerts from './0008-alerts';
import * as i3xSubscriptions from './0009-i3x-subscriptions';
import * as plantTargets from './0010-plant-targets';
import * as stopStarts from './0011-stop-starts';

/** Migrations are compiled into the app (no directory scanning), in the order they must run. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-summaries': summaries,
  '0003-stored-sums': storedSums,
  '0004-live-signals': liveSignals,
  '0005-shift-minutes': shiftMinutes,
  '0006-off-shift-production': offShiftProduction,
  '0007-machine-targets': machineTargets,
  '0008-alerts': alerts,
  '0009-i3x-subscriptions': i3xSubscriptions,
  '0010-plant-targets': plantTargets,
  '0011-stop-starts': stopStarts,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};

/** Applies pending migrations; returns the names applied. Kysely's migrator takes a lock while it runs. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error instanceof DatabaseUnavailableError) {
    throw new DatabaseUnreachableError(error);
  }
  if (error instanceof DatabaseBusyError) throw error;
  if (error) {
    throw new Error(
      `Database migration failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      {
        cause: error,
      },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Every known migration with the time it was applied (null when pending). */
export async function migrationStatus(
  db: Kysely<Database>,
): Promise<{ name: string; executedAt: Date | null }[]> {
  const migrations = await new Migrator({ db, provider }).getMigrations();
  return migrations.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}
