import { Kysely } from 'kysely';

/**
 * Shifts that start or end off the hour (SHIFTS="Early 05:45-13:45,..."): the minutes past
 * start_hour and end_hour, 0 for every shift stored before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['start_minute', 'end_minute']) {
    await db.schema
      .alterTable('shifts')
      .addColumn(column, 'integer', (col) => col.notNull().defaultTo(0))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['end_minute', 'start_minute']) {
    await db.schema.alterTable('shifts').dropColumn(column).execute();
  }
}
