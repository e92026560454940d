import { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { Kysely } from 'kysely';
import { ClientGoneError } from '../../common/errors';
import { requestContextMiddleware } from '../../common/request-context';
import { nextVersion, readVersion } from '../data-versions';
import { createDatabase, sqlitePath } from './database.provider';
import { Database } from './database.types';
import { migrateToLatest } from './migrations';
import { ReadSnapshots } from './read-snapshots';
import { createTestDatabase, DATABASE_KINDS } from './test-databases.testing';

/** Runs `work` as the server runs a request; `leave()` is the client closing its connection. */
function asRequest<T>(work: (leave: () => void) => Promise<T>): Promise<T> {
  const response = Object.assign(new EventEmitter(), { setHeader: () => undefined });
  const request = { header: () => undefined };
  return new Promise<T>((resolve, reject) => {
    requestContextMiddleware(
      request as unknown as Request,
      response as unknown as Response,
      (() => work(() => response.emit('close')).then(resolve, reject)) as NextFunction,
    );
  });
}

/**
 * Runs `test` with snapshots of a migrated database file of `kind` (in-memory SQLite has one
 * connection and no snapshots), then closes and drops everything.
 */
async function withSnapshots(
  kind: (typeof DATABASE_KINDS)[number],
  test: (db: Kysely<Database>, snapshots: ReadSnapshots, url: string) => Promise<void>,
): Promise<void> {
  const testDb = await createTestDatabase(kind, mkdtempSync(join(tmpdir(), 'snapshots-')));
  const db = createDatabase(testDb.url, { poolSize: 2, statementTimeoutMs: 10_000 });
  const snapshots = new ReadSnapshots(db, testDb.url);
  try {
    await migrateToLatest(db);
    await test(db, snapshots, testDb.url);
  } finally {
    await snapshots.close();
    await db.destroy();
    await testDb.drop();
  }
}

describe.each(DATABASE_KINDS)(`${ReadSnapshots.name} on %s`, (kind) => {
  it('fails the reads of a request whose client went away with CLIENT_CLOSED_REQUEST', () =>
    withSnapshots(kind, async (_db, snapshots) => {
      const read = (reader: Awaited<ReturnType<ReadSnapshots['reader']>>) =>
        reader.selectFrom('dataset_meta').select('key').execute();
      const outcome = await asRequest(async (leave) => {
        const reader = await snapshots.reader();
        await read(reader);
        leave();
        return read(reader).then(
          () => 'read',
          (error: unknown) => error,
        );
      });
      expect(outcome).toBeInstanceOf(ClientGoneError);
      expect((outcome as ClientGoneError).code).toBe('CLIENT_CLOSED_REQUEST');
    }));

  it('gives a request the data version of its own snapshot, whatever commits meanwhile', () =>
    withSnapshots(kind, async (db, snapshots) => {
      const write = () => db.transaction().execute((tx) => nextVersion(tx, 'test'));
      const before = await readVersion(db);
      const seen = await asRequest(async (end) => {
        const first = await snapshots.version();
        await write();
        const again = await snapshots.version();
        const read = await readVersion(await snapshots.reader());
        end();
        return { first, again, read };
      });
      expect(seen).toEqual({ first: before, again: before, read: before });
      // The next request (on a connection given back by the first) sees the write; outside a
      // request the version is read from the database.
      const next = await asRequest(async (end) => {
        const version = await snapshots.version();
        end();
        return version;
      });
      expect(next).toBe(before + 1);
      expect(await snapshots.version()).toBe(before + 1);
    }));
});

it('closes every SQLite connection it opened, even one only asked for the data version', async () => {
  // This process's open files that are the database's.
  const openFiles = (path: string) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
      } catch {
        return false; // closed meanwhile
      }
    }).length;
  let path = '';
  await withSnapshots('sqlite', async (_db, snapshots, url) => {
    path = sqlitePath(url);
    // More requests at once than readers kept idle: the extra ones are closed as they end.
    await Promise.all(
      Array.from({ length: 12 }, () =>
        asRequest(async (end) => {
          const version = await snapshots.version();
          await new Promise((resolve) => setTimeout(resolve, 20));
          end();
          return version;
        }),
      ),
    );
  });
  expect(openFiles(path)).toBe(0);
});
