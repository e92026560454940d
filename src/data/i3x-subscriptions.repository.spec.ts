import { Kysely } from 'kysely';
import { createDatabase } from './database/database.provider';
import { Database } from './database/database.types';
import { migrateToLatest } from './database/migrations';
import {
  createTestDatabase,
  DATABASE_KINDS,
  TestDatabase,
} from './database/test-databases.testing';
import { I3xSubscriptionsRepository, SubscriptionUpdate } from './i3x-subscriptions.repository';

const T0 = Date.parse('2026-01-06T08:00:00Z');
const update = (elementId: string, value: unknown): SubscriptionUpdate => ({
  elementId,
  value,
  quality: 'Good',
  timestamp: '2026-01-06T08:00:00.000Z',
});

describe.each(DATABASE_KINDS)(`${I3xSubscriptionsRepository.name} on %s`, (kind) => {
  let testDb: TestDatabase;
  let db: Kysely<Database>;
  let store: I3xSubscriptionsRepository;
  const id = 'sub-1';
  const options = (readAt: number, queue = true) => ({
    readAt,
    force: new Set<string>(),
    queue,
    maxBatches: 3,
  });

  beforeEach(async () => {
    testDb = await createTestDatabase(kind);
    db = createDatabase(testDb.url, { poolSize: 4, statementTimeoutMs: 10_000 });
    await migrateToLatest(db);
    store = new I3xSubscriptionsRepository(db);
    await store.create({ subscriptionId: id, clientId: 'c', displayName: null }, T0);
  });

  afterEach(async () => {
    await db.destroy();
    await testDb.drop();
  });

  it('queues what changed once, never an older reading after a newer one', async () => {
    expect(await store.deliver(id, [update('a', 1), update('b', 1)], options(T0))).toHaveLength(2);
    // Unchanged: nothing; changed: only that one.
    expect(await store.deliver(id, [update('a', 1), update('b', 2)], options(T0 + 2))).toEqual([
      update('b', 2),
    ]);
    // Read before the delivered one (a slower reader): older news, left out.
    expect(await store.deliver(id, [update('b', 9)], options(T0 + 1))).toEqual([]);
    // Two readers at once with the same new value: delivered by one of them.
    const both = await Promise.all([
      store.deliver(id, [update('a', 3)], options(T0 + 3)),
      store.deliver(id, [update('a', 3)], options(T0 + 3)),
    ]);
    expect(both.flat()).toEqual([update('a', 3)]);
    const { batches, dropped } = await store.batches(id, T0);
    expect(batches.map((b) => [b.sequenceNumber, b.updates.map((u) => u.value)])).toEqual([
      [1, [1, 1]],
      [2, [2]],
      [3, [3]],
    ]);
    expect(dropped).toBe(false);
  });

  it('drops acknowledged batches, keeps at most maxBatches and says when it dropped some', async () => {
    for (let i = 1; i <= 5; i++) await store.deliver(id, [update('a', i)], options(T0 + i));
    const first = await store.batches(id, T0);
    expect(first.batches.map((b) => b.sequenceNumber)).toEqual([3, 4, 5]);
    expect(first.dropped).toBe(true);
    expect((await store.batches(id, T0)).dropped).toBe(false);
    await store.acknowledge(id, 4);
    expect((await store.batches(id, T0)).batches.map((b) => b.sequenceNumber)).toEqual([5]);
    await store.acknowledge(id, -1);
    expect((await store.batches(id, T0)).batches).toEqual([]);
    // Numbers go on after the acknowledged ones.
    await store.deliver(id, [update('a', 6)], options(T0 + 6));
    expect((await store.batches(id, T0)).batches.map((b) => b.sequenceNumber)).toEqual([6]);
  });

  it('writes nothing for a deleted subscription, and leaves no rows behind', async () => {
    expect(await store.monitor(id, ['a'], 1, T0)).toBe(true);
    await store.deliver(id, [update('a', 1)], options(T0));
    await Promise.all([store.delete(id), store.deliver(id, [update('a', 2)], options(T0 + 1))]);
    expect(await store.monitor(id, ['b'], 1, T0)).toBe(false);
    expect(await store.deliver(id, [update('a', 3)], options(T0 + 2))).toEqual([]);
    for (const table of ['i3x_monitored', 'i3x_delivered', 'i3x_batches'] as const) {
      const rows = await db.selectFrom(table).selectAll().execute();
      expect([table, rows]).toEqual([table, []]);
    }
  });

  it('lets one instance stream at a time: a new one takes over, only the holder renews or ends', async () => {
    expect(await store.claimStream(id, 'A', T0 + 45_000, T0)).toBe(true);
    expect((await store.find(id))?.streamedUntil).toBe(T0 + 45_000);
    expect(await store.claimStream(id, 'B', T0 + 50_000, T0)).toBe(true);
    expect(await store.renewStream(id, 'A', T0 + 60_000, T0)).toBe(false);
    // A stream taken over delivers nothing more: null tells it to end.
    const forStream = (holder: string) => ({ ...options(T0, false), holder });
    expect(await store.deliver(id, [update('a', 1)], forStream('A'))).toBeNull();
    expect(await store.deliver(id, [update('a', 1)], forStream('B'))).toEqual([update('a', 1)]);
    await store.releaseStream(id, 'A', T0);
    expect((await store.find(id))?.streamedUntil).toBe(T0 + 50_000);
    expect(await store.renewStream(id, 'B', T0 + 60_000, T0)).toBe(true);
    await store.releaseStream(id, 'B', T0);
    expect((await store.find(id))?.streamedUntil).toBeNull();
    await store.delete(id);
    expect(await store.claimStream(id, 'A', T0, T0)).toBe(false);
  });
});
