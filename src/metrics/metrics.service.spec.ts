import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { addDays, monthsBetween } from '../common/dates';
import { Kysely } from 'kysely';
import { AppConfig } from '../config/app-config.service';
import { ReadSnapshots } from '../data/database/read-snapshots';
import { DataService } from '../data/data.service';
import {
  createDataService,
  createTestDatabase,
  DATABASE_KINDS,
  TestDatabase,
} from '../data/database/test-databases.testing';
import { createDatabase } from '../data/database/database.provider';
import { Database } from '../data/database/database.types';
import { Dataset, DatasetRecords, DowntimeEventRecord, ProductionRecord } from '../data/dataset';
import { migrateToLatest } from '../data/database/migrations';
import { MetricsRollup, MetricsRollupCache, ROLLUP_WAIT_MS } from './metrics-rollup';
import { MetricsSumsRepository } from '../data/metrics-sums.repository';
import { MetricsService } from './metrics.service';

const config = {
  plannedDowntimeReasons: ['maintenance'],
  failureReasons: ['mechanical', 'electrical'],
  setupReasons: ['changeover'],
  smallStopHours: 0.1,
  targets: { oee: 0.85, availability: 0.9, performance: 0.95, quality: 0.99, scrapRate: 2 },
  majorDowntimeHours: 2,
} as AppConfig;

function row(machine: string, date: string, values: Partial<ProductionRecord>): ProductionRecord {
  const base = { machine, date, shift: 'Day', plannedHours: 8, runHours: 8, downtimeHours: 0 };
  const parts = values.partsProduced ?? 0;
  return { ...base, partsProduced: parts, goodParts: parts, scrapParts: 0, ...values };
}

/** A downtime event with no description; shift null means "not recorded". */
function event(
  machine: string,
  date: string,
  reason: string,
  durationHours: number,
  shift: string | null = null,
): DowntimeEventRecord {
  return { machine, date, shift, reason, description: '', durationHours };
}

function dataset(production: ProductionRecord[], extra: Partial<Dataset> = {}): Dataset {
  return {
    machines: [
      { name: 'A', type: 'Fast', idealCycleTimeSeconds: 36 },
      { name: 'B', type: 'Slow', idealCycleTimeSeconds: 360 },
    ],
    shifts: [
      { name: 'Day', startHour: 6, endHour: 14 },
      { name: 'Night', startHour: 14, endHour: 22 },
    ],
    production,
    downtimeEvents: [],
    qualityIssues: [],
    ...extra,
  };
}

/** Metrics from the in-memory rollup, or straight from the database's GROUP BY queries. */
type Source = 'rollup' | 'database';

function metricsService(
  db: Kysely<Database>,
  data: DataService,
  settings: AppConfig,
  source: Source,
) {
  const queries = new MetricsSumsRepository(new ReadSnapshots(db, 'file::memory:'), settings);
  const sums =
    source === 'rollup'
      ? new MetricsRollupCache(data, queries)
      : ({
          sums: () => Promise.resolve(queries),
          rollup: () => Promise.resolve(null),
        } as unknown as MetricsRollupCache);
  return new MetricsService(data, queries, sums, settings);
}

// The rollup logs each build; keep the test output to the tests.
Logger.overrideLogger(false);

const CASES = DATABASE_KINDS.flatMap((kind) =>
  (['rollup', 'database'] as const).map((source) => [kind, source] as const),
);

describe.each(CASES)(`${MetricsService.name} on %s, sums from the %s`, (kind, source) => {
  let testDb: TestDatabase;
  let db: Kysely<Database>;
  let data: DataService;
  let metrics: MetricsService;
  const origin = { source: 'import' as const, generatedAt: 'test' };
  const load = (ds: Dataset) => data.replaceDataset(ds, origin);
  const filter = (machine?: string) => metrics.resolveFilter('2026-01-01', '2026-01-31', machine);

  beforeEach(async () => {
    testDb = await createTestDatabase(kind);
    db = createDatabase(testDb.url, { poolSize: 2, statementTimeoutMs: 10_000 });
    await migrateToLatest(db);
    data = createDataService(db, testDb.url, config);
    metrics = metricsService(db, data, config, source);
  });
  afterEach(async () => {
    await data.onModuleDestroy();
    await testDb.drop();
  });

  it('computes A, P, Q and OEE of one machine-day by hand', async () => {
    // 8 h planned, 6 h run, 2 h down; 500 parts at 36 s = 5 h ideal; 450 good.
    await load(
      dataset([
        row('A', '2026-01-02', {
          runHours: 6,
          downtimeHours: 2,
          partsProduced: 500,
          goodParts: 450,
          scrapParts: 50,
        }),
      ]),
    );
    const oee = await metrics.oee(await filter());
    expect(oee).toMatchObject({
      availability: 0.75,
      performance: 0.8333,
      quality: 0.9,
      totalParts: 500,
      plannedBusyHours: 8,
    });
    expect(oee.oee).toBeCloseTo(0.75 * (5 / 6) * 0.9, 4);
  });

  describe('loss analysis', () => {
    const issue = (machine: string, type: string, partsAffected: number) => ({
      machine,
      date: '2026-01-02',
      shift: null,
      type,
      description: '',
      partsAffected,
      severity: 'Low' as const,
    });
    const day = (machine?: string) => metrics.resolveFilter('2026-01-02', '2026-01-02', machine);

    beforeEach(async () => {
      await load(
        dataset(
          [
            // The day before: 8 h run, 400 parts at 36 s = 4 h ideal, all good.
            row('A', '2026-01-01', { partsProduced: 400 }),
            // 8 h planned, 6 h run, 2 h down; 500 parts at 36 s = 5 h ideal; 450 good.
            row('A', '2026-01-02', {
              runHours: 6,
              downtimeHours: 2,
              partsProduced: 500,
              goodParts: 450,
              scrapParts: 50,
            }),
            // 8 h run, 100 parts at 360 s = 10 h ideal (faster than ideal); 90 good.
            row('B', '2026-01-02', {
              shift: 'Night',
              partsProduced: 100,
              goodParts: 90,
              scrapParts: 10,
            }),
          ],
          {
            downtimeEvents: [
              event('A', '2026-01-02', 'mechanical', 1, 'Day'),
              event('A', '2026-01-02', 'changeover', 0.5, 'Day'),
              event('A', '2026-01-02', 'material', 0.05, 'Day'), // 3 min: a small stop
              event('A', '2026-01-02', 'material', 0.2, 'Day'),
              event('A', '2026-01-02', 'maintenance', 0.25, 'Day'), // planned
            ],
            qualityIssues: [
              issue('A', 'surface', 30),
              issue('A', 'surface', 10),
              issue('A', 'dimension', 50),
              issue('A', 'surface', 5),
              issue('B', 'burr', 0),
              issue('B', 'burr', 0),
            ],
          },
        ),
      );
    });

    it('splits planned busy time into losses that add up to it, by hand', async () => {
      // Planned busy 8 - 0.25 = 7.75 h; run 6 h: availability loss 1.75 h; ideal 5 h: performance
      // loss 1 h; valuable = 5 h x 0.9 = 4.5 h; quality loss 0.5 h.
      const a = await metrics.losses(await day('A'), null);
      expect(a).toMatchObject({
        plannedHours: 8,
        plannedDowntimeHours: 0.25,
        plannedBusyHours: 7.75,
        availabilityLossHours: 1.75,
        performanceLossHours: 1,
        qualityLossHours: 0.5,
        valuableOperatingHours: 4.5,
        warnings: [],
      });
      expect(a.availabilityLossByReason).toEqual([
        { reason: 'mechanical', hours: 1, events: 1, cumulativeShare: 0.5714 },
        { reason: 'changeover', hours: 0.5, events: 1, cumulativeShare: 0.8571 },
        { reason: 'material', hours: 0.25, events: 2, cumulativeShare: 1 },
      ]);
      expect(a.plannedDowntimeByReason).toEqual([
        { reason: 'maintenance', hours: 0.25, events: 1, cumulativeShare: 1 },
      ]);
      expect(a.sixBigLosses.map((l) => [l.loss, l.category, l.hours])).toEqual([
        ['Breakdowns', 'availability', 1],
        ['Setup and adjustments', 'availability', 0.5],
        ['Small stops', 'availability', 0.05],
        ['Other stops', 'availability', 0.2],
        ['Reduced speed', 'performance', 1],
        ['Process defects', 'quality', 0.5],
        ['Reduced yield', 'quality', null],
      ]);
    });

    it('keeps a negative performance loss (faster than ideal) and a shift apart', async () => {
      // B: 8 h run, 10 h ideal: performance loss -2 h; valuable 10 h x 0.9 = 9 h; quality loss 1 h.
      const night = await metrics.losses(await day(), await metrics.resolveShift('night'));
      expect(night).toMatchObject({
        plannedBusyHours: 8,
        availabilityLossHours: 0,
        performanceLossHours: -2,
        qualityLossHours: 1,
        valuableOperatingHours: 9,
        availabilityLossByReason: [],
        warnings: [expect.stringMatching(/^The performance loss is negative \(-2 h\)/)],
      });
      // Both: 15.75 h = 1.75 + (-1) + 1.5 + 13.5 (quality 540 / 600 of 15 h ideal).
      const all = await metrics.losses(await day(), null);
      const parts = [
        all.availabilityLossHours,
        all.performanceLossHours,
        all.qualityLossHours,
        all.valuableOperatingHours,
      ];
      expect(parts).toEqual([1.75, -1, 1.5, 13.5]);
      expect(parts.reduce((x, y) => x + y)).toBeCloseTo(all.plannedBusyHours, 2);
      await expect(metrics.resolveShift('Late')).rejects.toThrow(
        "Unknown shift 'Late'. Known shifts: Day, Night",
      );
    });

    it('ranks defects and downtime as Paretos with cumulative shares', async () => {
      const f = await day();
      expect(await metrics.defects(f, null, 'type')).toEqual([
        { key: 'dimension', count: 1, partsAffected: 50, cumulativeShare: 0.5263 },
        { key: 'surface', count: 3, partsAffected: 45, cumulativeShare: 1 },
        { key: 'burr', count: 2, partsAffected: 0, cumulativeShare: 1 },
      ]);
      expect(await metrics.defects(f, null, 'machine')).toEqual([
        { key: 'A', count: 4, partsAffected: 95, cumulativeShare: 1 },
        { key: 'B', count: 2, partsAffected: 0, cumulativeShare: 1 },
      ]);
      // No part affected: shares of issues.
      expect(await metrics.defects(await day('B'), null, 'type')).toEqual([
        { key: 'burr', count: 2, partsAffected: 0, cumulativeShare: 1 },
      ]);
      const downtime = (key: string, unplanned: number, planned: number, share: number) => ({
        key,
        downtimeHours: unplanned + planned,
        plannedDowntimeHours: planned,
        unplannedDowntimeHours: unplanned,
        cumulativeShare: share,
      });
      expect(await metrics.downtimeByMachine(f)).toEqual([
        downtime('A', 1.75, 0.25, 1),
        downtime('B', 0, 0, 1),
      ]);
      expect(await metrics.downtimeByShift(f)).toEqual([
        downtime('Day', 1.75, 0.25, 1),
        downtime('Night', 0, 0, 1),
      ]);
      expect((await metrics.downtimeByReason(f)).map((r) => r.cumulativeShare)).toEqual([
        0.5, 0.75, 0.875, 1,
      ]);
    });

    it("reports a date's shifts: figures per machine, largest losses, major events", async () => {
      const report = await metrics.shiftReport('2026-01-02');
      expect(report.date).toBe('2026-01-02');
      expect(report.majorEventsWithoutShift).toEqual([]);
      const [dayShift, night] = report.shifts;
      expect(dayShift).toMatchObject({ shift: 'Day', availability: 0.7742, totalParts: 500 });
      expect(dayShift.machines).toEqual([
        expect.objectContaining({ machine: 'A', availability: 0.7742, quality: 0.9 }),
      ]);
      // Ties keep the six big losses' order.
      expect(dayShift.topLosses.map((l) => [l.loss, l.hours])).toEqual([
        ['Breakdowns', 1],
        ['Reduced speed', 1],
        ['Setup and adjustments', 0.5],
      ]);
      expect(dayShift.topReasons.map((r) => r.reason)).toEqual([
        'mechanical',
        'changeover',
        'material',
      ]);
      // B made its parts faster than ideal: no performance loss to name, only the scrap.
      expect(night).toMatchObject({ shift: 'Night', performance: 1.25, majorEvents: [] });
      expect(night.machines.map((m) => m.machine)).toEqual(['B']);
      expect(night.topLosses.map((l) => [l.loss, l.hours])).toEqual([['Process defects', 1]]);
    });

    it("holds answers to the machine's own targets, else the plant's, and keeps them by name", async () => {
      const a = await metrics.oee(await day('A'));
      expect(await metrics.targetCheck(a, 'A')).toEqual({
        oee: 0.85,
        availability: 0.9,
        performance: 0.95,
        quality: 0.99,
        scrapRate: 2,
        own: false,
        oeeMet: false,
        availabilityMet: false,
        performanceMet: false,
        qualityMet: false,
        scrapRateMet: false,
      });
      // A: OEE 0.5806, A 0.7742, P 0.8333, Q 0.9, scrap 10%.
      await metrics.setMachineTargets('a', { oee: 0.5, quality: 0.9, scrapRate: 10 });
      await metrics.setMachineTargets('A', { availability: 0.7, quality: null });
      expect((await metrics.targets()).machines).toEqual([
        {
          machine: 'A',
          oee: 0.5,
          availability: 0.7,
          performance: null,
          quality: null,
          scrapRate: 10,
        },
      ]);
      expect(await metrics.targetCheck(a, 'A')).toMatchObject({
        oee: 0.5,
        availability: 0.7,
        quality: 0.99,
        own: true,
        oeeMet: true,
        availabilityMet: true,
        performanceMet: false,
        qualityMet: false,
        scrapRateMet: true,
      });
      // Nothing to compare: null, not false.
      const none = await metrics.oee(await metrics.resolveFilter('2025-01-01', '2025-01-01'));
      expect(await metrics.targetCheck(none, null)).toMatchObject({
        oeeMet: null,
        scrapRateMet: null,
      });
      await expect(metrics.setMachineTargets('A', { oee: 1.5 })).rejects.toThrow(
        'oee must be from 0 to 1 (a ratio) or null, got 1.5',
      );
      await expect(metrics.setMachineTargets('Z', { oee: 0.5 })).rejects.toThrow(
        "Unknown machine 'Z'. Known machines: A, B",
      );
      // A replacing import recreates the machines; targets are kept by name.
      await load(dataset([row('A', '2026-01-02', { partsProduced: 10 })]));
      expect((await metrics.targets()).machines.map((t) => t.machine)).toEqual(['A']);
      await metrics.setMachineTargets('A', {
        oee: null,
        availability: null,
        performance: null,
        quality: null,
        scrapRate: null,
      });
      expect((await metrics.targets()).machines).toEqual([]);
    });

    it('compares a range with the one before it', async () => {
      // A on 01-02: A 6 / 7.75, P 0.8333, Q 0.9, OEE 0.5806, scrap 10%; on 01-01: 1, 0.5, 1, 0.5, 0%.
      expect(await metrics.comparison(await day('A'))).toEqual({
        startDate: '2026-01-02',
        endDate: '2026-01-02',
        previousStartDate: '2026-01-01',
        previousEndDate: '2026-01-01',
        current: {
          oee: 0.5806,
          availability: 0.7742,
          performance: 0.8333,
          quality: 0.9,
          scrapRate: 10,
          downtimeHours: 2,
          unplannedDowntimeHours: 1.75,
        },
        previous: {
          oee: 0.5,
          availability: 1,
          performance: 0.5,
          quality: 1,
          scrapRate: 0,
          downtimeHours: 0,
          unplannedDowntimeHours: 0,
        },
        change: {
          oee: 0.0806,
          availability: -0.2258,
          performance: 0.3333,
          quality: -0.1,
          scrapRate: 10,
          downtimeHours: 2,
          unplannedDowntimeHours: 1.75,
        },
      });
      // Nothing the period before: no ratio to compare.
      const first = await metrics.comparison(
        await metrics.resolveFilter('2026-01-01', '2026-01-01', 'B'),
      );
      expect(first.change.oee).toBeNull();
    });
  });

  it('returns null ratios, not 0% or 100%, when a denominator is 0', async () => {
    await load(
      dataset([row('A', '2026-01-02', { runHours: 0, downtimeHours: 8, partsProduced: 0 })]),
    );
    expect(await metrics.oee(await filter())).toMatchObject({
      availability: 0,
      performance: null,
      quality: null,
      oee: null,
    });
    expect((await metrics.scrap(await filter())).scrapRate).toBeNull();
    // No rows at all: even availability has no denominator.
    expect(
      (await metrics.oee(await metrics.resolveFilter('2025-01-01', '2025-01-02'))).availability,
    ).toBeNull();
  });

  it('does not cap performance above 1, and warns about the cycle time', async () => {
    // 1000 parts at 36 s = 10 h ideal in 8 h run.
    await load(dataset([row('A', '2026-01-02', { partsProduced: 1000 })]));
    expect((await metrics.oee(await filter())).performance).toBe(1.25);
    expect(await metrics.oeeWarnings(await filter())).toEqual([
      expect.stringMatching(/^Performance of A is 125\.0%.*ideal cycle time \(36 s\)/),
    ]);
  });

  it('excludes planned downtime from planned busy time, at most the downtime recorded that day', async () => {
    await load(
      dataset(
        [
          row('A', '2026-01-02', { runHours: 6, downtimeHours: 2, partsProduced: 100 }),
          // Planned events longer than the recorded downtime count only up to it.
          row('A', '2026-01-03', { runHours: 7, downtimeHours: 1, partsProduced: 100 }),
        ],
        {
          downtimeEvents: [
            event('A', '2026-01-02', 'maintenance', 1.5),
            event('A', '2026-01-02', 'mechanical', 0.5),
            event('A', '2026-01-03', 'maintenance', 3),
          ],
        },
      ),
    );
    const oee = await metrics.oee(await filter());
    // Planned busy time = 16 - (1.5 + min(1, 3)) = 13.5; run = 13.
    expect(oee.plannedBusyHours).toBe(13.5);
    expect(oee.availability).toBeCloseTo(13 / 13.5, 4);
    const downtime = await metrics.downtime(await filter());
    expect(downtime).toMatchObject({
      totalDowntimeHours: 3,
      plannedDowntimeHours: 2.5,
      unplannedDowntimeHours: 0.5,
    });
    expect(downtime).toMatchObject({
      failures: 1,
      failureHours: 0.5,
      mttrHours: 0.5,
      mtbfHours: 13,
    });
  });

  it('goes through every major event a page at a time, in storage order', async () => {
    const jam = (machine: string, date: string, hours: number) => ({
      ...event(machine, date, 'jam', hours, 'Day'),
      description: 'Feeder',
    });
    await load(
      dataset([row('A', '2026-01-02', { runHours: 2, downtimeHours: 6, partsProduced: 10 })], {
        // Five major events (over 2 h) and a short one, across dates and machines.
        downtimeEvents: [
          jam('B', '2026-01-02', 3),
          jam('A', '2026-01-02', 2.5),
          jam('A', '2026-01-02', 1),
          jam('A', '2026-01-02', 4),
          jam('A', '2026-01-03', 2.25),
          jam('B', '2026-01-01', 5),
        ],
      }),
    );
    const all = [];
    for await (const e of metrics.allMajorEvents(await filter(), 2)) all.push(e);
    expect(all.map((e) => [e.date, e.machine, e.durationHours, e.startedAt])).toEqual([
      ['2026-01-01', 'B', 5, null],
      ['2026-01-02', 'A', 2.5, null],
      ['2026-01-02', 'A', 4, null],
      ['2026-01-02', 'B', 3, null],
      ['2026-01-03', 'A', 2.25, null],
    ]);
  });

  it('reclassifies history when PLANNED_DOWNTIME_REASONS changes', async () => {
    await load(
      dataset([row('A', '2026-01-02', { runHours: 6, downtimeHours: 2, partsProduced: 100 })], {
        downtimeEvents: [event('A', '2026-01-02', 'changeover', 2)],
      }),
    );
    expect((await metrics.oee(await filter())).availability).toBe(0.75);
    // An instance started with the new setting summarises the stored data again.
    const settings = { ...config, plannedDowntimeReasons: ['changeover'] } as AppConfig;
    const restarted = createDataService(db, testDb.url, settings);
    expect(await restarted.ensureSummaries()).toBe(true);
    const changed = metricsService(db, restarted, settings, source);
    expect((await changed.oee(await filter())).availability).toBe(1);
    expect((await changed.downtimeByReason(await filter()))[0]).toMatchObject({
      reason: 'changeover',
      planned: true,
    });
  });

  it('rolls machines up from sums, not by averaging their percentages', async () => {
    // A: 1 h planned, fully available. B: 7 h planned, 1 h run. Average of A's = (1 + 1/7) / 2 = 0.571;
    // from sums: 2 h run / 8 h planned = 0.25.
    await load(
      dataset([
        row('A', '2026-01-02', { plannedHours: 1, runHours: 1, partsProduced: 100 }),
        row('B', '2026-01-02', {
          plannedHours: 7,
          runHours: 1,
          downtimeHours: 6,
          partsProduced: 10,
        }),
      ]),
    );
    const f = await filter();
    const [total, byMachine] = await Promise.all([metrics.oee(f), metrics.oeeByMachine(f)]);
    expect(byMachine.map((m) => m.availability)).toEqual([1, 0.1429]);
    expect(total.availability).toBe(0.25);
    expect(total.availability).not.toBeCloseTo((1 + 1 / 7) / 2, 2);
    // Performance weighs each machine's own cycle time: (100 x 36 s + 10 x 360 s) / 2 h = 1.
    expect(total.performance).toBe(1);
  });

  it('shares planned events without a shift across shifts by their downtime', async () => {
    await load(
      dataset(
        [
          row('A', '2026-01-02', {
            shift: 'Day',
            runHours: 7,
            downtimeHours: 1,
            partsProduced: 100,
          }),
          row('A', '2026-01-02', {
            shift: 'Night',
            runHours: 5,
            downtimeHours: 3,
            partsProduced: 100,
          }),
        ],
        {
          downtimeEvents: [
            event('A', '2026-01-02', 'maintenance', 2),
            event('A', '2026-01-02', 'maintenance', 1, 'Night'),
          ],
        },
      ),
    );
    const shifts = await metrics.oeeByShift(await filter());
    // Day: 2 h x 1/4 = 0.5 h planned; Night: 1 h + 2 h x 3/4 = 2.5 h. Together 3 h, as for the day.
    expect(shifts.map((s) => [s.shift, s.plannedBusyHours])).toEqual([
      ['Day', 7.5],
      ['Night', 5.5],
    ]);
    expect((await metrics.oee(await filter())).plannedBusyHours).toBe(13);
  });

  describe('input validation', () => {
    it.each([
      ['2026-02-30', '2026-03-01', /startDate must be a calendar date/],
      ['2026-03-02', '2026-03-01', /endDate \(2026-03-01\) is before startDate \(2026-03-02\)/],
      ['2010-01-01', '2026-01-01', /at most 3660/],
    ])('rejects %s..%s', async (start, end, message) => {
      await expect(metrics.resolveFilter(start, end)).rejects.toThrow(message);
    });

    it('names the known machines when the machine is unknown', async () => {
      await load(dataset([]));
      await expect(filter('C')).rejects.toThrow("Unknown machine 'C'. Known machines: A, B");
      expect((await filter('b')).machine).toEqual({ id: 2, name: 'B' });
    });

    it('bounds list paging', async () => {
      await expect(
        metrics.qualityIssues(await filter(), null, { limit: 1001, offset: 0 }),
      ).rejects.toThrow(/limit/);
      await expect(metrics.majorEvents(await filter(), { limit: 10, offset: -1 })).rejects.toThrow(
        /offset/,
      );
    });
  });
});

describe('the rollup and the database give the same answers', () => {
  /** A small random generator, so that a failure can be replayed from its seed. */
  function random(seed: number) {
    let state = seed;
    return (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
  }

  async function expectSameAnswers(
    fromRollup: MetricsService,
    fromDatabase: MetricsService,
    ranges: [string, string, string | undefined][],
  ): Promise<void> {
    expect(await fromRollup.datasetStats()).toEqual(await fromDatabase.datasetStats());
    for (const [start, end, machine] of ranges) {
      const f = await fromRollup.resolveFilter(start, end, machine);
      for (const method of [
        'oee',
        'oeeByMachine',
        'oeeByShift',
        'oeeDaily',
        'scrap',
        'downtime',
        'downtimeByReason',
      ] as const) {
        expect([start, end, machine, method, await fromRollup[method](f)]).toEqual([
          start,
          end,
          machine,
          method,
          await fromDatabase[method](f),
        ]);
      }
      for (const severity of ['High', null] as const) {
        expect([start, end, machine, await fromRollup.qualitySummary(f, severity)]).toEqual([
          start,
          end,
          machine,
          await fromDatabase.qualitySummary(f, severity),
        ]);
      }
    }
  }

  it.each(DATABASE_KINDS)(
    'on %s, for month edges, random ranges and machines, before and after merges',
    async (kind) => {
      const testDb = await createTestDatabase(kind);
      const db = createDatabase(testDb.url, { poolSize: 2, statementTimeoutMs: 10_000 });
      try {
        await migrateToLatest(db);
        const data = createDataService(db, testDb.url, config);
        const { generateDemoDataset } = await import('../data/generator/demo-generator');
        await data.replaceDataset(
          generateDemoDataset({ days: 100, machines: 5, seed: 3, endDate: '2026-03-10' }),
          { source: 'demo', generatedAt: 'test' },
        );
        const fromRollup = metricsService(db, data, config, 'rollup');
        const fromDatabase = metricsService(db, data, config, 'database');
        const machines = [undefined, ...(await data.listMachines()).map((m) => m.name)];
        const next = random(7);
        const day = () => addDays('2025-11-25', next(110));
        const ranges: [string, string, string | undefined][] = [
          ['2025-01-01', '2026-12-31', undefined],
          ['2025-12-01', '2025-12-31', 'Packaging-001'],
          ['2025-12-01', '2026-01-31', undefined],
          ['2025-12-15', '2026-02-14', 'CNC-002'],
          ['2026-01-31', '2026-02-01', undefined],
          ['2027-01-01', '2027-01-31', undefined],
        ];
        for (let i = 0; i < 30; i++) {
          const [a, b] = [day(), day()].sort();
          ranges.push([a, b, machines[next(machines.length)]]);
        }
        const builds = jest.spyOn(MetricsRollup, 'build');
        await expectSameAnswers(fromRollup, fromDatabase, ranges);
        expect(builds).toHaveBeenCalledTimes(1);

        // Merges are patched into the rollup: a machine-day changed, one added after the end, days
        // of the next month and of one two months on (live data moving into a new month: the
        // rollup grows), and a new machine (with a downtime reason the rollup has not seen: rebuilt
        // instead).
        ranges.push(
          ['2026-03-01', '2026-06-30', undefined],
          ['2026-03-20', '2026-04-10', 'CNC-002'],
          ['2026-04-01', '2026-06-15', 'Packaging-001'],
        );
        const merge = (dataset: Dataset) =>
          data.mergeDataset(dataset, { source: 'import', generatedAt: 'test' });
        for (const [days, machineCount, seed, endDate] of [
          [3, 2, 11, '2026-01-31'],
          [2, 1, 12, '2026-03-12'],
          [3, 2, 14, '2026-04-02'],
          [1, 5, 15, '2026-06-10'],
        ] as const) {
          await merge(generateDemoDataset({ days, machines: machineCount, seed, endDate }));
          await expectSameAnswers(fromRollup, fromDatabase, ranges);
        }
        expect(builds).toHaveBeenCalledTimes(1);
        const renamed = generateDemoDataset({
          days: 2,
          machines: 1,
          seed: 13,
          endDate: '2026-02-02',
        });
        renamed.machines[0].name = 'Press-900';
        for (const record of [
          ...renamed.production,
          ...renamed.downtimeEvents,
          ...renamed.qualityIssues,
        ]) {
          record.machine = 'Press-900';
        }
        renamed.downtimeEvents.push({
          machine: 'Press-900',
          date: '2026-02-02',
          shift: null,
          reason: 'Flood',
          description: '',
          durationHours: 1,
        });
        await merge(renamed);
        await expectSameAnswers(fromRollup, fromDatabase, [
          ...ranges,
          ['2026-01-15', '2026-02-20', 'Press-900'],
        ]);
        expect(builds).toHaveBeenCalledTimes(2);
        builds.mockRestore();

        // A merge over more consecutive months of one machine than one summary query reads.
        const { machines: specs, shifts } = generateDemoDataset({
          days: 1,
          machines: 5,
          seed: 3,
          endDate: '2026-03-10',
        });
        const monthly = monthsBetween('2022-01-01', '2025-04-30').map((month, i) =>
          row('CNC-002', addDays(month, 14), { shift: shifts[0].name, partsProduced: 100 + i }),
        );
        expect(monthly).toHaveLength(40);
        await merge({
          machines: specs,
          shifts,
          production: monthly,
          downtimeEvents: [],
          qualityIssues: [],
        });
        ranges.push(
          ['2022-01-01', '2026-06-30', 'CNC-002'],
          ['2023-02-10', '2025-09-20', undefined],
        );
        await expectSameAnswers(fromRollup, fromDatabase, ranges);

        // A database summarised by the release before the stored sums is summarised again, every
        // month of every machine, when an instance starts.
        for (const table of [
          'machine_day_totals',
          'machine_month_sums',
          'plant_day_sums',
        ] as const) {
          await db.deleteFrom(table).execute();
        }
        await db
          .updateTable('dataset_meta')
          .set({ value: JSON.stringify([...config.plannedDowntimeReasons].sort()) })
          .where('key', '=', 'summaries_basis')
          .execute();
        const restarted = createDataService(db, testDb.url, config);
        expect(await restarted.ensureSummaries()).toBe(true);
        expect(await restarted.ensureSummaries()).toBe(false);
        await expectSameAnswers(
          metricsService(db, restarted, config, 'rollup'),
          fromDatabase,
          ranges,
        );

        // A file is imported date by date, each machine's rows among the others': summarised
        // month by month over all machines instead of machine by machine.
        const { dataset: stored } = await data.readDataset();
        const byDate = new Map<string, DatasetRecords>();
        const partOf = (date: string) => {
          let part = byDate.get(date);
          if (!part)
            byDate.set(date, (part = { production: [], downtimeEvents: [], qualityIssues: [] }));
          return part;
        };
        for (const r of stored.production) partOf(r.date).production.push(r);
        for (const e of stored.downtimeEvents) partOf(e.date).downtimeEvents.push(e);
        for (const q of stored.qualityIssues) partOf(q.date).qualityIssues.push(q);
        expect(byDate.size).toBeGreaterThan(100);
        await data.replaceInParts(stored, { source: 'import', generatedAt: 'test' }, [
          ...byDate.values(),
        ]);
        await expectSameAnswers(metricsService(db, data, config, 'rollup'), fromDatabase, ranges);
        await data.onModuleDestroy();
      } finally {
        await testDb.drop();
      }
    },
  );
});

describe('a request that finds the rollup still being built', () => {
  it.each(DATABASE_KINDS)(
    'on %s, is answered from the database after a while rather than waiting for the build',
    async (kind) => {
      const testDb = await createTestDatabase(kind);
      const db = createDatabase(testDb.url, { poolSize: 2, statementTimeoutMs: 10_000 });
      let finishBuild = () => {};
      const builds = jest
        .spyOn(MetricsRollup, 'build')
        .mockReturnValue(
          new Promise((resolve) => (finishBuild = () => resolve(null as unknown as MetricsRollup))),
        );
      try {
        await migrateToLatest(db);
        const data = createDataService(db, testDb.url, config);
        await data.replaceDataset(dataset([row('A', '2026-01-05', { partsProduced: 100 })]), {
          source: 'import',
          generatedAt: 'test',
        });
        const queries = new MetricsSumsRepository(new ReadSnapshots(db, testDb.url), config);
        const cache = new MetricsRollupCache(data, queries);
        expect(cache.waitMs).toBe(ROLLUP_WAIT_MS);
        cache.waitMs = 100;
        expect(await cache.sums()).toBe(queries);
        expect(builds).toHaveBeenCalledTimes(1);
        // The build ends (its snapshot with it) before the database is closed.
        finishBuild();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await data.onModuleDestroy();
      } finally {
        builds.mockRestore();
        await testDb.drop();
      }
    },
  );
});
