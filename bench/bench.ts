/**
 * `npm run bench`: generates (or reuses) a large dataset in a temporary database, starts the real
 * server in production mode and drives it over HTTP with autocannon at a fixed concurrency. In the
 * same run it starts a bare NestJS + Apollo app (bench/bare-app.ts) as the yardstick of the
 * trivial query, and reads the server's event-loop delay per query (bench/event-loop-probe.ts) and
 * its memory.
 * Options: --machines 200 --days 365 --seconds 5 --connections 10 --json <file> --dir <folder>
 * (where the SQLite dataset is kept for reuse; default: a folder per size in the system's temp
 * directory) --postgres <url> (use PostgreSQL instead: the dataset is kept for reuse in a database
 * per size on that server, e.g. factory_agent_bench_200x365), --skip-import (after generating a
 * dataset, do not time its export and import).
 * Not part of `npm test` (a test runs it on a tiny dataset): performance is measured here, never by
 * timed unit tests.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '../..');
const BARE_APP = join(__dirname, 'bare-app.js');
const PROBE = join(__dirname, 'event-loop-probe.js');
const CLI = join(ROOT, 'dist/cli.js');
const MAIN = join(ROOT, 'dist/main.js');

interface Scenario {
  name: string;
  /** A fixed body, or one made for every request (random ranges). */
  body: () => string;
  random?: boolean;
}

interface Result {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  ratioToTrivial: number;
  /** Longest event-loop block of the server while this query ran. */
  eventLoopMaxMs: number;
}

interface MachineRow {
  name: string;
  type: string;
  idealCycleTimeSeconds: number;
}

interface EventLoopDelay {
  maxMs: number;
  p99Ms: number;
}

const { values: args } = parseArgs({
  options: {
    machines: { type: 'string', default: '200' },
    days: { type: 'string', default: '365' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    json: { type: 'string' },
    dir: { type: 'string' },
    postgres: { type: 'string' },
    'skip-import': { type: 'boolean', default: false },
  },
});

const END_DATE = '2026-06-30';
const INGEST_KEY = 'bench-ingest-key-0123456789';

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function run(command: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(process.execPath, command, { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** Starts the server (logging warnings only, as a busy plant would) and waits for /health. */
async function startServer(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--require', PROBE, MAIN], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, child };
    await new Promise((done) => setTimeout(done, 100));
  }
  child.kill();
  throw new Error('server did not become healthy');
}

/** Peak (VmHWM) or current (VmRSS) resident memory of a process, in MB. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

/** The server's event-loop delay since the last call (the probe resets it on each answer). */
function eventLoopDelay(child: ChildProcess): Promise<EventLoopDelay> {
  return new Promise((resolvePromise) => {
    child.once('message', (message) => resolvePromise(message as EventLoopDelay));
    child.send('event-loop-delay');
  });
}

/** How long the machines part of the chat's system prompt is, from the built server's own code. */
async function chatMachineListLength(machines: MachineRow[]): Promise<number> {
  const prompt = (await import(join(ROOT, 'dist/chat/chat.prompt.js'))) as {
    describeMachines: (list: MachineRow[]) => string;
  };
  return prompt.describeMachines(machines).length;
}

/** The bare NestJS + Apollo app, on a free port. */
async function startBareApp(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BARE_APP, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) ready();
    });
    child.once('exit', (code) => fail(new Error(`the bare app exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function measure(url: string, scenario: Scenario, seconds: number, connections: number) {
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      scenario.random
        ? { setupRequest: (request) => ({ ...request, body: scenario.body() }) }
        : { body: scenario.body() },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

function scenarios(machines: string[], startDate: string): Scenario[] {
  const body = (query: string) => () => JSON.stringify({ query });
  const list: Scenario[] = [{ name: 'trivial { __typename }', body: body('{ __typename }') }];
  const queries: Record<string, (range: string) => string> = {
    oee: (r) => `{ oee(${r}) { oee availability performance quality totalParts } }`,
    scrap: (r) => `{ scrap(${r}) { totalScrap totalParts scrapRate } }`,
    qualityIssues: (r) =>
      `{ qualityIssues(${r}) { totalIssues totalPartsAffected severityBreakdown { severity count } } }`,
    downtime: (r) =>
      `{ downtime(${r}) { totalDowntimeHours plannedDowntimeHours failures mtbfHours mttrHours downtimeByReason { reason hours } } }`,
  };
  const spans: [string, number][] = [
    ['7d', 7],
    ['30d', 30],
    ['year', 365],
  ];
  for (const [name, query] of Object.entries(queries)) {
    for (const [label, days] of spans) {
      const range = `startDate: "${addDays(END_DATE, -(days - 1))}", endDate: "${END_DATE}"`;
      list.push({ name: `${name} ${label} all`, body: body(query(range)) });
      list.push({
        name: `${name} ${label} one`,
        body: body(query(`${range}, machine: "${machines[Math.min(7, machines.length - 1)]}"`)),
      });
    }
  }
  const year = `startDate: "${addDays(END_DATE, -364)}", endDate: "${END_DATE}"`;
  const all = `startDate: "${startDate}", endDate: "${END_DATE}"`;
  list.push(
    { name: 'oee year byMachine', body: body(`{ oee(${year}) { byMachine { machine oee } } }`) },
    { name: 'oee all byMachine', body: body(`{ oee(${all}) { byMachine { machine oee } } }`) },
    { name: 'oee year byShift', body: body(`{ oee(${year}) { byShift { shift oee } } }`) },
    { name: 'oee year daily', body: body(`{ oee(${year}) { daily { date oee } } }`) },
    {
      name: 'oee year daily+byMachine',
      body: body(`{ oee(${year}) { oee daily { date oee } byMachine { machine oee } } }`),
    },
    {
      name: 'stats',
      body: body('{ stats { totalDays daysWithData totalMachines totalRecords } }'),
    },
    { name: 'dateRange', body: body('{ dateRange { startDate endDate totalDays } }') },
  );
  const totalDays = Math.round((Date.parse(END_DATE) - Date.parse(startDate)) / 86_400_000) + 1;
  const randomRange = () => {
    const from = Math.floor(Math.random() * totalDays);
    const to = from + Math.floor(Math.random() * (totalDays - from));
    return {
      startDate: addDays(startDate, from),
      endDate: addDays(startDate, to),
      machine: Math.random() < 0.5 ? null : machines[Math.floor(Math.random() * machines.length)],
    };
  };
  const kinds = Object.values(queries);
  const pick = () => kinds[Math.floor(Math.random() * kinds.length)];
  list.push(
    {
      // The range written into the document: a document the server has never seen, parsed and
      // validated anew on every request.
      name: 'random ranges and machines',
      random: true,
      body: () => {
        const { startDate: from, endDate: to, machine } = randomRange();
        const range = `startDate: "${from}", endDate: "${to}"${machine ? `, machine: "${machine}"` : ''}`;
        return JSON.stringify({ query: pick()(range) });
      },
    },
    {
      // As clients such as Apollo Client send them: four documents, the range in variables.
      name: 'random, as variables',
      random: true,
      body: () =>
        JSON.stringify({
          query: `query ($startDate: Date!, $endDate: Date!, $machine: String) ${pick()(
            'startDate: $startDate, endDate: $endDate, machine: $machine',
          )}`,
          variables: randomRange(),
        }),
    },
  );
  return list;
}

/**
 * Merges one changed machine-day through the CLI (another process, as a gateway or a second
 * instance would write), then times the server's next query: it patches its rollup with that day
 * rather than rebuilding it. The day's values are fixed, so the cached dataset stays the same size.
 */
async function mergeAndQuery(
  server: { url: string; child: ChildProcess },
  env: NodeJS.ProcessEnv,
  dir: string,
  machine: MachineRow,
): Promise<{ mergeSeconds: number; firstQueryMs: number; eventLoopMaxMs: number }> {
  const patch = join(dir, 'merge-patch.json');
  const date = addDays(END_DATE, -10);
  writeFileSync(
    patch,
    JSON.stringify({
      machines: [
        {
          id: 1,
          name: machine.name,
          type: machine.type,
          ideal_cycle_time: machine.idealCycleTimeSeconds,
        },
      ],
      production: {
        [date]: {
          [machine.name]: {
            parts_produced: 500,
            good_parts: 480,
            scrap_parts: 20,
            uptime_hours: 14,
            downtime_hours: 2,
            downtime_events: [{ reason: 'mechanical', description: 'bench', duration_hours: 2 }],
            quality_issues: [],
          },
        },
      },
    }),
  );
  let started = Date.now();
  run([CLI, 'import', patch, '--merge'], env);
  const mergeSeconds = (Date.now() - started) / 1000;
  await eventLoopDelay(server.child);
  const year = `startDate: "${addDays(END_DATE, -364)}", endDate: "${END_DATE}"`;
  started = Date.now();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ oee(${year}) { byMachine { machine oee } } }` }),
  });
  if (!response.ok) throw new Error(`query after the merge failed: ${response.status}`);
  const firstQueryMs = Date.now() - started;
  const delay = await eventLoopDelay(server.child);
  return { mergeSeconds, firstQueryMs, eventLoopMaxMs: delay.maxMs };
}

/**
 * A query sent at a steady rate (open loop: the next request goes when it is due, answered or not),
 * each request's latency counted from when it was due, as a dashboard or an agent would see it.
 */
async function paced(
  url: string,
  scenario: Scenario,
  perSecond: number,
  seconds: number,
): Promise<{ requests: number; p50Ms: number; p99Ms: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const requests: Promise<void>[] = [];
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    requests.push(
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: scenario.body(),
      })
        .then(async (response) => {
          await response.arrayBuffer();
          if (!response.ok) errors++;
        })
        .catch(() => void errors++)
        .finally(() => latencies.push(performance.now() - due)),
    );
  }
  await Promise.all(requests);
  latencies.sort((a, b) => a - b);
  const at = (share: number) =>
    Math.round(
      latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))] * 10,
    ) / 10;
  return { requests: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99), errors };
}

/** Queries a second while measuring latency idle and while ingesting: a few dashboards' worth. */
const PACED_QUERIES_PER_SECOND = 50;

/**
 * Live ingestion through the server's ingest mutation, played by `factory-agent simulate`: first as
 * fast as it goes (sustained signals per second), then a metric query's latency idle and while the
 * simulator sends 1,000 signals a second. The query goes at a steady 50 a second (see paced): on
 * two cores, clients querying as fast as they can would take the CPU the simulator needs, and
 * measure how the cores are shared rather than how long a query waits. Signals are today's: the
 * dataset's dates are untouched.
 */
async function ingestion(
  url: string,
  env: NodeJS.ProcessEnv,
  list: Scenario[],
  machineCount: number,
): Promise<{
  machines: number;
  sustainedPerSecond: number;
  sustainedAccepted: number;
  sustainedRejected: number;
  query: string;
  queriesPerSecond: number;
  idleP50Ms: number;
  idleP99Ms: number;
  ingestingPerSecond: number;
  ingestingP50Ms: number;
  ingestingP99Ms: number;
  ingestingVsIdle: number;
}> {
  const seconds = Number(args.seconds) * 2;
  const machines = Math.min(20, machineCount);
  const simulate = (rate: string, duration: number) =>
    new Promise<{ perSecond: number; accepted: number; rejected: number }>((done, fail) => {
      const child = spawn(
        process.execPath,
        [
          CLI,
          'simulate',
          ...['--machines', String(machines), '--rate', rate, '--duration', String(duration)],
          ...['--graphql', `${url}/graphql`, '--key', INGEST_KEY, '--json'],
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (code) => {
        const json = output.slice(output.indexOf('{'));
        if (code === 0)
          done(JSON.parse(json) as { perSecond: number; accepted: number; rejected: number });
        else fail(new Error(`simulate failed (${code}): ${output}`));
      });
    });
  const sustained = await simulate('20000/s', seconds);
  const scenario = list.find((s) => s.name === 'oee year all') as Scenario;
  const idle = await paced(url, scenario, PACED_QUERIES_PER_SECOND, seconds);
  const ingesting = simulate('1000/s', seconds + 3);
  await new Promise((r) => setTimeout(r, 1_500));
  const busy = await paced(url, scenario, PACED_QUERIES_PER_SECOND, seconds);
  const during = await ingesting;
  if (idle.errors + busy.errors > 0) throw new Error('queries failed while measuring ingestion');
  return {
    machines,
    sustainedPerSecond: sustained.perSecond,
    sustainedAccepted: sustained.accepted,
    sustainedRejected: sustained.rejected,
    query: scenario.name,
    queriesPerSecond: PACED_QUERIES_PER_SECOND,
    idleP50Ms: idle.p50Ms,
    idleP99Ms: idle.p99Ms,
    ingestingPerSecond: during.perSecond,
    ingestingP50Ms: busy.p50Ms,
    ingestingP99Ms: busy.p99Ms,
    ingestingVsIdle: busy.p99Ms / Math.max(1, idle.p99Ms),
  };
}

function printTable(results: Result[]): void {
  const header = ['query', 'req/s', 'p50 ms', 'p99 ms', 'vs trivial', 'loop max ms', 'errors'];
  const rows = results.map((r) => [
    r.name,
    r.requestsPerSecond.toFixed(0),
    String(r.p50Ms),
    String(r.p99Ms),
    `${(r.ratioToTrivial * 100).toFixed(0)}%`,
    String(r.eventLoopMaxMs),
    String(r.errors),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/**
 * Where the dataset of this size lives: a SQLite file in its folder, or a database of its own on
 * the PostgreSQL server (created when missing). Returns the DATABASE_URL and a size-on-disk probe.
 */
async function datasetDatabase(
  size: string,
  dir: string,
): Promise<{ url: string; sizeMb: () => Promise<number> }> {
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  if (!args.postgres) {
    const file = join(dir, 'factory.db');
    return { url: `file:${file}`, sizeMb: () => Promise.resolve(mb(statSync(file).size)) };
  }
  const name = `factory_agent_bench_${size}`;
  const query = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: args.postgres });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const exists = await query('select 1 from pg_database where datname = $1', [name]);
  if (exists.length === 0) await query(`create database ${name}`);
  const url = new URL(args.postgres);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    sizeMb: async () =>
      mb(
        Number(
          (await query<{ size: string }>('select pg_database_size($1) as size', [name]))[0].size,
        ),
      ),
  };
}

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error('Build first: npm run build');
  const machineCount = Number(args.machines);
  const days = Number(args.days);
  const size = `${machineCount}x${days}`;
  const dir = args.dir ?? join(tmpdir(), `factory-agent-bench-${size}`);
  mkdirSync(dir, { recursive: true });
  const database = await datasetDatabase(size, dir);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: 'UTC',
    DATABASE_URL: database.url,
    DEMO_DATA: 'false',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // Limits raised by configuration, not by code.
    RATE_LIMIT_DEFAULT: '100000000/second',
    INGEST_API_KEYS: INGEST_KEY,
    // The demo's shift names over the whole day, so that live signals at any hour are in a shift.
    SHIFTS: 'Day 00:00-12:00,Night 12:00-24:00',
  };

  let generationSeconds: number | null = null;
  let importSeconds: number | null = null;
  const stats = JSON.parse(run([CLI, 'stats', '--json'], env)) as {
    totalRecords: number;
    startDate: string;
  };
  // Live signals of earlier runs add machine-days after END_DATE (the ingestion phase).
  if (
    stats.startDate !== addDays(END_DATE, -(days - 1)) ||
    stats.totalRecords < machineCount * days
  ) {
    console.log(`Generating ${machineCount} machines x ${days} days in ${dir} ...`);
    let started = Date.now();
    run(
      [
        CLI,
        'setup',
        '--machines',
        String(machineCount),
        '--days',
        String(days),
        '--end-date',
        END_DATE,
      ],
      env,
    );
    generationSeconds = (Date.now() - started) / 1000;
    if (!args['skip-import']) {
      run([CLI, 'export', join(dir, 'production.json')], env);
      started = Date.now();
      run([CLI, 'import', join(dir, 'production.json')], env);
      importSeconds = (Date.now() - started) / 1000;
    }
  } else {
    console.log(`Reusing ${dir} (${stats.totalRecords} machine-days)`);
  }
  const startDate = addDays(END_DATE, -(days - 1));
  const plant = JSON.parse(run([CLI, 'machines', '--json'], env)) as MachineRow[];
  const machines = plant.map((m) => m.name);
  const databaseMb = await database.sizeMb();

  const seconds = Number(args.seconds);
  const connections = Number(args.connections);
  const trivialQuery = scenarios(machines, startDate)[0];
  const bare = await startBareApp();
  const server = await startServer(env).catch((error: unknown) => {
    bare.child.kill('SIGTERM');
    throw error;
  });
  try {
    // Warm up: until the rollup is built (a request waits for it at most ROLLUP_WAIT_MS, then the
    // database answers it, slowly at plant scale), then every scenario once.
    const started = Date.now();
    for (;;) {
      const asked = Date.now();
      const warm = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: scenarios(machines, startDate)[1].body(),
      });
      if (!warm.ok) throw new Error(`warm-up query failed: ${warm.status}`);
      if (Date.now() - asked < 1_000) break;
    }
    const firstQuerySeconds = (Date.now() - started) / 1000;
    for (const scenario of scenarios(machines, startDate)) {
      await measure(server.url, scenario, 0.5, 2);
    }
    // Each query runs between two runs of the trivial query and is compared with the faster of the
    // two: a burst of the machine's noise during one trivial run cannot make every ratio look good.
    const [trivialScenario, ...queries] = scenarios(machines, startDate);
    const run = async (scenario: Scenario) => {
      await eventLoopDelay(server.child);
      const measured = await measure(server.url, scenario, seconds, connections);
      const delay = await eventLoopDelay(server.child);
      process.stderr.write('.');
      return { ...measured, eventLoopMaxMs: delay.maxMs };
    };
    const trivialRuns = [await run(trivialScenario)];
    const results: Result[] = [];
    for (const scenario of queries) {
      const measured = await run(scenario);
      trivialRuns.push(await run(trivialScenario));
      const yardstick = Math.max(
        ...trivialRuns.slice(-2).map((trivial) => trivial.requestsPerSecond),
      );
      results.push({
        name: scenario.name,
        ...measured,
        ratioToTrivial: measured.requestsPerSecond / yardstick,
      });
    }
    // The trivial query's row: its fastest run, with the errors and the longest event-loop block of
    // all its runs.
    const fastest = trivialRuns.reduce((a, b) =>
      b.requestsPerSecond > a.requestsPerSecond ? b : a,
    );
    results.unshift({
      name: trivialScenario.name,
      ...fastest,
      ratioToTrivial: 1,
      errors: trivialRuns.reduce((sum, trivial) => sum + trivial.errors, 0),
      eventLoopMaxMs: Math.max(...trivialRuns.map((trivial) => trivial.eventLoopMaxMs)),
    });
    process.stderr.write('\n');
    // The yardstick of the per-request stack: the bare app's trivial query and the server's, in
    // turns (the best of three each), so that the machine's noise weighs on both alike.
    await measure(bare.url, trivialQuery, 2, connections); // warm-up
    let bareTrivial = 0;
    let serverTrivial = 0;
    for (let round = 0; round < 3; round++) {
      const onBare = await measure(bare.url, trivialQuery, seconds, connections);
      const onServer = await measure(server.url, trivialQuery, seconds, connections);
      bareTrivial = Math.max(bareTrivial, onBare.requestsPerSecond);
      serverTrivial = Math.max(serverTrivial, onServer.requestsPerSecond);
    }
    const afterWrite = await mergeAndQuery(server, env, dir, plant[0]);
    const live = await ingestion(server.url, env, scenarios(machines, startDate), machineCount);
    const report = {
      date: new Date().toISOString(),
      commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
        cwd: ROOT,
        encoding: 'utf8',
      }).stdout.trim(),
      machines: machineCount,
      days,
      connections: Number(args.connections),
      secondsPerQuery: Number(args.seconds),
      generationSeconds,
      importSeconds,
      firstQuerySeconds,
      database: args.postgres ? 'postgres' : 'sqlite',
      databaseMb,
      serverPeakRssMb: rssMb(server.child.pid as number, 'VmHWM'),
      serverRssMb: rssMb(server.child.pid as number, 'VmRSS'),
      bareAppTrivialRequestsPerSecond: bareTrivial,
      trivialRequestsPerSecond: serverTrivial,
      trivialVsBareApp: serverTrivial / bareTrivial,
      chatMachineListCharacters: await chatMachineListLength(plant),
      afterWrite,
      ingestion: live,
      results,
    };
    console.log(
      `\n${report.date} commit ${report.commit}: ${machineCount} machines x ${days} days on ${report.database}, ${report.connections} connections, ${report.secondsPerQuery} s per query`,
    );
    printTable(results);
    console.log(
      `\ntrivial query, best of three in turns: ${serverTrivial.toFixed(0)} req/s, bare NestJS + Apollo ${bareTrivial.toFixed(0)} req/s (${(report.trivialVsBareApp * 100).toFixed(0)}%)` +
        `\ngeneration ${generationSeconds ?? 'reused'} s, import ${importSeconds ?? 'reused'} s, database ${databaseMb} MB, rollup ready ${firstQuerySeconds} s after start` +
        `\nserver RSS ${report.serverRssMb} MB (peak ${report.serverPeakRssMb} MB)` +
        `\nmachines in the chat's system prompt: ${report.chatMachineListCharacters} characters` +
        `\nafter merging one machine-day: import --merge ${afterWrite.mergeSeconds} s, next oee byMachine for the year ${afterWrite.firstQueryMs} ms (the rollup patched with that day), longest event-loop block meanwhile ${afterWrite.eventLoopMaxMs} ms` +
        `\nlive ingestion (simulator, ${live.machines} machines, GraphQL batches): ${live.sustainedPerSecond} signals/s sustained (${live.sustainedAccepted} accepted, ${live.sustainedRejected} rejected)` +
        `\n'${live.query}' at ${live.queriesPerSecond}/s: p50 / p99 idle ${live.idleP50Ms} / ${live.idleP99Ms} ms, while ingesting ${live.ingestingPerSecond} signals/s ${live.ingestingP50Ms} / ${live.ingestingP99Ms} ms (p99 ${live.ingestingVsIdle.toFixed(2)}x)`,
    );
    if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
  } finally {
    server.child.kill('SIGTERM');
    bare.child.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
