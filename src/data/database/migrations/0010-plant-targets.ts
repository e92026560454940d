import { Kysely } from 'kysely';

/**
 * The plant's targets as set over time (through GraphQL, the CLI or i3X), one row per instant
 * they took effect: OEE, A, P, Q as ratios (0-1), scrap rate in percent; null keeps the TARGET_*
 * setting. The row in force at an instant is the newest at or before it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('plant_targets')
    .addColumn('effective_at', 'text', (col) => col.primaryKey())
    .addColumn('oee', 'double precision')
    .addColumn('availability', 'double precision')
    .addColumn('performance', 'double precision')
    .addColumn('quality', 'double precision')
    .addColumn('scrap_rate', 'double precision')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('plant_targets').execute();
}
