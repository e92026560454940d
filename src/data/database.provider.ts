import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import { Database } from './database.types';

/** Injection token for the Kysely instance. */
export const KYSELY = Symbol('KYSELY');

export interface DatabaseOptions {
  poolSize: number;
  statementTimeoutMs: number;
}

/** "file:./data/factory.db" -> "./data/factory.db"; "file::memory:" -> ":memory:". */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.slice('file:'.length);
}

export const isPostgresUrl = (databaseUrl: string) => /^postgres(ql)?:\/\//.test(databaseUrl);

/**
 * Opens the database named by DATABASE_URL: the embedded SQLite file (WAL, so readers never wait
 * for a writer and never see half a write) or PostgreSQL through a pool. Both run the same queries.
 */
export function createDatabase(databaseUrl: string, options: DatabaseOptions): Kysely<Database> {
  return isPostgresUrl(databaseUrl)
    ? createPostgresDatabase(databaseUrl, options)
    : createSqliteDatabase(databaseUrl);
}

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

function createPostgresDatabase(databaseUrl: string, options: DatabaseOptions): Kysely<Database> {
  const logger = new Logger('Database');
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.poolSize,
    statement_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection dropped by the server must not crash the process; the pool reconnects
  // on the next query, and /health reports the database down meanwhile.
  pool.on('error', (error) => logger.warn(`PostgreSQL connection lost: ${error.message}`));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
