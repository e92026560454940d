import { Kysely } from 'kysely';

/**
 * Live ingestion:
 * - signals: every signal as received (immutable), keyed by machine and the sender's event id, so
 *   a repeated delivery is recognised and the derived rows can be rebuilt from them;
 * - pending_signals: signals stored and acknowledged (MQTT) but not yet applied to the rows;
 * - live_machines: per machine that reports its state, how far its machine-shifts are derived;
 * - dead_letters: messages that could not be read (MQTT), kept for inspection.
 * Instants are UTC ISO 8601 text of fixed width (sortable, exact on both databases).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signals')
    .addColumn('machine_id', 'integer', (col) =>
      col.notNull().references('machines.id').onDelete('cascade'),
    )
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('payload', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('signals_pk', ['machine_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('signals_machine_kind_at_idx')
    .on('signals')
    .columns(['machine_id', 'kind', 'at'])
    .execute();

  await db.schema
    .createTable('pending_signals')
    .addColumn('machine_id', 'integer', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('pending_signals_pk', ['machine_id', 'event_id'])
    .addForeignKeyConstraint(
      'pending_signals_signal_fk',
      ['machine_id', 'event_id'],
      'signals',
      ['machine_id', 'event_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('live_machines')
    .addColumn('machine_id', 'integer', (col) =>
      col.primaryKey().references('machines.id').onDelete('cascade'),
    )
    .addColumn('derived_until', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('dead_letters')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('topic', 'text', (col) => col.notNull())
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('dead_letters_received_at_idx')
    .on('dead_letters')
    .column('received_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dead_letters').execute();
  await db.schema.dropTable('live_machines').execute();
  await db.schema.dropTable('pending_signals').execute();
  await db.schema.dropTable('signals').execute();
}
