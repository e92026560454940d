import { Kysely } from 'kysely';

/** The key columns shared by tables that hold numbered records of one machine-day. */
function perMachineDay(db: Kysely<unknown>, table: string) {
  return db.schema
    .createTable(table)
    .addColumn('machine_id', 'integer', (col) =>
      col.notNull().references('machines.id').onDelete('cascade'),
    )
    .addColumn('date', 'text', (col) => col.notNull())
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('shift_id', 'integer', (col) => col.references('shifts.id').onDelete('set null'));
}

// Migrations take Kysely<unknown>: they must not depend on today's table types.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('machines')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('ideal_cycle_time_s', 'double precision', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('shifts')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('start_hour', 'integer', (col) => col.notNull())
    .addColumn('end_hour', 'integer', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('production')
    .addColumn('machine_id', 'integer', (col) =>
      col.notNull().references('machines.id').onDelete('cascade'),
    )
    .addColumn('date', 'text', (col) => col.notNull())
    .addColumn('shift_id', 'integer', (col) =>
      col.notNull().references('shifts.id').onDelete('cascade'),
    )
    .addColumn('planned_hours', 'double precision', (col) => col.notNull())
    .addColumn('run_hours', 'double precision', (col) => col.notNull())
    .addColumn('downtime_hours', 'double precision', (col) => col.notNull())
    .addColumn('parts_produced', 'integer', (col) => col.notNull())
    .addColumn('good_parts', 'integer', (col) => col.notNull())
    .addColumn('scrap_parts', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('production_pk', ['machine_id', 'date', 'shift_id'])
    .execute();
  await db.schema.createIndex('production_date_idx').on('production').column('date').execute();

  await perMachineDay(db, 'downtime_events')
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('duration_hours', 'double precision', (col) => col.notNull())
    .addPrimaryKeyConstraint('downtime_events_pk', ['machine_id', 'date', 'seq'])
    .execute();
  await db.schema
    .createIndex('downtime_events_date_idx')
    .on('downtime_events')
    .column('date')
    .execute();

  await perMachineDay(db, 'quality_issues')
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('parts_affected', 'integer', (col) => col.notNull())
    .addColumn('severity', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('quality_issues_pk', ['machine_id', 'date', 'seq'])
    .execute();
  await db.schema
    .createIndex('quality_issues_date_idx')
    .on('quality_issues')
    .column('date')
    .execute();

  await db.schema
    .createTable('dataset_meta')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'dataset_meta',
    'quality_issues',
    'downtime_events',
    'production',
    'shifts',
    'machines',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
