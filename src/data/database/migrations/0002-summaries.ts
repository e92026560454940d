import { Kysely, sql } from 'kysely';

/**
 * Summaries kept on write, so that metric queries never add up more than a month of a machine:
 * - machine_day_totals: per machine and day, the month-to-date sums of everything the OEE formulas
 *   need (a row for every day of each month in which the machine has data, so any date can be
 *   looked up directly);
 * - data_changes: which machine-days each data version changed (machine and date null: all of
 *   them), so that every instance updates its in-memory summaries instead of rebuilding them;
 * - downtime_reasons: every reason ever recorded (DataService.downtimeReasons).
 * Existing data is summarised when the app next starts (DataService.ensureSummaries).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sums = [
    'machine_days',
    'planned_hours',
    'planned_downtime_hours',
    'run_hours',
    'downtime_hours',
    'ideal_hours',
    'parts',
    'good',
    'scrap',
  ];
  let table = db.schema
    .createTable('machine_day_totals')
    .addColumn('machine_id', 'integer', (col) =>
      col.notNull().references('machines.id').onDelete('cascade'),
    )
    .addColumn('date', 'text', (col) => col.notNull());
  for (const column of sums) {
    table = table.addColumn(column, 'double precision', (col) => col.notNull());
  }
  await table.addPrimaryKeyConstraint('machine_day_totals_pk', ['machine_id', 'date']).execute();
  // byMachine reads every machine's row of one date: a covering index keeps them side by side.
  await db.schema
    .createIndex('machine_day_totals_date_idx')
    .on('machine_day_totals')
    .columns(['date', 'machine_id', ...sums])
    .execute();

  // The distinct downtime reasons, kept on write so that listing them never reads every event.
  await db.schema
    .createTable('downtime_reasons')
    .addColumn('reason', 'text', (col) => col.primaryKey())
    .execute();
  await sql`insert into downtime_reasons (reason) select distinct reason from downtime_events`.execute(
    db,
  );

  await db.schema
    .createTable('data_changes')
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('machine_id', 'integer')
    .addColumn('date', 'text')
    .execute();
  await db.schema
    .createIndex('data_changes_version_idx')
    .on('data_changes')
    .column('version')
    .execute();

  // Writers lock this row to take turns (DataService): it exists from here on.
  await sql`insert into dataset_meta (key, value)
    select 'version', '0' where not exists (select 1 from dataset_meta where key = 'version')`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('data_changes').execute();
  await db.schema.dropTable('downtime_reasons').execute();
  await db.schema.dropTable('machine_day_totals').execute();
}
