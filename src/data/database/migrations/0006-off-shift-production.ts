import { Kysely } from 'kysely';

/**
 * Parts that live counts reported at moments no shift of the calendar covers: stored per machine
 * and local date, so that metric answers over those dates can warn that production happened
 * outside the planned time (it is in no shift's figures).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('off_shift_production')
    .addColumn('machine_id', 'integer', (col) =>
      col.notNull().references('machines.id').onDelete('cascade'),
    )
    .addColumn('date', 'text', (col) => col.notNull())
    .addColumn('parts', 'integer', (col) => col.notNull())
    .addColumn('scrap', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('off_shift_production_pk', ['machine_id', 'date'])
    .execute();
  await db.schema
    .createIndex('off_shift_production_date')
    .on('off_shift_production')
    .columns(['date', 'machine_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('off_shift_production').execute();
}
