import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import SqliteDatabase from 'better-sqlite3';
import {
  DatabaseConnection,
  Driver,
  Kysely,
  PostgresDialect,
  SqliteDatabase as KyselySqliteDatabase,
  SqliteDialect,
  SqliteStatement,
  TransactionSettings,
} from 'kysely';
import { Pool } from 'pg';
import { DatabaseUnavailableError } from '../../common/errors';
import { Database } from './database.types';

/** Injection token for the Kysely instance. */
export const KYSELY = Symbol('KYSELY');

export interface DatabaseOptions {
  poolSize: number;
  statementTimeoutMs: number;
  /** Counts connections lost (PostgreSQL), for /health. */
  losses?: ConnectionLosses;
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
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  SQLITE_HANDLES.set(db, sqlite);
  return db;
}

/** Statements kept prepared per SQLite connection (the most recently used). */
const CACHED_STATEMENTS = 256;

/**
 * The connection as Kysely's SQLite dialect sees it, keeping prepared statements by their SQL:
 * the dialect prepares every query anew, and preparing costs more than running the small queries
 * a live write makes. A statement still being iterated (a streamed read) is not handed out again.
 */
export function withStatementCache(sqlite: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      if (cached && !cached.busy) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (cached) return statement;
      statements.set(sql, statement);
      if (statements.size > CACHED_STATEMENTS) {
        statements.delete(statements.keys().next().value as string);
      }
      return statement;
    },
  };
}

const SQLITE_HANDLES = new WeakMap<Kysely<Database>, SqliteDatabase.Database>();

/**
 * The embedded database's own connection behind a Kysely instance (undefined on PostgreSQL): bulk
 * writes use it directly inside a Kysely transaction (see BulkInserter), as SQLite has one
 * connection per instance.
 */
export function sqliteHandle(db: Kysely<Database>): SqliteDatabase.Database | undefined {
  return SQLITE_HANDLES.get(db);
}

/** Longest a transaction may sit idle (no statement running) before PostgreSQL ends it. */
const IDLE_IN_TRANSACTION_MS = 60_000;

/** Connections lost since start, for /health. */
export class ConnectionLosses {
  count = 0;
  lastAt: Date | null = null;

  record(): void {
    this.count++;
    this.lastAt = new Date();
  }
}

// PostgreSQL's connection exception class (08) and the server ending sessions (57P01-57P03).
const LOST_CONNECTION_CODES =
  /^(08\d{3}|57P0[123]|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN)$/;
const LOST_CONNECTION_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended unexpectedly/i;

/** True for errors that mean "no usable connection", as opposed to a bad query. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' && LOST_CONNECTION_CODES.test(code)) ||
    LOST_CONNECTION_MESSAGES.test(error.message)
  );
}

function translated(error: unknown): unknown {
  return isConnectionError(error) ? new DatabaseUnavailableError(error) : error;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translated(error);
  }
}

const INNER = Symbol('inner connection');
type Wrapped = DatabaseConnection & { [INNER]: DatabaseConnection };
const unwrap = (connection: DatabaseConnection) => (connection as Wrapped)[INNER] ?? connection;

/**
 * Kysely's PostgreSQL driver, with a lost connection turned into DatabaseUnavailableError (a clear,
 * retryable error) wherever it surfaces: acquiring a connection, a query, a transaction.
 */
class RetryableErrorsDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await guarded(() => this.inner.acquireConnection());
    const wrapped: Wrapped = {
      [INNER]: connection,
      executeQuery: (query) => guarded(() => connection.executeQuery(query)),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
    return wrapped;
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guarded(() => this.inner.beginTransaction(unwrap(connection), settings));
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return guarded(() => this.inner.commitTransaction(unwrap(connection)));
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return guarded(() => this.inner.rollbackTransaction(unwrap(connection)));
  }
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

class RetryableErrorsPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new RetryableErrorsDriver(super.createDriver());
  }
}

function createPostgresDatabase(databaseUrl: string, options: DatabaseOptions): Kysely<Database> {
  const logger = new Logger('Database');
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.poolSize,
    statement_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A backstop: a transaction left open by a bug is ended by the server, freeing its connection.
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
  });
  // pg-pool passes an idle client's error on to the pool: count each client once.
  const counted = new WeakSet<object>();
  const lost = (client: object, error: Error) => {
    if (counted.has(client)) return;
    counted.add(client);
    options.losses?.record();
    logger.warn(`PostgreSQL connection lost: ${error.message}`);
  };
  // A connection dropped by the server (idle, or in use by a query) must not crash the process:
  // the query in flight fails with DATABASE_UNAVAILABLE, the pool drops the broken connection and
  // opens a new one for the next query, and /health counts the loss.
  pool.on('error', (error, client) => lost(client, error));
  pool.on('connect', (client) => client.on('error', (error) => lost(client, error)));
  return new Kysely<Database>({ dialect: new RetryableErrorsPostgresDialect({ pool }) });
}
