import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import Sqlite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { createSqliteDatabase, isBusyError } from './database.provider';
import { Database } from './database.types';
import { migrateToLatest } from './migrations';

describe('the embedded database, while another process writes to its file', () => {
  let dir: string;
  let db: Kysely<Database>;
  let other: Sqlite.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'factory-agent-busy-'));
    db = createSqliteDatabase(`file:${join(dir, 'factory.db')}`);
    await sql`create table readings (value integer)`.execute(db);
    other = new Sqlite(join(dir, 'factory.db'));
  });

  afterEach(async () => {
    other.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the lock between turns of the event loop, then writes (regression: SQLite slept in the call)', async () => {
    other.exec('begin immediate');
    const heldMs = 300;
    setTimeout(() => other.exec('commit'), heldMs);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const started = Date.now();
    try {
      await db.transaction().execute(async (tx) => {
        await sql`insert into readings values (1)`.execute(tx);
        await sql`insert into readings values (2)`.execute(tx);
      });
    } finally {
      clearInterval(ticker);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(heldMs - 20);
    // A blocked event loop runs neither the ticker nor the commit above: the write would fail.
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(other.prepare('select count(*) as n from readings').get()).toEqual({ n: 2 });
  });

  it('waits in a transaction that reads before it writes (regression: its snapshot went stale, SQLITE_BUSY_SNAPSHOT)', async () => {
    other.exec('begin immediate');
    other.exec('insert into readings values (1)');
    setTimeout(() => other.exec('commit'), 300);
    const seen = await db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ n: number }>`select count(*) as n from readings`.execute(tx);
      await sql`insert into readings values (2)`.execute(tx);
      return rows[0].n;
    });
    expect(seen).toBe(1);
    expect(other.prepare('select count(*) as n from readings').get()).toEqual({ n: 2 });
  });

  it('reads in a read-only transaction without waiting for the write lock', async () => {
    other.exec('begin immediate');
    try {
      const started = Date.now();
      const { rows } = await db
        .transaction()
        .setAccessMode('read only')
        .execute((tx) => sql<{ n: number }>`select count(*) as n from readings`.execute(tx));
      expect(rows).toEqual([{ n: 0 }]);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      other.exec('rollback');
    }
  });

  it('recognises "database is locked" from another realm (Jest loads the native driver once per worker)', () => {
    const foreign: unknown = runInNewContext(
      'Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" })',
    );
    expect(foreign instanceof Error).toBe(false);
    expect(isBusyError(foreign)).toBe(true);
  });

  it('gives up after about 5 s with DATABASE_UNAVAILABLE, having written nothing', async () => {
    other.exec('begin immediate');
    try {
      await expect(
        db.transaction().execute(async (tx) => {
          await sql`insert into readings values (1)`.execute(tx);
        }),
      ).rejects.toMatchObject({
        name: 'DatabaseBusyError',
        code: 'DATABASE_UNAVAILABLE',
        message: expect.stringMatching(/^The database file is locked by another write/),
      });
    } finally {
      other.exec('rollback');
    }
    const rows = await sql<{ n: number }>`select count(*) as n from readings`.execute(db);
    expect(rows.rows).toEqual([{ n: 0 }]);
  });

  it('refuses to migrate with the same error (regression: "Database migration failed" and a stack)', async () => {
    other.exec('begin immediate');
    try {
      await expect(migrateToLatest(db)).rejects.toMatchObject({
        name: 'DatabaseBusyError',
        code: 'DATABASE_UNAVAILABLE',
      });
    } finally {
      other.exec('rollback');
    }
  });
});
