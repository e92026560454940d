import { Kysely } from 'kysely';

/**
 * Stored sums kept on write (StoredSums as JSON), from which every instance builds its in-memory
 * rollup in seconds instead of adding up every row:
 * - machine_month_sums: per machine and month (its first day), everything its days add up to;
 * - plant_day_sums: per date, everything the whole plant's machine-days of that date add up to.
 * Existing data is summarised when the app next starts (DataService.ensureSummaries).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('machine_month_sums')
    .addColumn('machine_id', 'integer', (col) =>
      col.notNull().references('machines.id').onDelete('cascade'),
    )
    .addColumn('month', 'text', (col) => col.notNull())
    .addColumn('sums', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('machine_month_sums_pk', ['machine_id', 'month'])
    .execute();
  await db.schema
    .createTable('plant_day_sums')
    .addColumn('date', 'text', (col) => col.primaryKey())
    .addColumn('sums', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('plant_day_sums').execute();
  await db.schema.dropTable('machine_month_sums').execute();
}
