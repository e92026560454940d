import { Logger } from '@nestjs/common';
import SqliteDatabase from 'better-sqlite3';
import {
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
import { readVersion, versionQuery } from '../data-versions';
import { Database } from './database.types';
import { isPostgresUrl, sqlitePath, withStatementCache } from './database.provider';

const SNAPSHOT = Symbol('read snapshot');
/** SQLite read connections kept open for reuse; more are opened while more requests read at once. */
const IDLE_SQLITE_READERS = 8;

/** An SQLite read connection: Kysely for the reads, and its snapshot's own statements. */
interface Reader {
  db: Kysely<Database>;
  /** Starts a read snapshot (BEGIN, then its first read) and returns the data version in it. */
  begin(): number;
  end(): void;
  close(): Promise<void>;
}

/** A request's view of the data: where its reads go and the data version they see. */
interface Snapshot {
  db: Kysely<Database>;
  version: number;
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
    return (await this.snapshot())?.db ?? this.db;
  }

  /**
   * The data version the current request's reads see: read when its snapshot starts, in it, so that
   * a request asking for the version and then for data costs no statement more than the data.
   */
  async version(): Promise<number> {
    const snapshot = await this.snapshot();
    return snapshot ? snapshot.version : readVersion(this.db);
  }

  private snapshot(): Promise<Snapshot> | undefined {
    if (this.closed || (!this.isPostgres && this.isMemory)) return undefined;
    return requestResource(SNAPSHOT, () =>
      this.isPostgres ? this.startPostgres() : this.startSqlite(),
    );
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

  private startPostgres(): { value: Promise<Snapshot>; release: () => void } {
    // Background work (a rollup build that requests wait for) gets its own small pool: requests
    // holding their snapshots could otherwise take every connection while waiting for it.
    const db = isBackgroundWork() ? (this.background ??= this.openBackground()) : this.db;
    const ended = new EndedSnapshotGuard();
    const transaction = db
      .startTransaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute();
    return {
      value: transaction.then(async (trx) => ({
        db: trx.withPlugin(ended),
        // The snapshot is taken at the transaction's first statement: this one.
        version: await readVersion(trx),
      })),
      release: () => {
        ended.ended = true;
        transaction.then(
          // Read only: ending it by rollback releases the connection even when the connection broke
          // (a failed commit would keep it from the pool).
          (trx) =>
            trx
              .rollback()
              .execute()
              .catch((error: unknown) =>
                this.logger.warn(`Read snapshot ended badly: ${(error as Error).message}`),
              ),
          // Never started (the database was unreachable): the request already got that error.
          () => undefined,
        );
      },
    };
  }

  /**
   * A connection of the request's own in a read transaction: SQLite's calls are synchronous, so the
   * snapshot starts (and ends) with no round through Kysely and its queue.
   */
  private startSqlite(): { value: Promise<Snapshot>; release: () => void } {
    const reader = this.idle.pop() ?? this.openSqliteReader();
    let version: number;
    try {
      version = reader.begin();
    } catch (error) {
      // Nothing is kept for the request: its next read tries again.
      void reader.close();
      throw error;
    }
    const ended = new EndedSnapshotGuard();
    return {
      value: Promise.resolve({ db: reader.db.withPlugin(ended), version }),
      release: () => {
        ended.ended = true;
        try {
          reader.end();
        } catch (error) {
          this.logger.warn(`Read snapshot ended badly: ${(error as Error).message}`);
          void reader.close();
          return;
        }
        if (this.closed || this.idle.length >= IDLE_SQLITE_READERS) void reader.close();
        else this.idle.push(reader);
      },
    };
  }

  private openSqliteReader(): Reader {
    const connection = new SqliteDatabase(sqlitePath(this.databaseUrl));
    connection.pragma('busy_timeout = 5000');
    connection.pragma('query_only = ON');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(connection) }),
    });
    const begin = connection.prepare('BEGIN');
    const end = connection.prepare('ROLLBACK');
    const version = versionQuery(db).compile();
    // SQLite takes a read snapshot at the first read after BEGIN: the version is that read.
    const read = connection.prepare(version.sql).pluck();
    return {
      db,
      begin: () => {
        begin.run();
        try {
          return Number(read.get(...version.parameters) ?? 0);
        } catch (error) {
          // SQLite may have ended the transaction itself; the read's error is the one to report.
          if (connection.inTransaction) end.run();
          throw error;
        }
      },
      end: () => end.run(),
      close: async () => {
        // Kysely closes the connection only when it ran a query on it; the snapshot's own
        // statements do not go through Kysely.
        await db.destroy();
        if (connection.open) connection.close();
      },
    };
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
