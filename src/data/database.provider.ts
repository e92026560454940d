import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Database } from './database.types';

/** Injection token for the Kysely instance. */
export const KYSELY = Symbol('KYSELY');

/** "file:./data/factory.db" -> "./data/factory.db"; "file::memory:" -> ":memory:". */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.slice('file:'.length);
}

/** Opens the embedded database: WAL so readers never wait for a writer, and never see half a write. */
export function createSqliteDatabase(databaseUrl: string): Kysely<Database> {
  const path = sqlitePath(databaseUrl);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}
