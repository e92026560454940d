import { Kysely } from 'kysely';

/**
 * Alerts raised by the alert rules, one row per occurrence (`key` is unique, so an occurrence seen
 * again, by this instance or another, is not raised twice), and their webhook deliveries: one row
 * per alert and webhook URL, with its attempts, so that the delivery log can be queried and a
 * delivery survives a restart.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('key', 'text', (col) => col.notNull().unique())
    .addColumn('rule', 'text', (col) => col.notNull())
    .addColumn('machine', 'text', (col) => col.notNull())
    .addColumn('date', 'text', (col) => col.notNull())
    .addColumn('shift', 'text')
    .addColumn('value', 'double precision', (col) => col.notNull())
    .addColumn('threshold', 'double precision', (col) => col.notNull())
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('raised_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('alerts_raised_at').on('alerts').column('raised_at').execute();
  await db.schema
    .createTable('alert_deliveries')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('alert_id', 'text', (col) => col.notNull())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('alert_deliveries_due')
    .on('alert_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('alert_deliveries_alert')
    .on('alert_deliveries')
    .column('alert_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('alert_deliveries').execute();
  await db.schema.dropTable('alerts').execute();
}
