import { Kysely } from 'kysely';

/**
 * i3X subscriptions, held in the database so that every instance behind a load balancer serves the
 * same ones: the subscription (its client, next sequence number, whether its queue overflowed, and
 * which instance streams it until when), the objects it monitors, the last value it delivered of
 * each object and when that value was read (so that a sync or a stream on any instance sends only
 * what changed, never an older reading after a newer one), and the batches queued for sync until
 * the client acknowledges them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('i3x_subscriptions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text')
    .addColumn('next_sequence', 'integer', (col) => col.notNull())
    .addColumn('dropped', 'integer', (col) => col.notNull())
    .addColumn('touched_at', 'text', (col) => col.notNull())
    .addColumn('streamed_by', 'text')
    .addColumn('streamed_until', 'text')
    .execute();
  await db.schema
    .createTable('i3x_monitored')
    .addColumn('subscription_id', 'text', (col) => col.notNull())
    .addColumn('element_id', 'text', (col) => col.notNull())
    .addColumn('max_depth', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('i3x_monitored_pk', ['subscription_id', 'element_id'])
    .execute();
  await db.schema
    .createTable('i3x_delivered')
    .addColumn('subscription_id', 'text', (col) => col.notNull())
    .addColumn('element_id', 'text', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('read_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('i3x_delivered_pk', ['subscription_id', 'element_id'])
    .execute();
  await db.schema
    .createTable('i3x_batches')
    .addColumn('subscription_id', 'text', (col) => col.notNull())
    .addColumn('sequence_number', 'integer', (col) => col.notNull())
    .addColumn('updates', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('i3x_batches_pk', ['subscription_id', 'sequence_number'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['i3x_batches', 'i3x_delivered', 'i3x_monitored', 'i3x_subscriptions']) {
    await db.schema.dropTable(table).execute();
  }
}
