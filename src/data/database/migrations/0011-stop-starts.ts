import { Kysely } from 'kysely';

/**
 * When a live stop began (ISO instant; null for events of imported data, which have no start): a
 * stop still open grows with every refresh, and its start is what stays the same (the alert rules
 * raise it once by it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('downtime_events').addColumn('started_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('downtime_events').dropColumn('started_at').execute();
}
