import { Kysely } from 'kysely';
import { AlertFinding, AlertsRepository } from './alerts.repository';
import { createDatabase } from './database/database.provider';
import { Database } from './database/database.types';
import { migrateToLatest } from './database/migrations';
import {
  createTestDatabase,
  DATABASE_KINDS,
  TestDatabase,
} from './database/test-databases.testing';

const finding = (key: string, machine = 'M1'): AlertFinding => ({
  key,
  rule: 'long-downtime',
  machine,
  date: '2026-01-05',
  shift: null,
  value: 2.5,
  threshold: 2,
  message: `${machine} was down 2.5 h`,
});

const T0 = Date.parse('2026-01-06T08:00:00Z');

describe.each(DATABASE_KINDS)(`${AlertsRepository.name} on %s`, (kind) => {
  let testDb: TestDatabase;
  let db: Kysely<Database>;
  let repository: AlertsRepository;

  beforeEach(async () => {
    testDb = await createTestDatabase(kind);
    db = createDatabase(testDb.url, { poolSize: 2, statementTimeoutMs: 10_000 });
    await migrateToLatest(db);
    repository = new AlertsRepository(db);
  });

  afterEach(async () => {
    await db.destroy();
    await testDb.drop();
  });

  it('raises an occurrence once, whoever finds it again', async () => {
    const first = await repository.raise([finding('a'), finding('b', 'M2')], ['http://x/hook'], T0);
    expect(first.map((a) => a.machine)).toEqual(['M1', 'M2']);
    expect(first[0]).toMatchObject({
      value: 2.5,
      threshold: 2,
      raisedAt: '2026-01-06T08:00:00.000Z',
    });
    // Two finders at once (two instances): each key is raised by one of them.
    const again = await Promise.all([
      repository.raise([finding('a'), finding('c')], ['http://x/hook'], T0 + 1000),
      repository.raise([finding('c'), finding('b', 'M2')], ['http://x/hook'], T0 + 1000),
    ]);
    expect(again.flat().map((a) => a.message)).toEqual(['M1 was down 2.5 h']);
    const { total, alerts } = await repository.alerts(
      { machine: null, rule: null },
      { limit: 10, offset: 0 },
    );
    expect(total).toBe(3);
    expect(alerts[0].raisedAt).toBe('2026-01-06T08:00:01.000Z');
    expect(
      (await repository.alerts({ machine: 'M2', rule: null }, { limit: 10, offset: 0 })).total,
    ).toBe(1);
  });

  it('hands each attempt to one sender and keeps the outcome', async () => {
    await repository.raise([finding('a')], ['http://x/one', 'http://x/two'], T0);
    const due = await repository.due(T0, 10);
    expect(due.map((d) => d.delivery.url).sort()).toEqual(['http://x/one', 'http://x/two']);
    const { delivery } = due[0];
    const claims = await Promise.all([
      repository.claim(delivery, T0, T0 + 30_000),
      repository.claim(delivery, T0, T0 + 30_000),
    ]);
    expect(claims.sort()).toEqual([false, true]);
    // Held while its attempt runs.
    expect((await repository.due(T0 + 1000, 10)).map((d) => d.delivery.id)).not.toContain(
      delivery.id,
    );
    await repository.settle(
      delivery.id,
      { status: 'pending', statusCode: 500, error: 'HTTP 500', nextAttemptAt: T0 + 5000 },
      T0 + 100,
    );
    expect((await repository.due(T0 + 4999, 10)).map((d) => d.delivery.id)).not.toContain(
      delivery.id,
    );
    const retry = (await repository.due(T0 + 5000, 10)).find((d) => d.delivery.id === delivery.id);
    expect(retry?.delivery).toMatchObject({
      attempts: 1,
      lastStatusCode: 500,
      lastError: 'HTTP 500',
    });
    expect(await repository.claim(retry!.delivery, T0 + 5000, T0 + 35_000)).toBe(true);
    await repository.settle(
      delivery.id,
      { status: 'delivered', statusCode: 200, error: null, nextAttemptAt: null },
      T0 + 5100,
    );
    const log = await repository.deliveries('delivered', { limit: 10, offset: 0 });
    expect(log).toEqual({
      total: 1,
      deliveries: [
        expect.objectContaining({
          id: delivery.id,
          status: 'delivered',
          attempts: 2,
          lastStatusCode: 200,
          nextAttemptAt: null,
        }),
      ],
    });
  });
});
