import { Logger } from '@nestjs/common';
import SqliteDatabase from 'better-sqlite3';
import {
  ControlledTransaction,
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  SqliteDialect,
  UnknownRow,
} from 'kysely';
import { ClientGoneError } from '../../common/errors';
import { isBackgroundWork, requestResource } from '../../common/request-context';
import { Database } from './database.types';
import { isPostgresUrl, sqlitePath, withStatementCache } from './database.provider';

const SNAPSHOT = Symbol('read snapshot');
/** SQLite read connections kept open for reuse; more are opened while more requests read at once. */
const IDLE_SQLITE_READERS = 8;

interface Reader {
  db: Kysely<Database>;
  close(): Promise<void>;
}

/**
 * One consistent view of the data per request: every read a request makes (metrics, lists, stats)
 * sees the database as it was when the request first read it, never half of a write that commits
 * meanwhile. On PostgreSQL a REPEATABLE READ, READ ONLY transaction; on an SQLite file a read
 * transaction on a connection of its own (WAL: readers never wait for the writer). Outside a request
 * (the CLI) and for in-memory SQLite (one connection, tests), reads use the main connection.
 */
export class ReadSnapshots {
  private readonly logger = new Logger(ReadSnapshots.name);
  private readonly idle: Reader[] = [];
  private closed = false;

  private background: Kysely<Database> | null = null;

  /**
   * @param openBackground opens the PostgreSQL connections of background work (a small pool of its
   *   own, see withOwnResources), on first use.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly databaseUrl: string,
    private readonly openBackground: () => Kysely<Database> = () => db,
  ) {}

  /** The current request's snapshot, started by its first read; the main connection otherwise. */
  async reader(): Promise<Kysely<Database>> {
    if (this.closed || (!this.isPostgres && this.isMemory)) return this.db;
    const snapshot = requestResource(SNAPSHOT, () => this.startSnapshot());
    return snapshot ? snapshot : this.db;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((reader) => reader.close()));
    if (this.background && this.background !== this.db) await this.background.destroy();
  }

  private get isPostgres(): boolean {
    return isPostgresUrl(this.databaseUrl);
  }

  private get isMemory(): boolean {
    return sqlitePath(this.databaseUrl) === ':memory:';
  }

  private startSnapshot(): { value: Promise<Kysely<Database>>; release: () => void } {
    const transaction = this.isPostgres ? this.beginPostgres() : this.beginSqlite();
    const ended = new EndedSnapshotGuard();
    return {
      value: transaction.then(({ trx }) => trx.withPlugin(ended) as Kysely<Database>),
      release: () => {
        ended.ended = true;
        transaction.then(
          // Read only: ending it by rollback releases the connection even when the connection broke
          // (a failed commit would keep it from the pool).
          ({ trx, done }) =>
            trx
              .rollback()
              .execute()
              .catch((error: unknown) =>
                this.logger.warn(`Read snapshot ended badly: ${(error as Error).message}`),
              )
              .finally(done),
          // Never started (the database was unreachable): the request already got that error.
          () => undefined,
        );
      },
    };
  }

  private async beginPostgres(): Promise<{
    trx: ControlledTransaction<Database>;
    done: () => void;
  }> {
    // Background work (a rollup build that requests wait for) gets its own small pool: requests
    // holding their snapshots could otherwise take every connection while waiting for it.
    const db = isBackgroundWork() ? (this.background ??= this.openBackground()) : this.db;
    const trx = await db
      .startTransaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute();
    return { trx, done: () => undefined };
  }

  private async beginSqlite(): Promise<{
    trx: ControlledTransaction<Database>;
    done: () => void;
  }> {
    const reader = this.idle.pop() ?? this.openSqliteReader();
    const trx = await reader.db.startTransaction().execute();
    // SQLite starts a read snapshot at the first read after BEGIN: take it now.
    await trx.selectFrom('dataset_meta').select('key').limit(1).execute();
    const done = () => {
      if (this.closed || this.idle.length >= IDLE_SQLITE_READERS) void reader.close();
      else this.idle.push(reader);
    };
    return { trx, done };
  }

  private openSqliteReader(): Reader {
    const connection = new SqliteDatabase(sqlitePath(this.databaseUrl));
    connection.pragma('busy_timeout = 5000');
    connection.pragma('query_only = ON');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(connection) }),
    });
    return { db, close: () => db.destroy() };
  }
}

/**
 * Reads that a request makes after its snapshot ended (its client went away while it worked) fail
 * with ClientGoneError, which is not logged as a fault, rather than with the driver's complaint
 * about a transaction already rolled back.
 */
class EndedSnapshotGuard implements KyselyPlugin {
  ended = false;

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.ended) throw new ClientGoneError();
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
