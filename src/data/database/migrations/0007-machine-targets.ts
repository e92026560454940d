import { Kysely } from 'kysely';

/**
 * Per-machine targets that override the plant's (TARGET_*): OEE, A, P, Q as ratios (0-1), scrap
 * rate in percent; null keeps the plant's. Keyed by machine name, not id, so that a replacing
 * import (which recreates the machines) keeps them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('machine_targets')
    .addColumn('machine', 'text', (col) => col.primaryKey())
    .addColumn('oee', 'double precision')
    .addColumn('availability', 'double precision')
    .addColumn('performance', 'double precision')
    .addColumn('quality', 'double precision')
    .addColumn('scrap_rate', 'double precision')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('machine_targets').execute();
}
