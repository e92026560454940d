import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { startTestApp, TestApp } from './support/test-app';
import { cleanEnv, FIXTURES, MAIN, runCli, scratchDir } from './support/processes';
import {
  createTestDatabase,
  DATABASE_KINDS,
  redisPrefix,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
} from '../src/data/database/test-databases.testing';
import { FakeLlm } from './support/fake-llm-server';
import { worstStall } from './support/stall-probe';

const SMALL_PLANT = join(FIXTURES, 'small-plant.json');
const RANGE = 'startDate: "2026-01-05", endDate: "2026-01-06"';
const ADMIN_KEY = 'reliability-admin-key-0123';
const needsPostgres = TEST_DATABASE_URL ? describe : describe.skip;

/** `fragment F1 on OeeMetrics { ...F0 ...F0 }` ... up to F<n>: 2^n expansions when re-expanded. */
function doublingChain(n: number): string {
  const fragments = ['fragment F0 on OeeMetrics { oee }'];
  for (let i = 1; i <= n; i++) {
    fragments.push(`fragment F${i} on OeeMetrics { ...F${i - 1} ...F${i - 1} }`);
  }
  return `{ oee(${RANGE}) { ...F${n} } } ${fragments.join(' ')}`;
}

describe('reliability: requests that must not take the server down or make it lie', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(
      { RATE_LIMIT_DEFAULT: '100000/minute', ADMIN_API_KEY: ADMIN_KEY },
      { importFile: SMALL_PLANT },
    );
  });
  afterAll(() => t.close());

  it('answers a ~1 KB chain of 29 doubling fragments at once, and /health stays responsive (regression: minutes of blocked event loop)', async () => {
    const stall = await worstStall(t.url, async () => {
      const { status, body } = await t.gql(doublingChain(29));
      expect(status).toBe(200);
      expect(body.data?.oee).toEqual({ oee: expect.any(Number) });
    });
    expect(stall).toBeLessThan(500);
  });

  it('refuses documents with too many tokens, fragments or selections before any work', async () => {
    const tokens = await t.gql(
      `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
    );
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors?.[0]).toMatchObject({
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      message: expect.stringMatching(/contains more th.. 5000 tokens/),
    });
    const fragments = await t.gql(doublingChain(60));
    expect(fragments.status).toBe(400);
    expect(fragments.body.errors?.[0]).toMatchObject({
      extensions: { code: 'QUERY_TOO_COMPLEX' },
      message: 'The document defines 61 fragments; at most 50 are allowed.',
    });
    const wide = `{ stats { ${Array.from({ length: 1200 }, (_, i) => `f${i}: exists`).join(' ')} } }`;
    expect((await t.gql(wide)).body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('answers malformed operations with the client errors of the GraphQL-over-HTTP spec, logged at warn (regression: 500s with stack traces)', async () => {
    const post = (body: unknown) =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const before = t.output().length;

    const twoAnonymous = await post({
      query: 'query A { stats { exists } } query B { stats { exists } }',
    });
    expect(twoAnonymous.status).toBe(400);
    expect(twoAnonymous.body.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');

    const missing = await post({ query: 'query A { stats { exists } }', operationName: 'B' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');

    const wrongHash = await post({
      query: '{ stats { exists } }',
      extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
    });
    expect(wrongHash.status).toBe(400);
    expect(wrongHash.body.errors[0]).toMatchObject({
      message: 'provided sha does not match query',
      extensions: { code: 'BAD_REQUEST' },
    });

    // Subscriptions run over WebSocket (graphql-ws): over HTTP they are the client's mistake.
    const subscription = await post({ query: 'subscription { machineStateChanged { machine } }' });
    expect(subscription.status).toBe(400);
    expect(subscription.body.errors[0]).toMatchObject({
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      message: expect.stringMatching(
        /^Subscriptions are served over WebSocket with the graphql-ws/,
      ),
    });

    const logged = t.output().slice(before);
    expect(logged).not.toMatch(/ERROR|TypeError|Internal error/);
    expect(logged).toMatch(/WARN.*OPERATION_RESOLUTION_FAILURE/);
  });

  it('explains a non-string date literal (regression: "Invalid date undefined")', async () => {
    const { body } = await t.gql('{ oee(startDate: 20260105, endDate: "2026-01-06") { oee } }');
    expect(body.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: 'Invalid date 20260105: expected a string "YYYY-MM-DD" such as "2026-01-31"',
    });
  });

  it('cuts a huge unknown machine name in the message (regression: echoed 250 KB)', async () => {
    const machine = 'X'.repeat(200_000);
    const { body } = await t.gql(
      'query ($m: String) { oee(startDate: "2026-01-05", endDate: "2026-01-06", machine: $m) { oee } }',
      { m: machine },
    );
    const message = body.errors?.[0]?.message as string;
    expect(message).toMatch(
      /^Unknown machine 'X{60}\.\.\. \(200000 characters\)'\. Known machines: M1, M2$/,
    );
  });

  it('serves a repeated X-Request-Id fresh data after a write (regression: stale sums keyed by the request id)', async () => {
    // Writes: a server and database of its own.
    const app = await startTestApp(
      { RATE_LIMIT_DEFAULT: '100000/minute', ADMIN_API_KEY: ADMIN_KEY },
      { importFile: SMALL_PLANT },
    );
    try {
      const ask = async () =>
        (
          await app.gql(
            `{ oee(${RANGE}) { totalParts } scrap(${RANGE}) { totalScrap } }`,
            undefined,
            {
              'x-request-id': 'retry-1',
            },
          )
        ).body.data;
      expect(await ask()).toEqual({ oee: { totalParts: 1700 }, scrap: { totalScrap: 30 } });
      expect(
        (await app.cli('import', join(FIXTURES, 'small-plant-patch.json'), '--merge')).code,
      ).toBe(0);
      expect(await ask()).toEqual({ oee: { totalParts: 1800 }, scrap: { totalScrap: 37 } });
    } finally {
      await app.close();
    }
  });

  it('answers 140 aliased stats fields from one computation, and a large setup does not stall readers (regression: 3-4 s of blocked event loop)', async () => {
    // Writes: a server and database of its own.
    const app = await startTestApp(
      { RATE_LIMIT_DEFAULT: '100000/minute', ADMIN_API_KEY: ADMIN_KEY },
      { importFile: SMALL_PLANT },
    );
    try {
      const setup = app.gql(
        'mutation { setup(days: 365, machines: 100, seed: 3) { days } }',
        undefined,
        { authorization: `Bearer ${ADMIN_KEY}` },
      );
      const stall = await worstStall(app.url, () =>
        setup.then(({ body }) => expect(body.errors).toBeUndefined()),
      );
      expect(stall).toBeLessThan(1000);

      const aliases = Array.from(
        { length: 140 },
        (_, i) => `s${i}: stats { totalRecords totalMachines }`,
      ).join(' ');
      const statsStall = await worstStall(app.url, async () => {
        const { body } = await app.gql(`{ ${aliases} }`);
        expect(new Set(Object.values(body.data ?? {}).map((s) => JSON.stringify(s)))).toEqual(
          new Set([JSON.stringify({ totalRecords: 36_500, totalMachines: 100 })]),
        );
      });
      expect(statsStall).toBeLessThan(500);
    } finally {
      await app.close();
    }
  });

  it('reports an unusable database on /health with a short reason, the detail only in the log (regression: the error text in a public answer)', async () => {
    const app = await startTestApp({}, { importFile: SMALL_PLANT });
    try {
      const { default: SqliteDatabase } = await import('better-sqlite3');
      const sqlite = new SqliteDatabase(app.databaseFile);
      sqlite.exec('drop table kysely_migration;');
      sqlite.close();
      const health = await fetch(`${app.url}/health`);
      expect(health.status).toBe(503);
      const body = await health.text();
      expect(JSON.parse(body)).toMatchObject({
        error: { database: { status: 'down', message: 'The database does not answer.' } },
      });
      expect(body).not.toMatch(/kysely_migration|no such table|sqlite/i);
      expect(app.output()).toMatch(/no such table: kysely_migration/);
    } finally {
      await app.close();
    }
  });
});

describe('counts beyond 32 bits', () => {
  it('answers 3 lines x 1000 days x 800,000 parts exactly (regression: INTERNAL_SERVER_ERROR for counts over 2^31-1)', async () => {
    const names = ['Line-1', 'Line-2', 'Line-3'];
    const production: Record<string, Record<string, unknown>> = {};
    for (let d = 0; d < 1000; d++) {
      const date = new Date(Date.UTC(2023, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      production[date] = Object.fromEntries(
        names.map((name) => [
          name,
          {
            parts_produced: 800_000,
            good_parts: 790_000,
            scrap_parts: 10_000,
            uptime_hours: 23,
            downtime_hours: 1,
            downtime_events: [{ reason: 'mechanical', description: 'Jam', duration_hours: 1 }],
            quality_issues: [
              { type: 'surface', description: 'x', parts_affected: 10_000, severity: 'Low' },
            ],
          },
        ]),
      );
    }
    const file = {
      machines: names.map((name, id) => ({ id, name, type: 'Bottling', ideal_cycle_time: 0.1 })),
      production,
    };
    const app = await startTestApp({});
    try {
      writeFileSync(join(app.dir, 'big.json'), JSON.stringify(file));
      const imported = await app.cli('import', 'big.json');
      expect(imported.stderr).toBe('');
      const range = 'startDate: "2023-01-01", endDate: "2025-12-31"';
      const { body } = await app.gql(`{
        oee(${range}) { totalParts goodParts scrapParts byMachine { totalParts } }
        scrap(${range}) { totalScrap totalParts scrapByMachine { scrapParts } }
        qualityIssues(${range}) { totalIssues totalPartsAffected }
        downtime(${range}) { failures downtimeByReason { events } }
      }`);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({
        oee: {
          totalParts: 2_400_000_000,
          goodParts: 2_370_000_000,
          scrapParts: 30_000_000,
          byMachine: names.map(() => ({ totalParts: 800_000_000 })),
        },
        scrap: {
          totalScrap: 30_000_000,
          totalParts: 2_400_000_000,
          scrapByMachine: names.map(() => ({ scrapParts: 10_000_000 })),
        },
        qualityIssues: { totalIssues: 3000, totalPartsAffected: 30_000_000 },
        downtime: { failures: 3000, downtimeByReason: [{ events: 3000 }] },
      });
    } finally {
      await app.close();
    }
  });
});

describe('TRUST_PROXY', () => {
  it('limits a client behind one proxy by the address that proxy saw, whatever X-Forwarded-For it starts with (regression: any client bypassed the limit)', async () => {
    const app = await startTestApp({ TRUST_PROXY: '1', RATE_LIMIT_DEFAULT: '2/minute' });
    try {
      const query = (spoofed: string) =>
        app.gql('{ stats { exists } }', undefined, { 'x-forwarded-for': `${spoofed}, 10.0.0.9` });
      expect((await query('1.1.1.1')).body.errors).toBeUndefined();
      expect((await query('2.2.2.2')).body.errors).toBeUndefined();
      expect((await query('3.3.3.3')).body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
      // Another client of the same proxy has its own budget.
      const other = await app.gql('{ stats { exists } }', undefined, {
        'x-forwarded-for': '10.0.0.10',
      });
      expect(other.body.errors).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('start-up against an unreachable database', () => {
  it.each([
    [
      'development',
      /^Start-up failed: Cannot reach the database: check DATABASE_URL and that the database is running \(connect ECONNREFUSED 127\.0\.0\.1:1\)$/,
    ],
    ['production', /^\{"level":"fatal",.*"message":"Start-up failed: Cannot reach the database/],
  ])('prints one line (%s; regression: a 39-line coloured stack)', async (nodeEnv, line) => {
    const child = spawn(process.execPath, [MAIN], {
      env: cleanEnv({
        NODE_ENV: nodeEnv,
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        PORT: '0',
      }),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    const lines = output
      .split('\n')
      .filter((l) => l.trim() && !/NestFactory|InstanceLoader/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(output).not.toContain(String.fromCharCode(27));
    expect(output).not.toMatch(/at async/);
  });
});

describe('the CLI against an unreachable database', () => {
  it('prints one line, not a stack trace', async () => {
    const { dir, cleanup } = scratchDir();
    try {
      const result = await runCli(['stats'], {
        cwd: dir,
        env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'Error: Cannot reach the database: check DATABASE_URL and that the database is running (connect ECONNREFUSED 127.0.0.1:1)\n',
      );
    } finally {
      cleanup();
    }
  });
});

/**
 * Readers must see one state of the data per request, while `setup` and `import` replace it (from
 * another process, the CLI, and through the API).
 */
describe.each(DATABASE_KINDS)('consistent reads during writes on %s', (database) => {
  const FULL = (range: string) => `{
    stats { totalMachines totalRecords daysWithData totalDays }
    machines { name }
    oee(${range}) { totalParts byMachine { machine totalParts } daily { totalParts } }
    qualityIssues(${range}) { totalIssues issues(limit: 1000) { machine } }
    downtime(${range}) { totalDowntimeHours downtimeByReason { hours } }
  }`;

  /** Why an answer mixes two states, or null when it is one state. */
  function inconsistency(data: any): string | null {
    const { stats, machines, oee, qualityIssues } = data;
    const names = new Set((machines as { name: string }[]).map((m) => m.name));
    const sum = (rows: { totalParts: number }[]) => rows.reduce((n, r) => n + r.totalParts, 0);
    if (machines.length !== stats.totalMachines)
      return `machines ${machines.length} vs stats ${stats.totalMachines}`;
    if (stats.totalRecords !== stats.totalMachines * stats.daysWithData)
      return `records ${stats.totalRecords} vs ${stats.totalMachines} x ${stats.daysWithData}`;
    if (sum(oee.byMachine) !== oee.totalParts) return 'byMachine does not add up to the total';
    if (sum(oee.daily) !== oee.totalParts) return 'daily does not add up to the total';
    if (oee.byMachine.some((m: { machine: string }) => !names.has(m.machine)))
      return 'byMachine names an unknown machine';
    if (qualityIssues.issues.length !== Math.min(qualityIssues.totalIssues, 1000))
      return 'issue list and total differ';
    if (qualityIssues.issues.some((i: { machine: string }) => !names.has(i.machine)))
      return 'an issue of an unknown machine';
    return null;
  }

  it('never answers with a mix of old and new data (regression: 45 of 427 answers mixed on PostgreSQL)', async () => {
    const app = await startTestApp(
      {
        RATE_LIMIT_DEFAULT: '1000000/minute',
        RATE_LIMIT_SETUP: '1000/minute',
        ADMIN_API_KEY: ADMIN_KEY,
      },
      { database },
    );
    try {
      // Wide enough for every dataset written below, the API's included (it ends today).
      const range = 'startDate: "2025-01-01", endDate: "2030-12-31"';
      // A file to import: 7 machines x 20 days, so an import is a state of its own.
      await app.cli('setup', '--machines', '7', '--days', '20', '--end-date', '2026-02-20');
      expect((await app.cli('export', 'seven.json')).code).toBe(0);
      const writes = async () => {
        for (let round = 0; round < 3; round++) {
          await app.cli('setup', '--machines', '4', '--days', '30', '--end-date', '2026-03-31');
          await app.cli('import', 'seven.json');
          await app.cli('setup', '--machines', '9', '--days', '60', '--end-date', '2026-03-31');
          await app.gql('mutation { setup(days: 45, machines: 6, seed: 2) { days } }', undefined, {
            authorization: `Bearer ${ADMIN_KEY}`,
          });
        }
      };
      let answers = 0;
      const problems: string[] = [];
      let writing = true;
      const reader = async () => {
        while (writing) {
          const { body } = await app.gql(FULL(range));
          if (body.errors) problems.push(JSON.stringify(body.errors));
          else if (body.data?.stats.totalMachines > 0) {
            answers++;
            const problem = inconsistency(body.data);
            if (problem) problems.push(problem);
          }
        }
      };
      const readers = Promise.all([reader(), reader(), reader()]);
      await writes().finally(() => (writing = false));
      await readers;
      expect(problems).toEqual([]);
      expect(answers).toBeGreaterThan(20);
    } finally {
      await app.close();
    }
  }, 180_000);
});

const needsPostgresAndRedis = TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip;

needsPostgresAndRedis('clients that hang up', () => {
  it('leave no read snapshot open behind them (regression: 300 hang-ups took every connection)', async () => {
    const db = await createTestDatabase('postgres');
    const app = await startTestApp({
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: TEST_REDIS_URL as string,
      REDIS_KEY_PREFIX: redisPrefix(),
      RATE_LIMIT_DEFAULT: '1000000/minute',
    });
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      expect((await app.cli('import', SMALL_PLANT)).code).toBe(0);
      const { port } = new URL(app.url);
      const body = JSON.stringify({ query: '{ machines { name } stats { totalRecords } }' });
      const request =
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      for (let i = 0; i < 200; i++) {
        await new Promise<void>((resolve) => {
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.end(request);
            socket.destroy();
            resolve();
          });
          socket.on('error', () => resolve());
        });
      }
      // The hung-up requests drain through the pool; a leak would leave connections for good.
      const name = new URL(db.url).pathname.slice(1);
      const idleInTransaction = async () =>
        Number(
          (
            await admin.query<{ count: string }>(
              "select count(*) from pg_stat_activity where datname = $1 and state = 'idle in transaction'",
              [name],
            )
          ).rows[0].count,
        );
      let idle = await idleInTransaction();
      for (const until = Date.now() + 15_000; idle > 0 && Date.now() < until;) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        idle = await idleInTransaction();
      }
      expect(idle).toBe(0);
      const { body: answer } = await app.gql(`{ oee(${RANGE}) { totalParts } }`);
      expect(answer).toEqual({ data: { oee: { totalParts: 1700 } } });
    } finally {
      await admin.end();
      await app.close();
      await db.drop();
    }
  });
});

needsPostgres('chat and the connection pool', () => {
  it('holds no database connection while the model thinks (regression: each chat held one for its whole turn)', async () => {
    const llm = new FakeLlm();
    await llm.start();
    llm.reply({ stallMs: 3000 });
    const db = await createTestDatabase('postgres');
    const app = await startTestApp({
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '2',
      OPENAI_BASE_URL: `${llm.url}/v1`,
      RATE_LIMIT_CHAT: '1000/minute',
      RATE_LIMIT_DEFAULT: '1000/minute',
    });
    try {
      expect((await app.cli('import', SMALL_PLANT)).code).toBe(0);
      // Warm (the first query after an import builds the rollup), so that only waiting is measured.
      await app.gql(`{ oee(${RANGE}) { totalParts } }`);
      const ask = () => app.gql('mutation { chat(input: { message: "OEE?" }) { response } }');
      const chats = Promise.all([ask(), ask(), ask()]);
      // All three are with the model now.
      for (const until = Date.now() + 10_000; llm.completions.length < 3 && Date.now() < until;) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(llm.completions).toHaveLength(3);
      const started = performance.now();
      const { body } = await app.gql(`{ oee(${RANGE}) { totalParts } }`);
      const waited = performance.now() - started;
      expect(body).toEqual({ data: { oee: { totalParts: 1700 } } });
      // Three chats wait 3 s for the model with a pool of 2; the query must not wait for them.
      expect(waited).toBeLessThan(1500);
      for (const chat of await chats) expect(chat.body.data?.chat.response).toBe('too late');
    } finally {
      await app.close();
      await db.drop();
      await llm.stop();
    }
  });
});

needsPostgres('a PostgreSQL connection lost while in use', () => {
  it('fails the requests in flight with DATABASE_UNAVAILABLE and keeps serving (regression: the process exited)', async () => {
    const db = await createTestDatabase('postgres');
    const app = await startTestApp({
      DATABASE_URL: db.url,
      RATE_LIMIT_DEFAULT: '1000000/minute',
      DATABASE_POOL_SIZE: '4',
    });
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      expect((await app.cli('import', SMALL_PLANT)).code).toBe(0);
      const codes = new Set<string>();
      let running = true;
      const reader = async () => {
        while (running) {
          const { body } = await app.gql(
            `{ stats { totalRecords } oee(${RANGE}) { oee byMachine { oee } } qualityIssues(${RANGE}) { issues { machine } } }`,
          );
          for (const error of body.errors ?? []) codes.add(String(error.extensions?.code));
        }
      };
      const readers = Promise.all([reader(), reader(), reader(), reader()]);
      const name = new URL(db.url).pathname.slice(1);
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 300));
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        );
      }
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      await readers;
      expect([...codes].filter((code) => code !== 'DATABASE_UNAVAILABLE')).toEqual([]);
      // Still serving, on new connections.
      const after = await app.gql(`{ oee(${RANGE}) { totalParts } }`);
      expect(after.body).toEqual({ data: { oee: { totalParts: 1700 } } });
      const health = await (await fetch(`${app.url}/health`)).json();
      expect(health.status).toBe('ok');
      expect(health.info.database.connectionsLost).toBeGreaterThan(0);
    } finally {
      await admin.end();
      await app.close();
      await db.drop();
    }
  });
});
