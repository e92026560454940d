import { Logger } from '@nestjs/common';
import { Kysely } from 'kysely';
import { Clock } from '../common/clock';
import { parseShifts } from '../common/shift-calendar';
import { AppConfig } from '../config/app-config.service';
import { createDatabase } from '../data/database/database.provider';
import { Database } from '../data/database/database.types';
import { migrateToLatest } from '../data/database/migrations';
import { ReadSnapshots } from '../data/database/read-snapshots';
import {
  createDataService,
  createLiveDataService,
  createTestDatabase,
  DATABASE_KINDS,
} from '../data/database/test-databases.testing';
import { DataService } from '../data/data.service';
import { MetricsSumsRepository } from '../data/metrics-sums.repository';
import { MetricsRollupCache } from '../metrics/metrics-rollup';
import { MetricsService } from '../metrics/metrics.service';
import { IncomingSignal, IngestService } from './ingest.service';
import { LiveEvents } from './live-events';

Logger.overrideLogger(false);

const THREE_SHIFTS = 'Early 06:00-14:00,Late 14:00-22:00,Night 22:00-06:00';

function settings(overrides: Record<string, unknown> = {}): AppConfig {
  return {
    plannedDowntimeReasons: ['maintenance'],
    failureReasons: ['mechanical', 'electrical'],
    majorDowntimeHours: 2,
    shifts: parseShifts(THREE_SHIFTS).shifts,
    timeZone: 'UTC',
    liveRefreshMs: 60_000,
    ingestLateWindowDays: 7,
    ingestAutoCreateMachines: false,
    ingestDefaultIdealCycleTimeSeconds: 60,
    ...overrides,
  } as unknown as AppConfig;
}

class FixedClock extends Clock {
  constructor(public moment: number) {
    super();
  }
  override now(): number {
    return this.moment;
  }
}

/** A plant of its own: database, data, metrics (from the rollup) and ingestion at a fixed clock. */
async function plant(kind: (typeof DATABASE_KINDS)[number], now: string, config = settings()) {
  const testDb = await createTestDatabase(kind);
  const db: Kysely<Database> = createDatabase(testDb.url, {
    poolSize: 2,
    statementTimeoutMs: 10_000,
  });
  await migrateToLatest(db);
  const data: DataService = createDataService(db, testDb.url, config);
  await data.replaceDataset(
    {
      machines: [
        { name: 'A', type: 'Fast', idealCycleTimeSeconds: 36 },
        { name: 'B', type: 'Slow', idealCycleTimeSeconds: 360 },
      ],
      shifts: [],
      production: [],
      downtimeEvents: [],
      qualityIssues: [],
    },
    { source: 'import', generatedAt: 'test' },
  );
  const queries = new MetricsSumsRepository(new ReadSnapshots(db, testDb.url), config);
  const metrics = new MetricsService(data, queries, new MetricsRollupCache(data, queries), config);
  const clock = new FixedClock(Date.parse(now));
  const events = new LiveEvents(config);
  const ingestion = () =>
    new IngestService(
      createLiveDataService(db, testDb.url, config),
      data,
      metrics,
      config,
      clock,
      events,
    );
  const ingest = ingestion();
  return {
    ingest,
    /** Another process's ingestion on the same database. */
    ingestion,
    events,
    metrics,
    clock,
    day: (date: string, machine?: string) => metrics.resolveFilter(date, date, machine),
    close: async () => {
      await ingest.onModuleDestroy();
      await data.onModuleDestroy();
      await testDb.drop();
    },
  };
}

const count = (machine: string, eventId: string, at: string, parts: number, scrap = 0) =>
  ({ kind: 'count', raw: { machine, eventId, at, parts, scrap } }) as IncomingSignal;
const state = (machine: string, eventId: string, at: string, s: string, reason?: string) =>
  ({ kind: 'state', raw: { machine, eventId, at, state: s, reason } }) as IncomingSignal;
const quality = (machine: string, eventId: string, at: string, partsAffected: number) =>
  ({
    kind: 'quality',
    raw: { machine, eventId, at, type: 'surface', severity: 'Medium', partsAffected },
  }) as IncomingSignal;

describe.each(DATABASE_KINDS)(`${IngestService.name} on %s`, (kind) => {
  let p: Awaited<ReturnType<typeof plant>>;
  afterEach(() => p.close());

  it('turns counts and state changes into the shift figures, by hand', async () => {
    p = await plant(kind, '2026-11-20T12:00:00Z');
    const result = await p.ingest.ingest(
      [
        state('A', 's1', '2026-11-20T06:00:00Z', 'RUNNING'),
        count('A', 'c1', '2026-11-20T07:00:00Z', 100, 10),
        state('A', 's2', '2026-11-20T08:00:00Z', 'STOPPED', 'Mechanical'),
        state('A', 's3', '2026-11-20T09:00:00Z', 'RUNNING'),
        count('A', 'c2', '2026-11-20T10:00:00Z', 200),
        quality('A', 'q1', '2026-11-20T10:30:00Z', 4),
      ],
      'test',
    );
    expect(result).toMatchObject({ accepted: 6, duplicates: 0, rejected: [] });
    // As of 12:00: 6 h planned, 1 h stopped; 300 parts at 36 s = 3 h ideal; 290 good.
    const oee = await p.metrics.oee(await p.day('2026-11-20'));
    expect(oee).toMatchObject({
      availability: 0.8333,
      performance: 0.6,
      quality: 0.9667,
      totalParts: 300,
      plannedHours: 6,
      runHours: 5,
    });
    const reasons = await p.metrics.downtimeByReason(await p.day('2026-11-20'));
    expect(reasons).toEqual([
      { reason: 'mechanical', hours: 1, events: 1, planned: false, cumulativeShare: 1 },
    ]);
    expect(
      (await p.metrics.qualitySummary(await p.day('2026-11-20'), null)).totalPartsAffected,
    ).toBe(4);
    const shift = await p.ingest.currentShift();
    expect(shift).toMatchObject({ date: '2026-11-20', shift: 'Early' });
    expect(shift.machines[0]).toMatchObject({
      machine: 'A',
      state: 'RUNNING',
      since: '2026-11-20T09:00:00.000Z',
      parts: 300,
      scrap: 10,
      availability: 0.8333,
      performance: 0.6,
    });
    // B has sent nothing: its state is unknown, not planned time.
    expect(shift.machines[1]).toMatchObject({ machine: 'B', state: null, availability: null });
  });

  it('counts an open stop up to now, live and in the stored figures after a refresh', async () => {
    p = await plant(kind, '2026-11-20T12:00:00Z');
    await p.ingest.ingest(
      [
        state('A', 's1', '2026-11-20T06:00:00Z', 'RUNNING'),
        state('A', 's2', '2026-11-20T11:00:00Z', 'STOPPED', 'maintenance'),
      ],
      'test',
    );
    p.clock.moment = Date.parse('2026-11-20T15:00:00Z');
    const live = await p.ingest.currentShift();
    expect(live).toMatchObject({ shift: 'Late', startsAt: '2026-11-20T14:00:00.000Z' });
    expect(live.machines[0]).toMatchObject({ state: 'STOPPED', reason: 'maintenance' });
    await p.ingest.refresh();
    // Early: 8 h planned, 3 h stopped for maintenance (planned); Late so far: 1 h, all stopped.
    const early = await p.metrics.oeeByShift(await p.day('2026-11-20'));
    expect(early.map((s) => [s.shift, s.plannedHours, s.plannedBusyHours])).toEqual([
      ['Early', 8, 5],
      ['Late', 1, 0],
    ]);
    expect(await p.metrics.downtimeByReason(await p.day('2026-11-20'))).toEqual([
      { reason: 'maintenance', hours: 4, events: 2, planned: true, cumulativeShare: 1 },
    ]);
  });

  it("pushes a machine's figures and its state change to subscribers, at most once a second", async () => {
    p = await plant(kind, '2026-11-20T12:00:00Z');
    const figures = p.events.figures('a');
    const states = p.events.stateChanges(null);
    // Subscribed (as a client's subscription is) before the signals arrive.
    const [first, firstState] = [figures.next(), states.next()];
    await p.ingest.ingest([state('A', 's1', '2026-11-20T06:00:00Z', 'RUNNING')], 'test');
    await p.ingest.ingest([count('A', 'c1', '2026-11-20T07:00:00Z', 100)], 'test');
    expect((await first).value).toMatchObject({ date: '2026-11-20', shift: 'Early', machine: 'A' });
    expect((await firstState).value).toEqual({
      machine: 'A',
      state: 'RUNNING',
      since: '2026-11-20T06:00:00.000Z',
      reason: null,
    });
    // The count arrived within the second: it comes with the next push, not before.
    const started = Date.now();
    const second = await figures.next();
    expect(Date.now() - started).toBeGreaterThan(500);
    expect(second.value).toMatchObject({ machine: 'A', parts: 100, availability: 1 });
    await figures.return?.();
    await states.return?.();
  });

  it('applies signals staged before a stop when the next process starts its upkeep, and not before', async () => {
    p = await plant(kind, '2026-11-20T12:00:00Z');
    const staged = await p.ingest.stage([count('A', 'c1', '2026-11-20T07:00:00Z', 40)], 'test');
    expect(staged).toMatchObject({ accepted: 1 });
    // Stopped before its batcher applied them: they stay staged.
    await p.ingest.onModuleDestroy();
    const next = p.ingestion();
    const parts = async () => (await p.metrics.oee(await p.day('2026-11-20', 'A'))).totalParts;
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await parts()).toBe(0);
      next.startUpkeep();
      const deadline = Date.now() + 5_000;
      while ((await parts()) === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await parts()).toBe(40);
    } finally {
      await next.onModuleDestroy();
    }
  });

  it('acknowledges a repeated eventId without counting it again', async () => {
    p = await plant(kind, '2026-11-20T12:00:00Z');
    const first = await p.ingest.ingest(
      [
        count('A', 'c1', '2026-11-20T07:00:00Z', 100),
        count('A', 'c1', '2026-11-20T07:00:00Z', 100),
      ],
      'test',
    );
    expect(first).toMatchObject({ accepted: 1, duplicates: 1 });
    const again = await p.ingest.ingest([count('A', 'c1', '2026-11-20T07:00:00Z', 100)], 'test');
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await p.metrics.oee(await p.day('2026-11-20'))).totalParts).toBe(100);
  });

  it('rejects bad signals one by one and writes the good ones of the same batch', async () => {
    p = await plant(kind, '2026-11-20T12:00:00Z');
    const result = await p.ingest.ingest(
      [
        count('A', 'ok', '2026-11-20T07:00:00Z', 10),
        count('CNC-9', 'x1', '2026-11-20T07:00:00Z', 10),
        count('A', 'x2', '2026-11-10T07:00:00Z', 10),
        count('A', 'x3', '2026-11-20T12:06:00Z', 10),
        count('A', 'x4', '2026-11-20T07:00:00Z', 10, 11),
        count('A', 'x5', '2026-11-20 07:00', 10),
        state('A', 'x6', '2026-11-20T07:00:00Z', 'STOPPED'),
        { kind: 'quality', raw: 'not an object' },
      ],
      'test',
    );
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => [r.eventId, r.reason])).toEqual([
      ['x1', expect.stringMatching(/^Unknown machine 'CNC-9'. Known machines: A, B/)],
      ['x2', expect.stringMatching(/more than 7 days ago \(INGEST_LATE_WINDOW_DAYS\)/)],
      ['x3', expect.stringMatching(/more than 5 minutes in the future/)],
      ['x4', 'scrap (11) is more than parts (10)'],
      ['x5', expect.stringMatching(/^at must be ISO 8601 with an offset/)],
      ['x6', 'reason is required (text)'],
      ['', 'a signal must be a JSON object'],
    ]);
    expect((await p.metrics.oee(await p.day('2026-11-20'))).totalParts).toBe(10);
  });

  it('warns of parts counted outside every shift, in the answer and in OEE warnings', async () => {
    const shifts = parseShifts('Day 05:45-13:45,Late 13:45-21:30').shifts;
    p = await plant(kind, '2026-11-21T12:00:00Z', settings({ shifts }));
    const result = await p.ingest.ingest(
      [
        state('A', 's1', '2026-11-20T05:45:00Z', 'RUNNING'),
        count('A', 'c1', '2026-11-20T05:50:00Z', 100, 1),
        count('A', 'c2', '2026-11-20T21:40:00Z', 30, 2),
        count('A', 'c3', '2026-11-21T05:40:00Z', 20),
        state('A', 's2', '2026-11-20T21:30:00Z', 'STOPPED', 'end of shift'),
      ],
      'test',
    );
    expect(result.accepted).toBe(5);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^Machine 'A' produced 30 parts at 2026-11-20T21:40:00.000Z .*outside every shift/,
      ),
      expect.stringMatching(/^Machine 'A' produced 20 parts at 2026-11-21T05:40:00.000Z/),
    ]);
    // 05:45-21:30 planned (15.75 h, the two shifts), all of it running; 100 parts in Day.
    const day = await p.day('2026-11-20');
    expect(await p.metrics.oee(day)).toMatchObject({
      totalParts: 100,
      plannedHours: 15.75,
      runHours: 15.75,
    });
    const twoDays = await p.metrics.resolveFilter('2026-11-19', '2026-11-21');
    expect(await p.metrics.oeeWarnings(twoDays)).toEqual([
      'A produced 50 parts (2 scrap) outside every shift of the shift calendar (SHIFTS) between ' +
        '2026-11-20 and 2026-11-21: not planned time, so they are in none of these figures.',
    ]);
    expect(await p.metrics.oeeWarnings(await p.day('2026-11-19'))).toEqual([]);
    expect(await p.metrics.oeeWarnings(await p.day('2026-11-20', 'B'))).toEqual([]);
  });

  it('creates unknown machines when allowed, with a warning', async () => {
    p = await plant(kind, '2026-11-20T12:00:00Z', settings({ ingestAutoCreateMachines: true }));
    const result = await p.ingest.ingest(
      [count('Press-7', 'c1', '2026-11-20T07:00:00Z', 5)],
      'test',
    );
    expect(result.accepted).toBe(1);
    expect(result.warnings).toEqual([expect.stringMatching(/^Machine 'Press-7' was created/)]);
    expect((await p.metrics.oee(await p.day('2026-11-20', 'Press-7'))).totalParts).toBe(5);
  });

  it('plans a night shift across the spring change as 7 hours (Europe/Berlin)', async () => {
    const berlin = settings({ timeZone: 'Europe/Berlin' });
    p = await plant(kind, '2026-03-29T12:00:00Z', berlin);
    // 22:00 CET on the 28th is 21:00 UTC; the shift ends at 06:00 CEST = 04:00 UTC.
    await p.ingest.ingest([state('A', 's1', '2026-03-28T20:00:00Z', 'RUNNING')], 'test');
    const shifts = await p.metrics.oeeByShift(await p.day('2026-03-28'));
    expect(shifts.find((s) => s.shift === 'Night')?.plannedHours).toBe(7);
  });

  it('plans the night shift into the autumn change as 9 hours, split events included (Europe/Berlin)', async () => {
    p = await plant(kind, '2026-10-25T12:00:00Z', settings({ timeZone: 'Europe/Berlin' }));
    // Night of the 24th: 22:00 CEST (20:00 UTC) to 06:00 CET (05:00 UTC). A stop from 04:00 UTC
    // (05:00 CET) to 07:00 UTC spans the end of the night shift and the start of Early.
    await p.ingest.ingest(
      [
        state('A', 's1', '2026-10-24T19:00:00Z', 'RUNNING'),
        state('A', 's2', '2026-10-25T04:00:00Z', 'STOPPED', 'electrical'),
        state('A', 's3', '2026-10-25T07:00:00Z', 'RUNNING'),
      ],
      'test',
    );
    const night = (await p.metrics.oeeByShift(await p.day('2026-10-24'))).find(
      (s) => s.shift === 'Night',
    );
    expect(night).toMatchObject({ plannedHours: 9, runHours: 8 });
    expect(await p.metrics.downtimeByReason(await p.day('2026-10-25'))).toEqual([
      { reason: 'electrical', hours: 2, events: 1, planned: false, cumulativeShare: 1 },
    ]);
  });

  it('gives the same figures for a day staged shuffled with 10% duplicates as written in order', async () => {
    const signals = randomDay(7);
    const inOrder = await plant(kind, '2026-11-21T02:00:00Z');
    const shuffled = await plant(kind, '2026-11-21T02:00:00Z');
    p = inOrder;
    try {
      for (let i = 0; i < signals.length; i += 50) {
        await inOrder.ingest.ingest(signals.slice(i, i + 50), 'test');
      }
      const random = seeded(11);
      const replay = [...signals, ...signals.filter(() => random() < 0.1)];
      for (let i = replay.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [replay[i], replay[j]] = [replay[j], replay[i]];
      }
      let duplicates = 0;
      for (let i = 0; i < replay.length; i += 50) {
        // Staged (as MQTT messages are), then applied in batches.
        duplicates += (await shuffled.ingest.stage(replay.slice(i, i + 50), 'test')).duplicates;
        if (i % 500 === 0) await shuffled.ingest.applyPending();
      }
      await shuffled.ingest.applyPending();
      expect(duplicates).toBe(replay.length - signals.length);
      for (const machine of [undefined, 'A', 'B']) {
        const [a, b] = await Promise.all([inOrder, shuffled].map((x) => figures(x, machine)));
        expect(b).toEqual(a);
        // The day has something of everything to get wrong.
        expect(a.quality.totalIssues).toBeGreaterThan(0);
        expect(a.reasons.length).toBeGreaterThan(1);
        expect(a.oee.totalParts).toBeGreaterThan(0);
      }
    } finally {
      await shuffled.close();
    }
  });
});

async function figures(p: Awaited<ReturnType<typeof plant>>, machine?: string) {
  const f = await p.metrics.resolveFilter('2026-11-20', '2026-11-20', machine);
  return {
    oee: await p.metrics.oee(f),
    byShift: await p.metrics.oeeByShift(f),
    byMachine: await p.metrics.oeeByMachine(f),
    downtime: await p.metrics.downtime(f),
    reasons: await p.metrics.downtimeByReason(f),
    quality: await p.metrics.qualitySummary(f, null),
    issues: (await p.metrics.qualityIssues(f, null, { limit: 1000, offset: 0 })).length,
    current: await p.ingest.currentShift(),
  };
}

/** A deterministic random number generator (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A day (2026-11-20, UTC) of signals from machines A and B, in time order. */
function randomDay(seed: number): IncomingSignal[] {
  const random = seeded(seed);
  const signals: IncomingSignal[] = [];
  const start = Date.parse('2026-11-20T00:00:00Z');
  for (const machine of ['A', 'B']) {
    let stopped = false;
    for (let minute = 0; minute < 24 * 60; minute += 5) {
      const at = new Date(start + minute * 60_000 + Math.floor(random() * 60_000)).toISOString();
      const id = `${machine}-${minute}`;
      if (random() < 0.08) {
        stopped = !stopped;
        const reason = ['mechanical', 'maintenance', 'material'][Math.floor(random() * 3)];
        signals.push(state(machine, `${id}-s`, at, stopped ? 'STOPPED' : 'RUNNING', reason));
      }
      if (!stopped) {
        const parts = 1 + Math.floor(random() * 8);
        signals.push(count(machine, `${id}-c`, at, parts, random() < 0.2 ? 1 : 0));
      }
      if (random() < 0.03)
        signals.push(quality(machine, `${id}-q`, at, 1 + Math.floor(random() * 3)));
    }
  }
  return signals.sort((a, b) =>
    (a.raw as { at: string }).at < (b.raw as { at: string }).at ? -1 : 1,
  );
}
