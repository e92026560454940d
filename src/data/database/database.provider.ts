import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  Kysely,
  PostgresDialect,
  SqliteDatabase as KyselySqliteDatabase,
  SqliteDialect,
  SqliteDialectConfig,
  SqliteDriver,
  SqliteStatement,
  TransactionSettings,
} from 'kysely';
import { Pool } from 'pg';
import { DatabaseBusyError, DatabaseUnavailableError } from '../../common/errors';
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
  // No busy handler: SQLite's sleeps inside the call, holding the event loop for as long as another
  // process writes. The driver waits for the lock between turns instead (see waitingOutBusy).
  sqlite.pragma('busy_timeout = 0');
  const db = new Kysely<Database>({
    dialect: new TranslatedErrorsSqliteDialect({ database: withStatementCache(sqlite) }),
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

/**
 * True for SQLite's "database is locked" (SQLITE_BUSY and its extended codes): another connection,
 * usually another process, held the write lock for longer than BUSY_WAIT_MS.
 */
export function isBusyError(error: unknown): boolean {
  const code = errorCode(error);
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * An error's `code`. Not tested with instanceof Error: the native driver's errors belong to the
 * realm that loaded it first (under Jest, another test file's).
 */
function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/** A database error a user can act on as a DomainError with a stable code; anything else as is. */
function translated(error: unknown): unknown {
  if (isConnectionError(error)) return new DatabaseUnavailableError(error);
  if (isBusyError(error)) return new DatabaseBusyError(error);
  return error;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translated(error);
  }
}

/** Longest a SQLite statement waits for another process's write to end. */
const BUSY_WAIT_MS = 5_000;
/** Pauses between attempts, the last one repeated. */
const BUSY_PAUSES_MS = [5, 10, 20, 50, 100, 200];

/**
 * Runs a SQLite statement, trying again while another connection holds the write lock (plain
 * SQLITE_BUSY: the statement did nothing and may be run again, in a transaction too) for up to
 * BUSY_WAIT_MS, pausing between attempts so that other requests are served meanwhile. A stale
 * snapshot (SQLITE_BUSY_SNAPSHOT) is not retried: only a new transaction can write.
 */
async function waitingOutBusy<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const pause = BUSY_PAUSES_MS[Math.min(attempt, BUSY_PAUSES_MS.length - 1)];
      if (errorCode(error) !== 'SQLITE_BUSY' || Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

const INNER = Symbol('inner connection');
type Wrapped = DatabaseConnection & { [INNER]: DatabaseConnection };
const unwrap = (connection: DatabaseConnection) => (connection as Wrapped)[INNER] ?? connection;

/**
 * A Kysely driver whose retryable failures surface as clear errors wherever they happen (acquiring
 * a connection, a query, a transaction): on PostgreSQL a lost connection (DatabaseUnavailableError),
 * on SQLite a file locked by another process's write (DatabaseBusyError).
 */
class TranslatedErrorsDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly attempt: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await guarded(() => this.inner.acquireConnection());
    const wrapped: Wrapped = {
      [INNER]: connection,
      executeQuery: (query) => guarded(() => this.attempt(() => connection.executeQuery(query))),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
    return wrapped;
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guarded(() =>
      this.attempt(() => this.inner.beginTransaction(unwrap(connection), settings)),
    );
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return guarded(() => this.attempt(() => this.inner.commitTransaction(unwrap(connection))));
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

class TranslatedErrorsPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new TranslatedErrorsDriver(super.createDriver());
  }
}

/**
 * Kysely's SQLite driver, whose write transactions take the write lock as they begin (BEGIN
 * IMMEDIATE): one that read first and then waited for another process's write would find its
 * snapshot stale once that write ended (SQLITE_BUSY_SNAPSHOT) and could not go on. Read-only
 * transactions (setAccessMode('read only')) take no lock.
 */
class ImmediateWritesSqliteDriver extends SqliteDriver {
  override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}

class TranslatedErrorsSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new TranslatedErrorsDriver(new ImmediateWritesSqliteDriver(this.config), waitingOutBusy);
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
  return new Kysely<Database>({ dialect: new TranslatedErrorsPostgresDialect({ pool }) });
}
