import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startTestApp, TestApp } from './support/test-app';
import { FIXTURES } from './support/processes';
import {
  createTestDatabase,
  redisPrefix,
  setConnectionsAllowed,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  TestDatabase,
} from '../src/data/database/test-databases.testing';
import { FakeLlm } from './support/fake-llm-server';
import { subscribe } from './support/subscriptions';

const INGEST_KEY = 'scale-out-ingest-key-0123';
const I3X_KEY = 'scale-out-i3x-key-0123456';

const needsServices = TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip;
const needsPostgres = TEST_DATABASE_URL ? describe : describe.skip;

/** Every metric of a range in one query: the figures two deployments must agree on. */
const everything = (range: string) => `{
  oee(${range}) { oee availability performance quality totalParts goodParts plannedBusyHours runHours warnings
    byMachine { machine oee availability performance quality totalParts }
    byShift { shift oee availability performance quality totalParts plannedBusyHours }
    daily { date oee availability performance quality } }
  scrap(${range}) { totalScrap totalParts scrapRate scrapByMachine { machine scrapRate } daily { date scrapRate } }
  qualityIssues(${range}) { totalIssues totalPartsAffected severityBreakdown { severity count }
    issues(limit: 1000) { date machine type severity partsAffected description } }
  downtime(${range}) { totalDowntimeHours plannedDowntimeHours unplannedDowntimeHours failures failureHours mtbfHours mttrHours
    downtimeByReason { reason hours events planned } majorEvents(limit: 1000) { date machine reason durationHours } }
  stats { startDate endDate totalDays daysWithData totalMachines totalShifts totalRecords }
}`;

/**
 * Several instances on one PostgreSQL and one Redis (CI provides both: TEST_DATABASE_URL,
 * TEST_REDIS_URL). Skipped, with a message from test/global-setup.js, when they are not set.
 */
needsServices('scale-out: two instances, one PostgreSQL, one Redis', () => {
  const llm = new FakeLlm();
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    await llm.start();
    database = await createTestDatabase('postgres');
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL as string,
      REDIS_KEY_PREFIX: redisPrefix(),
      RATE_LIMIT_CHAT: '3/minute',
      RATE_LIMIT_SETUP: '2/minute',
      ADMIN_API_KEY: 'scale-out-admin-key-0123',
      INGEST_API_KEYS: INGEST_KEY,
      I3X_API_KEYS: I3X_KEY,
      // The whole day in shifts, so that "now" is in one whenever the suite runs.
      SHIFTS: 'First 00:00-12:00,Second 12:00-24:00',
      OPENAI_BASE_URL: `${llm.url}/v1`,
    };
    // Started together: both run the migrations at once, and Kysely's migration lock serialises them.
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await database?.drop();
    await llm.stop();
  });

  it('ran each migration once although both instances started together', async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ name: string }>('select name from kysely_migration');
    await client.end();
    expect(rows.map((r) => r.name)).toEqual([
      '0001-initial',
      '0002-summaries',
      '0003-stored-sums',
      '0004-live-signals',
      '0005-shift-minutes',
      '0006-off-shift-production',
      '0007-machine-targets',
      '0008-alerts',
      '0009-i3x-subscriptions',
      '0010-plant-targets',
      '0011-stop-starts',
    ]);
  });

  it('answers data imported through one instance from the other, with identical numbers', async () => {
    expect((await a.cli('import', join(FIXTURES, 'legacy-production.json'))).code).toBe(0);
    const query = everything('startDate: "2025-10-13", endDate: "2025-11-02"');
    const [fromA, fromB] = await Promise.all([a.gql(query), b.gql(query)]);
    expect(fromA.body.errors).toBeUndefined();
    expect(fromA.body.data?.stats.totalRecords).toBe(94);
    expect(fromB.body).toEqual(fromA.body);
  });

  it('sees a merge made by another process on both instances at the next query, patched in', async () => {
    const range = 'startDate: "2025-10-13", endDate: "2025-11-02"';
    const before = (await a.gql(everything(range))).body;
    const patch = join(mkdtempSync(join(tmpdir(), 'scale-out-')), 'patch.json');
    writeFileSync(
      patch,
      JSON.stringify({
        machines: [{ id: 1, name: 'CNC-001', type: 'CNC', ideal_cycle_time: 45 }],
        production: {
          '2025-10-20': {
            'CNC-001': {
              parts_produced: 100,
              good_parts: 90,
              scrap_parts: 10,
              uptime_hours: 4,
              downtime_hours: 4,
              downtime_events: [
                { reason: 'mechanical', description: 'spindle', duration_hours: 4 },
              ],
              quality_issues: [],
            },
          },
        },
      }),
    );
    expect((await a.cli('import', patch, '--merge')).code).toBe(0);
    const [fromA, fromB] = await Promise.all([a.gql(everything(range)), b.gql(everything(range))]);
    expect(fromA.body.errors).toBeUndefined();
    expect(fromA.body.data?.oee.totalParts).not.toBe(before.data?.oee.totalParts);
    expect(fromB.body).toEqual(fromA.body);
    // Both patched their rollups rather than rebuilding them: each built one, at its first query.
    for (const app of [a, b])
      expect(app.output().match(/Built the metrics rollup/g)).toHaveLength(1);
  });

  it('pushes a live signal written through one instance to a subscriber of the other (Redis)', async () => {
    const updates = await subscribe<{ currentShiftUpdated: { machine: string; parts: number } }>(
      b.url,
      'subscription { currentShiftUpdated(machine: "CNC-001") { machine state parts } }',
    );
    try {
      const at = new Date().toISOString();
      const { body } = await a.gql(
        `mutation { ingest(input: { states: [{ machine: "CNC-001", eventId: "so-1", at: "${at}", state: "RUNNING" }],
          counts: [{ machine: "CNC-001", eventId: "so-2", at: "${at}", parts: 42 }] }) { accepted } }`,
        {},
        { authorization: `Bearer ${INGEST_KEY}` },
      );
      expect(body.data?.ingest.accepted).toBe(2);
      expect((await updates.next()).currentShiftUpdated).toEqual({
        machine: 'CNC-001',
        state: 'RUNNING',
        parts: 42,
      });
      // And the next query on the other instance sees it.
      const live = await b.gql('{ currentShift { machines { machine parts } } }');
      expect(live.body.data?.currentShift.machines).toContainEqual({
        machine: 'CNC-001',
        parts: 42,
      });
    } finally {
      await updates.close();
    }
  });

  it('serves an i3X subscription through either instance: created on one, synced and streamed on the other', async () => {
    const call = async (app: TestApp, path: string, body: unknown) => {
      const response = await fetch(`${app.url}/i3x/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${I3X_KEY}` },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const ingest = async (app: TestApp, eventId: string, parts: number) => {
      const { body } = await app.gql(
        'mutation($input: IngestInput!) { ingest(input: $input) { accepted } }',
        { input: { counts: [{ machine: 'CNC-001', eventId, at: Date.now(), parts }] } },
        { authorization: `Bearer ${INGEST_KEY}` },
      );
      expect(body.data?.ingest.accepted).toBe(1);
    };
    const clientId = 'scale-out-client';
    const elementId = 'machine:CNC-001:current-shift';
    const { subscriptionId } = (await call(a, '/subscriptions', { clientId })).body.result;
    const ids = { clientId, subscriptionId };
    expect(
      (await call(b, '/subscriptions/register', { ...ids, elementIds: [elementId] })).body.success,
    ).toBe(true);
    const listed = await call(a, '/subscriptions/list', {
      clientId,
      subscriptionIds: [subscriptionId],
    });
    expect(listed.body.results[0].result.monitoredObjects).toEqual([{ elementId, maxDepth: 1 }]);
    // A running machine's figures move with time: a sync may bring more than one batch.
    const latest = (batches: { sequenceNumber: number; updates: any[] }[]) => batches.at(-1)!;
    const first = (await call(a, '/subscriptions/sync', ids)).body.result;
    expect(first[0]).toEqual({
      sequenceNumber: 1,
      updates: [expect.objectContaining({ elementId, quality: 'Good' })],
    });
    const parts = latest(first).updates[0].value.totalParts as number;
    const acknowledged = latest(first).sequenceNumber;

    // A signal written through a: b's next sync has the change, after the acknowledged batches.
    await ingest(a, 'so-i3x-1', 5);
    const second = (
      await call(b, '/subscriptions/sync', { ...ids, lastSequenceNumber: acknowledged })
    ).body.result;
    expect(second[0].sequenceNumber).toBe(acknowledged + 1);
    expect(latest(second).updates).toEqual([
      expect.objectContaining({
        elementId,
        value: expect.objectContaining({ totalParts: parts + 5 }),
      }),
    ]);

    // Streamed by b: a refuses to sync it, and a signal written through a reaches b's stream.
    const controller = new AbortController();
    const stream = await fetch(`${b.url}/i3x/v1/subscriptions/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${I3X_KEY}` },
      body: JSON.stringify(ids),
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    let received = '';
    // The batches not acknowledged yet first.
    while (!received.includes('\n\n'))
      received += new TextDecoder().decode((await reader.read()).value);
    expect(received).toContain(`"totalParts":${parts + 5}`);
    expect((await call(a, '/subscriptions/sync', ids)).status).toBe(400);
    await ingest(a, 'so-i3x-2', 3);
    while (!received.includes(`"totalParts":${parts + 8}`)) {
      received += new TextDecoder().decode((await reader.read()).value);
    }
    // A stream opened through a takes it over: b ends its own at its next renewal (15 s).
    const takeover = new AbortController();
    const onA = await fetch(`${a.url}/i3x/v1/subscriptions/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${I3X_KEY}` },
      body: JSON.stringify(ids),
      signal: takeover.signal,
    });
    expect(onA.status).toBe(200);
    const ended = Date.now() + 25_000;
    while (!(await reader.read()).done) expect(Date.now()).toBeLessThan(ended);
    controller.abort();
    takeover.abort();

    // Closed: a syncs it again, and a delete through b is seen by a.
    let status = 400;
    for (const until = Date.now() + 10_000; status === 400 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await call(a, '/subscriptions/sync', ids)).status;
    }
    expect(status).toBe(200);
    await call(b, '/subscriptions/delete', { clientId, subscriptionIds: [subscriptionId] });
    expect((await call(a, '/subscriptions/sync', ids)).status).toBe(404);
  });

  it("loses none of the plant's target changes made through both instances at once", async () => {
    const admin = { authorization: 'Bearer scale-out-admin-key-0123' };
    const set = (app: TestApp, target: string) =>
      app.gql(`mutation { setPlantTargets(${target}) { oee } }`, undefined, admin);
    const results = await Promise.all([
      set(a, 'availability: 0.81'),
      set(b, 'performance: 0.82'),
      set(a, 'quality: 0.83'),
      set(b, 'scrapRate: 4.5'),
    ]);
    expect(results.map((r) => r.body.errors)).toEqual([undefined, undefined, undefined, undefined]);
    const { body } = await b.gql(
      '{ targets { plant { availability performance quality scrapRate } } }',
    );
    expect(body.data?.targets.plant).toEqual({
      availability: 0.81,
      performance: 0.82,
      quality: 0.83,
      scrapRate: 4.5,
    });
  });

  it('admits N chat requests per minute in total across both instances, not 2N', async () => {
    llm.reply({ content: 'ok' });
    const results = [];
    for (const app of [a, b, a, b, a, b]) {
      results.push(
        (await app.gql('mutation { chat(input: { message: "hi" }) { response } }')).body,
      );
    }
    const admitted = results.filter((body) => !body.errors);
    expect(admitted).toHaveLength(3);
    expect(results.slice(3).map((body) => body.errors?.[0]?.extensions?.code)).toEqual([
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
    ]);
  });

  it('admits N setup calls per minute in total across both instances', async () => {
    const headers = { authorization: 'Bearer scale-out-admin-key-0123' };
    const setup = (app: TestApp) =>
      app.gql('mutation { setup(days: 2, machines: 1) { days } }', undefined, headers);
    const codes = [];
    for (const app of [b, a, b, a])
      codes.push((await setup(app)).body.errors?.[0]?.extensions?.code ?? 'ok');
    expect(codes).toEqual(['ok', 'ok', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
  });
});

needsPostgres('PostgreSQL storage', () => {
  it('gives the same metrics as SQLite for the legacy fixture and for a generated dataset', async () => {
    const sqlite = await startTestApp({}, { database: 'sqlite' });
    const postgres = await startTestApp({}, { database: 'postgres' });
    try {
      for (const [load, range] of [
        [
          ['import', join(FIXTURES, 'legacy-production.json')],
          'startDate: "2025-10-13", endDate: "2025-11-02"',
        ],
        [
          ['setup', '--days', '60', '--machines', '7', '--seed', '11', '--end-date', '2026-03-31'],
          'startDate: "2026-01-01", endDate: "2026-03-31"',
        ],
      ] as const) {
        expect((await sqlite.cli(...load)).code).toBe(0);
        expect((await postgres.cli(...load)).code).toBe(0);
        const [fromSqlite, fromPostgres] = await Promise.all([
          sqlite.gql(everything(range)),
          postgres.gql(everything(range)),
        ]);
        expect(fromSqlite.body.errors).toBeUndefined();
        expect(fromPostgres.body).toEqual(fromSqlite.body);
      }
    } finally {
      await Promise.all([sqlite.close(), postgres.close()]);
    }
  });

  it('reports a lost database on /health (503) and recovers when it returns, without a restart', async () => {
    const app = await startTestApp({}, { database: 'postgres' });
    try {
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      await setConnectionsAllowed(app.databaseUrl, false);
      const down = await fetch(`${app.url}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ error: { database: { status: 'down' } } });
      await setConnectionsAllowed(app.databaseUrl, true);
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      expect((await app.gql('{ stats { exists } }')).body.errors).toBeUndefined();
    } finally {
      await setConnectionsAllowed(app.databaseUrl, true);
      await app.close();
    }
  });
});

describe('rate limits without Redis', () => {
  it('serves requests when Redis is unreachable (fail open), logs it, and reports it on /health', async () => {
    const app = await startTestApp({
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_DEFAULT: '2/minute',
    });
    try {
      for (let i = 0; i < 4; i++)
        expect((await app.gql('{ stats { exists } }')).body.errors).toBeUndefined();
      const health = await fetch(`${app.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        rateLimits: { store: 'redis', status: 'down' },
      });
      expect(app.output().match(/Redis unreachable/g)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
