import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { MqttClient } from 'mqtt';
import { startTestApp, TestApp } from './support/test-app';
import { scratchDir, ServerProcess, startServer } from './support/processes';
import { subscribe } from './support/subscriptions';
import { TEST_MQTT_URL } from '../src/data/database/test-databases.testing';

const KEY = 'ingest-key-0123456789';
/** Shifts covering the whole day, so that "now" is in a shift whenever the suite runs. */
const ALL_DAY = 'First 00:00-12:00,Second 12:00-24:00';
/** The tests poll every 100 ms; they are not about rate limits. */
const POLLING = '10000/minute';
const auth = { authorization: `Bearer ${KEY}` };

const INGEST = `mutation($input: IngestInput!) {
  ingest(input: $input) { accepted duplicates rejected { eventId machine reason } warnings }
}`;
const today = () => new Date().toISOString().slice(0, 10);
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** Total parts of the last two days (a run may cross midnight), from the server at `url`. */
async function totalParts(url: string): Promise<number> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `{ oee(startDate: "${yesterday()}", endDate: "${today()}") { totalParts } }`,
    }),
  });
  const body = (await response.json()) as {
    data?: { oee: { totalParts: number } };
    errors?: { message: string }[];
  };
  if (!body.data) throw new Error(`oee failed: ${JSON.stringify(body.errors)}`);
  return body.data.oee.totalParts;
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000) {
  const until = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

describe('ingest over GraphQL', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      INGEST_API_KEYS: KEY,
      SHIFTS: ALL_DAY,
      DEMO_DATA: 'true',
      RATE_LIMIT_DEFAULT: POLLING,
    });
  });
  afterAll(() => app.close());

  it('is closed without INGEST_API_KEYS and refuses a wrong key', async () => {
    const closed = await startTestApp({});
    try {
      const { body } = await closed.gql(INGEST, { input: {} }, auth);
      expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(body.errors?.[0].message).toMatch(/set INGEST_API_KEYS/);
    } finally {
      await closed.close();
    }
    const wrong = await app.gql(INGEST, { input: {} }, { authorization: 'Bearer nope' });
    expect(wrong.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers per signal and is reflected by the next query', async () => {
    const before = await totalParts(app.url);
    const at = new Date().toISOString();
    const { body } = await app.gql(
      INGEST,
      {
        input: {
          counts: [
            { machine: 'CNC-001', eventId: 'e2e-1', at, parts: 7, scrap: 1 },
            { machine: 'cnc-001', eventId: 'e2e-1', at, parts: 7, scrap: 1 },
            { machine: 'CNC-404', eventId: 'e2e-2', at, parts: 7 },
          ],
          states: [{ machine: 'CNC-001', eventId: 'e2e-3', at: Date.now(), state: 'RUNNING' }],
        },
      },
      auth,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.ingest).toMatchObject({
      accepted: 2,
      duplicates: 1,
      rejected: [
        { eventId: 'e2e-2', machine: 'CNC-404', reason: expect.stringMatching(/^Unknown machine/) },
      ],
    });
    expect(await totalParts(app.url)).toBe(before + 7);
    const live = await app.gql<{
      currentShift: { machines: { machine: string; state: string }[] };
    }>('{ currentShift { shift machines { machine state parts } } }');
    expect(live.body.data?.currentShift.machines[0]).toMatchObject({
      machine: 'CNC-001',
      state: 'RUNNING',
    });
  });

  it('replays a file of signals through the same path and lists the lines it rejected', async () => {
    const before = await totalParts(app.url);
    const at = new Date().toISOString();
    const file = join(app.dir, 'signals.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({
          kind: 'state',
          machine: 'Testing-001',
          eventId: 'r1',
          at,
          state: 'RUNNING',
        }),
        JSON.stringify({ kind: 'count', machine: 'Testing-001', eventId: 'r2', at, parts: 11 }),
        '',
        JSON.stringify({ kind: 'count', machine: 'Testing-001', eventId: 'r2', at, parts: 11 }),
        '{"kind": "count", "machine": ',
        JSON.stringify({ kind: 'vibration', machine: 'Testing-001', eventId: 'r3', at }),
      ].join('\n'),
    );
    const replayed = await app.cli('replay', file, '--json');
    expect(replayed.code).toBe(1);
    expect(JSON.parse(replayed.stdout)).toMatchObject({
      lines: 6,
      accepted: 2,
      duplicates: 1,
      rejected: 2,
      rejections: [
        { line: 5, reason: expect.stringMatching(/^not JSON/) },
        { line: 6, reason: '"kind" must be one of count, state, quality' },
      ],
    });
    expect(await totalParts(app.url)).toBe(before + 11);
  });

  it('simulates a live plant into the server through the ingest mutation', async () => {
    const simulated = await app.cli(
      'simulate',
      '--machines',
      '4',
      '--rate',
      '20/s',
      '--duration',
      '2',
      '--graphql',
      `${app.url}/graphql`,
      '--key',
      KEY,
    );
    expect(simulated.code).toBe(0);
    const sent = Number(/Signals sent\s+(\d+)/.exec(simulated.stdout)?.[1]);
    expect(sent).toBeGreaterThan(20);
    expect(simulated.stdout).toMatch(new RegExp(`Accepted\\s+${sent}\\n`));
    const live = await app.gql<{ currentShift: { machines: { state: string | null }[] } }>(
      '{ currentShift { machines { machine state } } }',
    );
    expect(live.body.data?.currentShift.machines.map((m) => m.state)).not.toContain(null);
  });

  it('pushes state changes and shift figures to graphql-ws subscribers as signals arrive', async () => {
    const figures = await subscribe<{ currentShiftUpdated: { machine: string; parts: number } }>(
      app.url,
      'subscription { currentShiftUpdated(machine: "Assembly-001") { date shift machine state parts scrap oee } }',
    );
    const states = await subscribe<{ machineStateChanged: { machine: string; state: string } }>(
      app.url,
      'subscription { machineStateChanged { machine state since reason } }',
    );
    try {
      const at = Date.now();
      const { body } = await app.gql(
        INGEST,
        {
          input: {
            states: [
              {
                machine: 'Assembly-001',
                eventId: 'sub-1',
                at,
                state: 'STOPPED',
                reason: 'changeover',
              },
            ],
            counts: [{ machine: 'Assembly-001', eventId: 'sub-2', at, parts: 3 }],
          },
        },
        auth,
      );
      expect(body.data?.ingest).toMatchObject({ accepted: 2 });
      expect((await states.next()).machineStateChanged).toMatchObject({
        machine: 'Assembly-001',
        state: 'STOPPED',
        reason: 'changeover',
      });
      const update = (await figures.next()).currentShiftUpdated;
      expect(update).toMatchObject({ machine: 'Assembly-001', state: 'STOPPED' });
      expect(update.parts).toBeGreaterThanOrEqual(3);
    } finally {
      await figures.close();
      await states.close();
    }
  });

  it('refuses more than 1,000 signals in one call', async () => {
    const at = new Date().toISOString();
    const counts = Array.from({ length: 1001 }, (_, i) => ({
      machine: 'CNC-001',
      eventId: `big-${i}`,
      at,
      parts: 1,
    }));
    const { body } = await app.gql(INGEST, { input: { counts } }, auth);
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0].message).toMatch(/at most 1000 per call/);
  });
});

const needsMqtt = TEST_MQTT_URL ? describe : describe.skip;

/** Against the machine's Mosquitto (TEST_MQTT_URL; CI starts it). Topics and sessions are the run's own. */
needsMqtt('ingest over MQTT', () => {
  const run = randomBytes(4).toString('hex');
  const prefix = `factory-test-${run}`;
  const clientId = `factory-agent-test-${run}`;
  const env = {
    MQTT_URL: TEST_MQTT_URL as string,
    MQTT_TOPIC_PREFIX: prefix,
    MQTT_CLIENT_ID: clientId,
    MQTT_SHARE_GROUP: `group-${run}`,
    INGEST_API_KEYS: KEY,
    SHIFTS: ALL_DAY,
    DEMO_DATA: 'true',
    RATE_LIMIT_DEFAULT: POLLING,
  };
  let publisher: MqttClient;

  beforeAll(async () => {
    publisher = await mqtt.connectAsync(TEST_MQTT_URL as string, { clientId: `pub-${run}` });
  });
  afterAll(async () => {
    await publisher.endAsync();
    // Ends the server's persistent session at the broker.
    const cleanup = await mqtt.connectAsync(TEST_MQTT_URL as string, { clientId, clean: true });
    await cleanup.endAsync();
  });

  const publish = (machine: string, kind: string, payload: unknown) =>
    publisher.publishAsync(
      `${prefix}/${machine}/${kind}`,
      typeof payload === 'string' ? payload : JSON.stringify(payload),
      { qos: 1 },
    );

  it('takes signals from the topics, keeps bad messages as dead letters and shows the broker in /health', async () => {
    const app = await startTestApp(env);
    try {
      const health = await waitFor(
        () =>
          fetch(`${app.url}/health`).then((r) => r.json() as Promise<{ mqtt: { status: string } }>),
        (h) => h.mqtt.status === 'connected',
      );
      expect(health.mqtt.status).toBe('connected');
      const before = await totalParts(app.url);
      await publish('Packaging-001', 'state', {
        eventId: 's1',
        at: Date.now(),
        state: 'STOPPED',
        reason: 'Material',
      });
      await publish('Packaging-001', 'count', {
        eventId: 'c1',
        at: new Date().toISOString(),
        parts: 5,
        scrap: 2,
      });
      await publish('Packaging-001', 'count', '{"eventId": "broken"');
      await publish('Packaging-001', 'count', {
        eventId: 'c2',
        at: Date.now(),
        parts: 1,
        scrap: 3,
      });
      await publish('Nope-1', 'quality', {
        eventId: 'q1',
        at: Date.now(),
        type: 'x',
        severity: 'High',
        partsAffected: 1,
      });
      expect(
        await waitFor(
          () => totalParts(app.url),
          (n) => n === before + 5,
        ),
      ).toBe(before + 5);
      const letters = await waitFor(
        async () =>
          (
            await app.gql<{ deadLetters: { topic: string; reason: string; payload: string }[] }>(
              '{ deadLetters { topic reason payload } }',
              {},
              auth,
            )
          ).body.data?.deadLetters ?? [],
        (list) => list.length === 3,
      );
      expect(letters.map((l) => l.reason).sort()).toEqual([
        expect.stringMatching(/^Unknown machine 'Nope-1'/),
        expect.stringMatching(/^payload is not JSON/),
        'scrap (3) is more than parts (1)',
      ]);
      expect(letters.find((l) => l.reason.startsWith('payload'))).toMatchObject({
        topic: `${prefix}/Packaging-001/count`,
        payload: '{"eventId": "broken"',
      });
      expect(app.output()).toMatch(
        new RegExp(`${prefix}/Nope-1/quality kept as a dead letter: Unknown machine`),
      );
      const live = await app.gql<{
        currentShift: { machines: { machine: string; state: string; reason: string }[] };
      }>('{ currentShift { machines { machine state reason } } }');
      expect(
        live.body.data?.currentShift.machines.find((m) => m.machine === 'Packaging-001'),
      ).toEqual({
        machine: 'Packaging-001',
        state: 'STOPPED',
        reason: 'material',
      });
    } finally {
      await app.close();
    }
  });

  it('simulates a live plant through the broker', async () => {
    const app = await startTestApp(env);
    try {
      const simulated = await app.cli(
        'simulate',
        '--machines',
        '2',
        '--rate',
        '10/s',
        '--duration',
        '2',
        '--mqtt',
        TEST_MQTT_URL as string,
      );
      expect(simulated.code).toBe(0);
      const states = await waitFor(
        async () =>
          (
            await app.gql<{ currentShift: { machines: { machine: string; state: string }[] } }>(
              '{ currentShift { machines { machine state } } }',
            )
          ).body.data?.currentShift.machines.slice(0, 2) ?? [],
        (machines) => machines.every((m) => m.state !== null),
      );
      expect(states).toEqual([
        { machine: 'CNC-001', state: expect.stringMatching(/^(RUNNING|STOPPED)$/) },
        { machine: 'Assembly-001', state: expect.stringMatching(/^(RUNNING|STOPPED)$/) },
      ]);
    } finally {
      await app.close();
    }
  });

  it('loses no acknowledged signal and counts none twice when the server is killed mid-stream', async () => {
    const { dir, cleanup } = scratchDir();
    const serverEnv = {
      ...env,
      DATABASE_URL: `file:${join(dir, 'factory.db')}`,
      DEMO_DATA: 'false',
    };
    let server: ServerProcess | null = null;
    try {
      // A machine to count on: created by the first signal.
      server = await startServer({
        cwd: dir,
        env: { ...serverEnv, INGEST_AUTO_CREATE_MACHINES: 'true' },
      });
      // The server subscribes once it is listening: a message published before that reaches no
      // one (a new session has no subscription yet). Sent again until counted: a repeated eventId
      // counts once.
      const url = server.url;
      let firstCounted = 0;
      for (let attempt = 0; attempt < 20 && firstCounted !== 1; attempt++) {
        await publish('Press-1', 'count', { eventId: 'first', at: Date.now(), parts: 1 });
        firstCounted = await waitFor(
          () => totalParts(url),
          (n) => n === 1,
          1_000,
        );
      }
      expect(firstCounted).toBe(1);

      // The broker queues at most 1,000 messages for a session (Mosquitto's default) and drops the
      // rest: with 1,200, a server that had consumed few before the kill (a loaded CI machine) never
      // received 60 of them. 1,000 in all cannot overflow it, however far the server lags.
      const total = 1000;
      let published = 1;
      const stream = (async () => {
        for (let i = 1; i < total; i++) {
          await publish('Press-1', 'count', { eventId: `n${i}`, at: Date.now(), parts: 1 });
          published++;
          if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await waitFor(
        () => Promise.resolve(published),
        (n) => n >= total / 3,
      );
      await server.stop('SIGKILL');
      server = null;
      await stream;
      expect(published).toBe(total);
      server = await startServer({ cwd: dir, env: serverEnv });
      const restarted = server.url;
      const counted = await waitFor(
        () => totalParts(restarted),
        (n) => n >= total,
        40_000,
      );
      expect(counted).toBe(total);
      // Nothing more arrives later (a message counted twice would show up here).
      await new Promise((r) => setTimeout(r, 1000));
      expect(await totalParts(restarted)).toBe(total);
    } finally {
      await server?.stop();
      cleanup();
    }
  }, 150_000);
});
