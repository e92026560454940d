import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { buildClientSchema, getIntrospectionQuery, IntrospectionQuery, printSchema } from 'graphql';
import { startTestApp, TestApp } from './support/test-app';
import {
  DATABASE_KINDS,
  redisPrefix,
  TEST_REDIS_URL,
} from '../src/data/database/test-databases.testing';
import { FIXTURES, ROOT } from './support/processes';

const RANGE = 'startDate: "2026-01-05", endDate: "2026-01-06"';
const ADMIN_KEY = 'test-admin-key-0123456789';
const SMALL_PLANT = join(FIXTURES, 'small-plant.json');
/** M2 on 2026-01-06 made 100 parts, 7 scrapped: a merge that moves the totals to 1,800 and 37. */
const SMALL_PLANT_PATCH = join(FIXTURES, 'small-plant-patch.json');

/**
 * Hand-computed values for test/fixtures/small-plant.json (two machines, two days):
 * M1 (60 s): 01-05 planned 8, run 7.5, 0.5 h maintenance (planned), 400 parts / 380 good;
 *            01-06 planned 8.5, run 6, 2.5 h mechanical, 300 parts / 300 good (no shift breakdown).
 * M2 (30 s): 01-05 planned 8, run 7, 0.75 h mechanical + 0.25 h material, 1000 parts / 990 good,
 *            split Day 4 h run, 505 parts / 500 good and Night 3 h run + 1 h down, 495 / 490;
 *            01-06 planned 8, run 0, 8 h electrical, no parts.
 */
const HAND = (() => {
  const planned = 8 + 8.5 + 8 + 8;
  const plannedDowntime = 0.5;
  const run = 7.5 + 6 + 7 + 0;
  const idealHours = ((400 + 300) * 60 + 1000 * 30) / 3600;
  const availability = run / (planned - plannedDowntime);
  const performance = idealHours / run;
  const quality = (380 + 300 + 990) / (400 + 300 + 1000);
  return {
    planned,
    run,
    availability,
    performance,
    quality,
    oee: availability * performance * quality,
  };
})();

describe.each(DATABASE_KINDS)('GraphQL API over HTTP on %s', (database) => {
  let t: TestApp;
  /** A server with the small plant imported, on a database of its own. */
  const startSmallPlant = () =>
    startTestApp(
      {
        RATE_LIMIT_DEFAULT: '100000/minute',
        RATE_LIMIT_SETUP: '1000/minute',
        ADMIN_API_KEY: ADMIN_KEY,
      },
      { importFile: SMALL_PLANT, database },
    );

  beforeAll(async () => {
    t = await startSmallPlant();
  });
  afterAll(() => t.close());

  describe('metrics after importing a file in the original format', () => {
    it('oee matches the values computed by hand', async () => {
      const { body } = await t.gql(`{ oee(${RANGE}) {
        oee availability performance quality totalParts goodParts scrapParts plannedHours plannedBusyHours runHours warnings
      } }`);
      const oee = body.data?.oee;
      expect(oee.oee).toBeCloseTo(HAND.oee, 4);
      expect(oee.availability).toBeCloseTo(HAND.availability, 4);
      expect(oee.performance).toBeCloseTo(HAND.performance, 4);
      expect(oee.quality).toBeCloseTo(HAND.quality, 4);
      expect(oee).toMatchObject({
        totalParts: 1700,
        goodParts: 1670,
        scrapParts: 30,
        plannedHours: 32.5,
        plannedBusyHours: 32,
        runHours: 20.5,
      });
      // M2 made 1000 parts at 30 s in 7 h of run time: 119% performance.
      expect(oee.warnings).toEqual([
        expect.stringMatching(/^Performance of M2 is 119\.0%.*\(30 s\)/),
      ]);
    });

    it('oee breaks down by machine, shift and day, each from its own sums', async () => {
      const { body } = await t.gql(`{ oee(${RANGE}) {
        byMachine { machine oee availability performance quality totalParts }
        byShift { shift availability performance quality totalParts plannedBusyHours }
        daily { date oee availability totalParts }
      } }`);
      const { byMachine, byShift, daily } = body.data!.oee;
      expect(byMachine.map((m: { machine: string }) => m.machine)).toEqual(['M1', 'M2']);
      expect(byMachine[0].availability).toBeCloseTo(13.5 / 16, 4);
      expect(byMachine[0].performance).toBeCloseTo((700 * 60) / 3600 / 13.5, 4);
      expect(byMachine[1].availability).toBeCloseTo(7 / 16, 4);
      expect(byMachine[1].performance).toBeCloseTo((1000 * 30) / 3600 / 7, 4);
      // Day: M1 both days (no breakdown -> first shift), M2 01-05 Day and 01-06 (no breakdown).
      expect(byShift[0]).toMatchObject({ shift: 'Day', totalParts: 1205, plannedBusyHours: 28 });
      expect(byShift[0].availability).toBeCloseTo(17.5 / 28, 4);
      expect(byShift[0].performance).toBeCloseTo((700 * 60 + 505 * 30) / 3600 / 17.5, 4);
      expect(byShift[1]).toMatchObject({ shift: 'Night', totalParts: 495, plannedBusyHours: 4 });
      expect(byShift[1].availability).toBeCloseTo(0.75, 4);
      expect(byShift[1].quality).toBeCloseTo(490 / 495, 4);
      expect(daily.map((d: { date: string }) => d.date)).toEqual(['2026-01-05', '2026-01-06']);
      expect(daily[0].availability).toBeCloseTo(14.5 / 15.5, 4);
      expect(daily[1].availability).toBeCloseTo(6 / 16.5, 4);
    });

    it('a machine filter is case-insensitive and selects that machine only', async () => {
      const { body } = await t.gql(
        `{ oee(${RANGE}, machine: "m1") { totalParts availability byMachine { machine } } }`,
      );
      expect(body.data?.oee).toEqual({
        totalParts: 700,
        availability: expect.any(Number),
        byMachine: [{ machine: 'M1' }],
      });
      expect(body.data?.oee.availability).toBeCloseTo(13.5 / 16, 4);
    });

    it('scrap', async () => {
      const { body } = await t.gql(`{
        all: scrap(${RANGE}) { totalScrap totalParts scrapRate scrapByMachine { machine scrapParts totalParts scrapRate } daily { date scrapParts totalParts scrapRate } }
        one: scrap(${RANGE}, machine: "M1") { totalScrap scrapRate scrapByMachine { machine } }
      }`);
      expect(body.data?.all).toEqual({
        totalScrap: 30,
        totalParts: 1700,
        scrapRate: 1.76,
        scrapByMachine: [
          { machine: 'M1', scrapParts: 20, totalParts: 700, scrapRate: 2.86 },
          { machine: 'M2', scrapParts: 10, totalParts: 1000, scrapRate: 1 },
        ],
        daily: [
          { date: '2026-01-05', scrapParts: 30, totalParts: 1400, scrapRate: 2.14 },
          { date: '2026-01-06', scrapParts: 0, totalParts: 300, scrapRate: 0 },
        ],
      });
      expect(body.data?.one).toEqual({ totalScrap: 20, scrapRate: 2.86, scrapByMachine: null });
    });

    it('qualityIssues with severity breakdown, filter and paging', async () => {
      const { body } = await t.gql(`{
        all: qualityIssues(${RANGE}) { totalIssues totalPartsAffected severityBreakdown { severity count }
          issues { date machine type description severity partsAffected } }
        high: qualityIssues(${RANGE}, severity: HIGH) { totalIssues issues { type } }
        page: qualityIssues(${RANGE}) { issues(limit: 1, offset: 1) { machine type } }
      }`);
      expect(body.data?.all).toEqual({
        totalIssues: 3,
        totalPartsAffected: 21,
        severityBreakdown: [
          { severity: 'HIGH', count: 1 },
          { severity: 'MEDIUM', count: 1 },
          { severity: 'LOW', count: 1 },
        ],
        issues: [
          {
            date: '2026-01-05',
            machine: 'M1',
            type: 'dimensional',
            description: 'Bore oversize',
            severity: 'HIGH',
            partsAffected: 12,
          },
          {
            date: '2026-01-05',
            machine: 'M1',
            type: 'surface',
            description: 'Scratches',
            severity: 'MEDIUM',
            partsAffected: 5,
          },
          {
            date: '2026-01-05',
            machine: 'M2',
            type: 'material',
            description: 'Inclusion',
            severity: 'LOW',
            partsAffected: 4,
          },
        ],
      });
      expect(body.data?.high).toEqual({ totalIssues: 1, issues: [{ type: 'dimensional' }] });
      expect(body.data?.page).toEqual({ issues: [{ machine: 'M1', type: 'surface' }] });
    });

    it('losses add up to planned busy time; valuable operating time is OEE x planned busy time', async () => {
      const { body } = await t.gql(`{
        oee(${RANGE}) { oee plannedBusyHours }
        losses(${RANGE}) { plannedHours plannedDowntimeHours plannedBusyHours valuableOperatingHours
          availabilityLossHours performanceLossHours qualityLossHours
          availabilityLossByReason { reason hours events cumulativeShare }
          plannedDowntimeByReason { reason hours }
          sixBigLosses { loss category hours note } warnings }
        night: losses(${RANGE}, shift: "night", machine: "M2") { plannedBusyHours availabilityLossHours }
      }`);
      expect(body.errors).toBeUndefined();
      const { oee, losses, night } = body.data as Record<string, any>;
      expect(losses.plannedBusyHours).toBe(oee.plannedBusyHours);
      const parts =
        losses.valuableOperatingHours +
        losses.availabilityLossHours +
        losses.performanceLossHours +
        losses.qualityLossHours;
      expect(Math.abs(parts - losses.plannedBusyHours)).toBeLessThan(0.005);
      expect(Math.abs(losses.valuableOperatingHours - oee.oee * oee.plannedBusyHours)).toBeLessThan(
        0.01,
      );
      // Unplanned downtime (11.5 h) is the availability loss: every hour of it has an event here.
      expect(losses).toMatchObject({ plannedDowntimeHours: 0.5, availabilityLossHours: 11.5 });
      expect(losses.availabilityLossByReason).toEqual([
        { reason: 'electrical', hours: 8, events: 1, cumulativeShare: 0.6957 },
        { reason: 'mechanical', hours: 3.25, events: 2, cumulativeShare: 0.9783 },
        { reason: 'material', hours: 0.25, events: 1, cumulativeShare: 1 },
      ]);
      expect(losses.plannedDowntimeByReason).toEqual([{ reason: 'maintenance', hours: 0.5 }]);
      const six = losses.sixBigLosses as { loss: string; category: string; hours: number }[];
      expect(six.map((l) => l.loss)).toEqual([
        'Breakdowns',
        'Setup and adjustments',
        'Small stops',
        'Other stops',
        'Reduced speed',
        'Process defects',
        'Reduced yield',
      ]);
      expect(six[0].hours).toBe(11.25);
      const availability = six.filter((l) => l.category === 'availability');
      expect(availability.reduce((n, l) => n + l.hours, 0)).toBeCloseTo(11.5, 2);
      expect(night.plannedBusyHours).toBeGreaterThan(0);
    });

    it('defect Pareto by type and machine; downtime by machine and shift; the previous period', async () => {
      const { body } = await t.gql(`{
        qualityIssues(${RANGE}) {
          byType { type count partsAffected cumulativeShare }
          byMachine { machine count partsAffected cumulativeShare }
        }
        downtime(${RANGE}) {
          downtimeByReason { reason cumulativeShare }
          byMachine { machine downtimeHours plannedDowntimeHours unplannedDowntimeHours cumulativeShare }
          byShift { shift unplannedDowntimeHours cumulativeShare }
        }
        oee(${RANGE}) { oee availability }
        comparison(${RANGE}) { startDate endDate previousStartDate previousEndDate
          current { oee availability scrapRate downtimeHours } previous { oee downtimeHours }
          change { oee downtimeHours } }
      }`);
      expect(body.errors).toBeUndefined();
      const data = body.data as Record<string, any>;
      expect(data.qualityIssues).toEqual({
        byType: [
          { type: 'dimensional', count: 1, partsAffected: 12, cumulativeShare: 0.5714 },
          { type: 'surface', count: 1, partsAffected: 5, cumulativeShare: 0.8095 },
          { type: 'material', count: 1, partsAffected: 4, cumulativeShare: 1 },
        ],
        byMachine: [
          { machine: 'M1', count: 2, partsAffected: 17, cumulativeShare: 0.8095 },
          { machine: 'M2', count: 1, partsAffected: 4, cumulativeShare: 1 },
        ],
      });
      expect(data.downtime.downtimeByReason.at(-1).cumulativeShare).toBe(1);
      const byMachine = data.downtime.byMachine as { unplannedDowntimeHours: number }[];
      expect(byMachine.reduce((n, m) => n + m.unplannedDowntimeHours, 0)).toBeCloseTo(11.5, 2);
      expect(byMachine.at(-1)).toMatchObject({ cumulativeShare: 1 });
      expect(data.downtime.byShift.map((s: { shift: string }) => s.shift).sort()).toEqual([
        'Day',
        'Night',
      ]);
      expect(data.comparison).toEqual({
        startDate: '2026-01-05',
        endDate: '2026-01-06',
        previousStartDate: '2026-01-03',
        previousEndDate: '2026-01-04',
        current: {
          oee: data.oee.oee,
          availability: data.oee.availability,
          scrapRate: 1.76,
          downtimeHours: 12,
        },
        previous: { oee: null, downtimeHours: 0 },
        change: { oee: null, downtimeHours: 12 },
      });
    });

    it('shiftReport: each shift with its machines, largest losses and major events', async () => {
      const { body } = await t.gql(`{ shiftReport(date: "2026-01-06") { date
        shifts { shift oee totalParts machines { machine oee totalParts } topLosses { loss hours }
          topReasons { reason hours } majorEvents { machine reason durationHours } }
        majorEventsWithoutShift { machine durationHours } } }`);
      expect(body.errors).toBeUndefined();
      const report = body.data?.shiftReport;
      expect(report.date).toBe('2026-01-06');
      expect(report.shifts.map((s: { shift: string }) => s.shift)).toEqual(['Day', 'Night']);
      const machineParts = report.shifts.flatMap((s: { machines: { totalParts: number }[] }) =>
        s.machines.map((m) => m.totalParts),
      );
      expect(machineParts.reduce((a: number, b: number) => a + b, 0)).toBe(300);
      const events = [
        ...report.shifts.flatMap((s: { majorEvents: unknown[] }) => s.majorEvents),
        ...report.majorEventsWithoutShift,
      ].map((e: { durationHours: number }) => e.durationHours);
      expect(events.sort()).toEqual([2.5, 8]);
      const csv = await t.cli('report', 'shift', '--date', '2026-01-06', '--csv');
      const lines = csv.stdout.trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'date,shift,machine,oee,availability,performance,quality,parts,good,scrap,planned_busy_hours,run_hours',
      );
      expect(lines.filter((l) => l.includes(',All,'))).toHaveLength(2);
      const json = await t.cli('report', 'shift', '--date', '2026-01-06', '--json');
      expect(JSON.parse(json.stdout).shifts.map((s: { oee: number | null }) => s.oee)).toEqual(
        report.shifts.map((s: { oee: number | null }) => s.oee),
      );
    });

    it("shiftReport's date is yesterday in FACTORY_TIMEZONE when none is given, for the API and the CLI", async () => {
      // A zone whose date differs from UTC's now: 14 h ahead after 10:00 UTC, 12 h behind before.
      const zone = new Date().getUTCHours() >= 10 ? 'Etc/GMT-14' : 'Etc/GMT+12';
      const k = await startTestApp({ FACTORY_TIMEZONE: zone });
      try {
        const yesterday = () => {
          const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
          const date = new Date(`${today}T00:00:00Z`);
          date.setUTCDate(date.getUTCDate() - 1);
          return date.toISOString().slice(0, 10);
        };
        const before = yesterday();
        const { body } = await k.gql('{ shiftReport { date } }');
        const cli = JSON.parse((await k.cli('report', 'shift', '--json')).stdout);
        // Around the zone's midnight the two may straddle it.
        expect([before, yesterday()]).toContain(body.data?.shiftReport.date);
        expect([before, yesterday()]).toContain(cli.date);
      } finally {
        await k.close();
      }
    });

    it('downtime: totals, planned split, Pareto, major events, MTBF and MTTR', async () => {
      const { body } = await t.gql(`{ downtime(${RANGE}) {
        totalDowntimeHours plannedDowntimeHours unplannedDowntimeHours failures failureHours mtbfHours mttrHours
        downtimeByReason { reason hours events planned }
        majorEvents { date machine reason description durationHours }
      } }`);
      expect(body.data?.downtime).toEqual({
        totalDowntimeHours: 12,
        plannedDowntimeHours: 0.5,
        unplannedDowntimeHours: 11.5,
        failures: 3,
        failureHours: 11.25,
        mtbfHours: Math.round((20.5 / 3) * 100) / 100,
        mttrHours: 3.75,
        downtimeByReason: [
          { reason: 'electrical', hours: 8, events: 1, planned: false },
          { reason: 'mechanical', hours: 3.25, events: 2, planned: false },
          { reason: 'maintenance', hours: 0.5, events: 1, planned: true },
          { reason: 'material', hours: 0.25, events: 1, planned: false },
        ],
        majorEvents: [
          {
            date: '2026-01-06',
            machine: 'M2',
            reason: 'electrical',
            description: 'Main drive burnt out',
            durationHours: 8,
          },
          {
            date: '2026-01-06',
            machine: 'M1',
            reason: 'mechanical',
            description: 'Spindle failure',
            durationHours: 2.5,
          },
        ],
      });
    });

    it('lists only the major events of a reason, and only the issues of a defect type, in any letter case', async () => {
      const { body } = await t.gql(`{
        downtime(${RANGE}) { majorEvents(reason: "Mechanical") { machine reason durationHours } }
        qualityIssues(${RANGE}) { issues(type: "SURFACE") { machine type partsAffected } }
      }`);
      expect(body.data).toEqual({
        downtime: { majorEvents: [{ machine: 'M1', reason: 'mechanical', durationHours: 2.5 }] },
        qualityIssues: { issues: [{ machine: 'M1', type: 'surface', partsAffected: 5 }] },
      });
    });

    it('machines, shifts, stats and dateRange', async () => {
      const { body } = await t.gql(`{
        machines { id name type idealCycleTime } shifts { id name startHour endHour startTime endTime }
        stats { exists startDate endDate totalDays daysWithData totalMachines totalShifts totalRecords }
        dateRange { startDate endDate totalDays }
      }`);
      expect(body.data).toEqual({
        machines: [
          { id: '1', name: 'M1', type: 'Mill', idealCycleTime: 60 },
          { id: '2', name: 'M2', type: 'Press', idealCycleTime: 30 },
        ],
        shifts: [
          { id: '1', name: 'Day', startHour: 6, endHour: 14, startTime: '06:00', endTime: '14:00' },
          {
            id: '2',
            name: 'Night',
            startHour: 14,
            endHour: 22,
            startTime: '14:00',
            endTime: '22:00',
          },
        ],
        stats: {
          exists: true,
          startDate: '2026-01-05',
          endDate: '2026-01-06',
          totalDays: 2,
          daysWithData: 2,
          totalMachines: 2,
          totalShifts: 2,
          totalRecords: 4,
        },
        dateRange: { startDate: '2026-01-05', endDate: '2026-01-06', totalDays: 2 },
      });
    });

    it('a range outside the data is not an error: totals 0, ratios null, lists empty', async () => {
      const range = 'startDate: "2020-01-01", endDate: "2020-01-31"';
      const { body } = await t.gql(`{
        oee(${range}) { oee availability performance quality totalParts byMachine { machine } daily { date } }
        scrap(${range}) { totalScrap scrapRate daily { date } }
        qualityIssues(${range}) { totalIssues issues { type } }
        downtime(${range}) { totalDowntimeHours failures mtbfHours mttrHours downtimeByReason { reason } majorEvents { reason } }
      }`);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({
        oee: {
          oee: null,
          availability: null,
          performance: null,
          quality: null,
          totalParts: 0,
          byMachine: [],
          daily: [],
        },
        scrap: { totalScrap: 0, scrapRate: null, daily: [] },
        qualityIssues: { totalIssues: 0, issues: [] },
        downtime: {
          totalDowntimeHours: 0,
          failures: 0,
          mtbfHours: null,
          mttrHours: null,
          downtimeByReason: [],
          majorEvents: [],
        },
      });
    });
  });

  it('the CLI prints the same numbers as the API', async () => {
    const from = ['--from', '2026-01-05', '--to', '2026-01-06'];
    const cliJson = async (...args: string[]) => {
      const result = await t.cli(...args, ...from, '--json');
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as Record<string, any>;
    };
    const { body } = await t.gql(`{
      oee(${RANGE}) { oee availability performance quality totalParts runHours byMachine { machine oee } warnings }
      scrap(${RANGE}) { totalScrap scrapRate }
      qualityIssues(${RANGE}) { totalIssues totalPartsAffected
        byType { type count partsAffected cumulativeShare }
        byMachine { machine count partsAffected cumulativeShare } }
      downtime(${RANGE}) { totalDowntimeHours plannedDowntimeHours failures mtbfHours mttrHours majorEvents { durationHours } }
    }`);
    const api = body.data as Record<string, any>;
    const oee = await cliJson('oee');
    expect(oee).toMatchObject({
      oee: api.oee.oee,
      availability: api.oee.availability,
      performance: api.oee.performance,
      quality: api.oee.quality,
      totalParts: api.oee.totalParts,
      runHours: api.oee.runHours,
      warnings: api.oee.warnings,
    });
    expect(oee.byMachine.map((m: { machine: string; oee: number }) => [m.machine, m.oee])).toEqual(
      api.oee.byMachine.map((m: { machine: string; oee: number }) => [m.machine, m.oee]),
    );
    expect(await cliJson('scrap')).toMatchObject({
      scrapParts: api.scrap.totalScrap,
      scrapRate: api.scrap.scrapRate,
    });
    expect(await cliJson('quality')).toMatchObject(api.qualityIssues);
    const downtime = await cliJson('downtime');
    expect(downtime).toMatchObject({ ...api.downtime, majorEvents: expect.any(Array) });
    expect(downtime.majorEvents.map((e: { durationHours: number }) => e.durationHours)).toEqual([
      8, 2.5,
    ]);
    const { body: more } = await t.gql(`{
      losses(${RANGE}) { plannedBusyHours valuableOperatingHours availabilityLossHours performanceLossHours qualityLossHours }
      comparison(${RANGE}) { current { oee } change { downtimeHours } }
    }`);
    const figures = more.data as Record<string, any>;
    expect(await cliJson('losses')).toMatchObject(figures.losses);
    expect(await cliJson('compare')).toMatchObject(figures.comparison);
    const losses = await t.cli('losses', ...from);
    expect(losses.stdout).toMatch(/^Breakdowns\s+availability\s+11\.25$/m);
    const table = await t.cli('oee', ...from);
    expect(table.stdout).toMatch(new RegExp(`^All\\s+${(HAND.oee * 100).toFixed(1)}%`, 'm'));
    const unknown = await t.cli('oee', ...from, '--machine', 'CNC-9');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("Error: Unknown machine 'CNC-9'. Known machines: M1, M2\n");
  });

  describe('errors carry stable codes', () => {
    const codeOf = async (
      query: string,
      variables?: Record<string, unknown>,
      headers?: Record<string, string>,
    ) => {
      const { body } = await t.gql(query, variables, headers);
      return { code: body.errors?.[0]?.extensions?.code, message: body.errors?.[0]?.message ?? '' };
    };

    it.each([
      [
        'a malformed date literal',
        '{ oee(startDate: "yesterday", endDate: "2026-01-06") { oee } }',
        /Invalid date "yesterday"/,
      ],
      [
        'an impossible date',
        '{ oee(startDate: "2024-02-30", endDate: "2026-01-06") { oee } }',
        /Invalid date "2024-02-30"/,
      ],
      [
        'endDate before startDate',
        '{ oee(startDate: "2026-01-06", endDate: "2026-01-05") { oee } }',
        /endDate \(2026-01-05\) is before startDate/,
      ],
      [
        'a range over 3660 days',
        '{ scrap(startDate: "2000-01-01", endDate: "2026-01-05") { totalScrap } }',
        /at most 3660/,
      ],
      [
        'an unknown machine',
        '{ downtime(startDate: "2026-01-05", endDate: "2026-01-06", machine: "CNC-9") { failures } }',
        /Unknown machine 'CNC-9'. Known machines: M1, M2/,
      ],
      [
        'an unknown shift',
        `{ losses(${RANGE}, shift: "Late") { plannedBusyHours } }`,
        /Unknown shift 'Late'. Known shifts: Day, Night/,
      ],
      [
        'a list limit over 1000',
        `{ qualityIssues(${RANGE}) { issues(limit: 1001) { type } } }`,
        /limit must be a whole number from 0 to 1000/,
      ],
    ])('BAD_USER_INPUT for %s', async (_name, query, message) => {
      const error = await codeOf(query);
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(message);
    });

    it('BAD_USER_INPUT for an impossible date passed as a variable', async () => {
      const error = await codeOf('query ($d: Date!) { oee(startDate: $d, endDate: $d) { oee } }', {
        d: '2023-02-29',
      });
      expect(error.code).toBe('BAD_USER_INPUT');
    });

    it('UNAUTHENTICATED for setup without the admin key or with a wrong one', async () => {
      const mutation = 'mutation { setup(days: 3) { days } }';
      expect(await codeOf(mutation)).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: /Missing Authorization/,
      });
      expect(
        await codeOf(mutation, undefined, { authorization: 'Bearer wrong-key' }),
      ).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'Invalid admin API key.',
      });
    });

    it('BAD_USER_INPUT for setup arguments out of range, with the key', async () => {
      const auth = { authorization: `Bearer ${ADMIN_KEY}` };
      expect((await codeOf('mutation { setup(days: 0) { days } }', undefined, auth)).code).toBe(
        'BAD_USER_INPUT',
      );
      expect(
        (await codeOf('mutation { setup(machines: 5000) { days } }', undefined, auth)).code,
      ).toBe('BAD_USER_INPUT');
    });

    it('QUERY_TOO_COMPLEX for fifty aliased oee queries, before any work, with HTTP 400', async () => {
      const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: oee(${RANGE}) { oee }`).join(
        ' ',
      );
      const { status, body } = await t.gql(`{ ${aliases} }`);
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]).toMatchObject({
        extensions: { code: 'QUERY_TOO_COMPLEX' },
        message: expect.stringMatching(/cost/),
      });
    });

    it('refuses deeply nested introspection, while the standard introspection passes', async () => {
      expect((await t.gql(getIntrospectionQuery())).body.errors).toBeUndefined();
      const nested = (levels: number): string =>
        levels === 0 ? 'name' : `fields { type { ${nested(levels - 1)} } }`;
      const { status, body } = await t.gql(`{ __schema { types { ${nested(7)} } } }`);
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        message: 'Maximum introspection depth exceeded',
      });
    });

    it('keeps Apollo codes for malformed GraphQL', async () => {
      expect((await codeOf('{ oee(')).code).toBe('GRAPHQL_PARSE_FAILED');
      expect((await codeOf('{ nope }')).code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('setup mutation', () => {
    // This block writes: a server and database of its own, so no other test depends on its order.
    let w: TestApp;
    beforeAll(async () => {
      w = await startSmallPlant();
    });
    afterAll(() => w.close());
    it('replaces the data when called with the admin key', async () => {
      const { body } = await w.gql(
        'mutation { setup(days: 3, machines: 2, seed: 7) { message days startDate endDate machines } }',
        undefined,
        { authorization: `Bearer ${ADMIN_KEY}` },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.setup).toMatchObject({
        days: 3,
        machines: ['CNC-001', 'Assembly-001'],
        message: expect.stringMatching(/Generated 3 days/),
      });
      const stats = await w.gql('{ stats { totalMachines totalRecords endDate } }');
      expect(stats.body.data?.stats).toMatchObject({
        totalMachines: 2,
        totalRecords: 6,
        endDate: body.data?.setup.endDate,
      });
      // Back to the fixture for the tests that follow (the CLI writes to the server's database).
      expect((await w.cli('import', SMALL_PLANT)).code).toBe(0);
      expect((await w.gql('{ stats { totalMachines } }')).body.data?.stats.totalMachines).toBe(2);
    });
  });

  describe('targets', () => {
    // This block writes targets: a server and database of its own.
    let w: TestApp;
    beforeAll(async () => {
      w = await startSmallPlant();
    });
    afterAll(() => w.close());
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };

    it("answers hold the machine's own targets, else the plant's; setting them needs the admin key", async () => {
      const query = `{ oee(${RANGE}) { oee target { oee oeeMet own }
        byMachine { machine oee target { oee oeeMet quality qualityMet scrapRate scrapRateMet own } } } }`;
      const before = (await w.gql(query)).body.data?.oee;
      expect(before.target).toEqual({ oee: 0.85, oeeMet: before.oee >= 0.85, own: false });
      // M1 scrapped 20 of 700 parts (2.86%), above the plant's 2%: the CLI marks it.
      const scrapTable = await w.cli('scrap', '--from', '2026-01-05', '--to', '2026-01-06');
      expect(scrapTable.stdout).toMatch(/^M1\s+20\s+700\s+2\.86% \(> 2%\)$/m);
      const set =
        'mutation { setMachineTargets(machine: "m1", oee: 0.1, scrapRate: 5) { machine oee quality scrapRate } }';
      expect((await w.gql(set)).body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      const { body } = await w.gql(set, undefined, admin);
      expect(body.data?.setMachineTargets).toEqual({
        machine: 'M1',
        oee: 0.1,
        quality: null,
        scrapRate: 5,
      });
      const after = (await w.gql(query)).body.data?.oee;
      const m1 = after.byMachine.find((m: { machine: string }) => m.machine === 'M1');
      expect(m1.target).toMatchObject({
        oee: 0.1,
        oeeMet: true,
        quality: 0.99,
        scrapRate: 5,
        own: true,
      });
      expect(m1.target.scrapRateMet).toBe(true); // 20 of 700 = 2.86%
      const scrap = (
        await w.gql(`{ scrap(${RANGE}) { scrapRate target { scrapRate met own }
          scrapByMachine { machine target { scrapRate met own } } } }`)
      ).body.data?.scrap;
      expect(scrap.target).toEqual({ scrapRate: 2, met: scrap.scrapRate <= 2, own: false });
      expect(scrap.scrapByMachine[0]).toEqual({
        machine: 'M1',
        target: { scrapRate: 5, met: true, own: true },
      });
      const m2 = after.byMachine.find((m: { machine: string }) => m.machine === 'M2');
      expect(m2.target).toMatchObject({ oee: 0.85, own: false });
      // The machine filter answers with that machine's targets.
      const one = await w.gql(`{ oee(${RANGE}, machine: "M1") { target { oee own } } }`);
      expect(one.body.data?.oee.target).toEqual({ oee: 0.1, own: true });
      const listed = await w.gql(
        '{ targets { plant { oee scrapRate } machines { machine oee } } }',
      );
      expect(listed.body.data?.targets).toEqual({
        plant: { oee: 0.85, scrapRate: 2 },
        machines: [{ machine: 'M1', oee: 0.1 }],
      });
      const bad = await w.gql(
        'mutation { setMachineTargets(machine: "M1", quality: 99) { machine } }',
        undefined,
        admin,
      );
      expect(bad.body.errors?.[0]).toMatchObject({
        message: 'quality must be from 0 to 1 (a ratio) or null, got 99',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      // The CLI reads and writes the same targets (percent on the command line).
      expect((await w.cli('targets', '--machine', 'M2', '--quality', '97.5')).code).toBe(0);
      const json = JSON.parse((await w.cli('targets', '--json')).stdout);
      expect(json.machines).toEqual([
        expect.objectContaining({ machine: 'M1', oee: 0.1 }),
        expect.objectContaining({ machine: 'M2', quality: 0.975 }),
      ]);
    });

    it("sets the plant's targets (GraphQL and CLI), which every machine without its own follows", async () => {
      const plant = async () =>
        (await w.gql('{ targets { plant { oee availability scrapRate } } }')).body.data?.targets
          .plant;
      const set =
        'mutation { setPlantTargets(oee: 0.6, scrapRate: 4) { oee availability scrapRate } }';
      expect((await w.gql(set)).body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect((await w.gql(set, undefined, admin)).body.data?.setPlantTargets).toEqual({
        oee: 0.6,
        availability: 0.9,
        scrapRate: 4,
      });
      expect(await plant()).toEqual({ oee: 0.6, availability: 0.9, scrapRate: 4 });
      // M2 has only a quality target of its own (the test above): the rest is the plant's.
      const m2 = await w.gql(
        `{ oee(${RANGE}, machine: "M2") { target { oee quality scrapRate own } } }`,
      );
      expect(m2.body.data?.oee.target).toEqual({
        oee: 0.6,
        quality: 0.975,
        scrapRate: 4,
        own: true,
      });
      // The CLI: percent; --clear goes back to the TARGET_* settings.
      expect((await w.cli('targets', '--availability', '80')).code).toBe(0);
      expect(await plant()).toEqual({ oee: 0.6, availability: 0.8, scrapRate: 4 });
      expect((await w.cli('targets', '--clear')).code).toBe(0);
      expect(await plant()).toEqual({ oee: 0.85, availability: 0.9, scrapRate: 2 });
      const bad = await w.gql('mutation { setPlantTargets(oee: 85) { oee } }', undefined, admin);
      expect(bad.body.errors?.[0].message).toBe(
        'oee must be from 0 to 1 (a ratio) or null, got 85',
      );
    });
  });

  describe('no stale metrics after a write', () => {
    // This block writes: a server and database of its own, so no other test depends on its order.
    let w: TestApp;
    beforeAll(async () => {
      w = await startSmallPlant();
    });
    afterAll(() => w.close());
    const totals = async (range = RANGE) =>
      (await w.gql(`{ oee(${range}) { totalParts } scrap(${range}) { totalScrap } }`)).body.data;

    it('reflects an import, a merge and a setup in the next query', async () => {
      expect(await totals()).toEqual({ oee: { totalParts: 1700 }, scrap: { totalScrap: 30 } });

      // Merge (from another process, the CLI): M2 on 2026-01-06 now made 100 parts, 7 scrapped.
      expect((await w.cli('import', SMALL_PLANT_PATCH, '--merge')).code).toBe(0);
      expect(await totals()).toEqual({ oee: { totalParts: 1800 }, scrap: { totalScrap: 37 } });

      // Setup through the API in this process.
      const setup = await w.gql(
        'mutation { setup(days: 2, machines: 1, seed: 1) { startDate endDate } }',
        undefined,
        {
          authorization: `Bearer ${ADMIN_KEY}`,
        },
      );
      const { startDate, endDate } = setup.body.data?.setup as {
        startDate: string;
        endDate: string;
      };
      const generated = await totals(`startDate: "${startDate}", endDate: "${endDate}"`);
      expect(generated?.oee.totalParts).toBeGreaterThan(0);
      expect(await totals()).toEqual({ oee: { totalParts: 0 }, scrap: { totalScrap: 0 } });

      // A replacing import from the CLI.
      expect((await w.cli('import', SMALL_PLANT)).code).toBe(0);
      expect(await totals()).toEqual({ oee: { totalParts: 1700 }, scrap: { totalScrap: 30 } });
    });
  });

  describe('HTTP behaviour', () => {
    it('echoes X-Request-Id, or makes one', async () => {
      const given = await t.gql('{ __typename }', undefined, { 'x-request-id': 'plant-7:req-42' });
      expect(given.headers.get('x-request-id')).toBe('plant-7:req-42');
      const made = await t.gql('{ __typename }', undefined, {
        'x-request-id': 'bad id with spaces',
      });
      expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers CORS preflights for allowed origins only', async () => {
      const preflight = (origin: string) =>
        fetch(`${t.url}/graphql`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
      expect(
        (await preflight('http://localhost:5173')).headers.get('access-control-allow-origin'),
      ).toBe('http://localhost:5173');
      expect(
        (await preflight('http://evil.example')).headers.get('access-control-allow-origin'),
      ).toBeNull();
    });

    it('blocks simple cross-site requests (Apollo CSRF prevention)', async () => {
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.status).toBe(400);
    });

    it('refuses bodies over the size limit with 413', async () => {
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(300_000) } }),
      });
      expect(response.status).toBe(413);
    });

    it('serves Apollo Sandbox at /graphql outside production, with security headers', async () => {
      const response = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('embeddable-sandbox');
      expect(response.headers.get('content-security-policy')).toContain(
        'https://embeddable-sandbox.cdn.apollographql.com',
      );
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      // Every header helmet sets, on every response (worked out once, set each time).
      for (const name of [
        'strict-transport-security',
        'x-frame-options',
        'referrer-policy',
        'cross-origin-opener-policy',
        'origin-agent-cluster',
      ]) {
        expect([name, response.headers.get(name)]).toEqual([name, expect.any(String)]);
      }
      expect(response.headers.get('x-powered-by')).toBeNull();
    });

    it('reports health', async () => {
      const response = await fetch(`${t.url}/health`);
      expect(response.status).toBe(200);
    });
  });

  it('the committed src/schema.gql is the schema the server serves (UPDATE_SCHEMA=1 rewrites it)', async () => {
    const { body } = await t.gql<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true }));
    const printed = printSchema(buildClientSchema(body.data as IntrospectionQuery)) + '\n';
    const file = join(ROOT, 'src/schema.gql');
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(file, printed);
    expect(readFileSync(file, 'utf8')).toBe(printed);
  });
});

describe('GraphQL API in production mode', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production', RATE_LIMIT_DEFAULT: '100000/minute' });
  });
  afterAll(() => t.close());

  it('has no Sandbox and no introspection unless GRAPHQL_SANDBOX=true', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).not.toContain('embeddable-sandbox');
    // A browser is told where to go instead: the dashboard and the documented schema.
    expect(page.status).toBe(200);
    expect(html).toContain('<a href="/">dashboard</a>');
    expect(html).toContain('GRAPHQL_SANDBOX');
    expect(html).toContain('src/schema.gql');
    const { body } = await t.gql('{ __schema { queryType { name } } }');
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers FORBIDDEN to setup when no ADMIN_API_KEY is configured, saying how to enable it', async () => {
    const { body } = await t.gql('mutation { setup { days } }', undefined, {
      authorization: 'Bearer anything',
    });
    expect(body.errors?.[0]).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
      message: expect.stringMatching(/set ADMIN_API_KEY/),
    });
  });

  it('hides real faults behind INTERNAL_SERVER_ERROR, and /health turns 503 when the database breaks', async () => {
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    // Break the server's database from outside, as a failed disk or a bad manual edit would.
    const sqlite = new SqliteDatabase(t.databaseFile);
    sqlite.exec('drop table quality_issues; drop table kysely_migration;');
    sqlite.close();
    const { body } = await t.gql(
      '{ qualityIssues(startDate: "2026-01-01", endDate: "2026-01-02") { totalIssues } }',
    );
    expect(body.errors?.[0]).toEqual(
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    );
    expect(JSON.stringify(body)).not.toMatch(/no such table|sqlite|select/i);
    expect(t.output()).toMatch(
      /Internal error \(request [0-9a-f-]{36}\): no such table: quality_issues/,
    );
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ error: { database: { status: 'down' } } });
  });
});

const RATE_LIMIT_STORES: Record<string, string>[] = [
  {},
  ...(TEST_REDIS_URL ? [{ REDIS_URL: TEST_REDIS_URL }] : []),
];

describe.each(RATE_LIMIT_STORES)('throttling (%j)', (store) => {
  it('refuses the 101st query in a minute with TOO_MANY_REQUESTS and retryAfterSeconds; /health stays open', async () => {
    const t = await startTestApp({ ...store, REDIS_KEY_PREFIX: redisPrefix() });
    try {
      for (let i = 0; i < 100; i++) {
        const { body } = await t.gql('{ stats { exists } }');
        expect(body.errors).toBeUndefined();
      }
      const { body, headers } = await t.gql('{ stats { exists } }');
      expect(body.errors?.[0]?.extensions).toEqual({
        code: 'TOO_MANY_REQUESTS',
        retryAfterSeconds: expect.any(Number),
      });
      expect(body.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
      expect(headers.get('retry-after')).not.toBeNull();
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('limits setup separately (RATE_LIMIT_SETUP), per client IP, honouring X-Forwarded-For only with TRUST_PROXY', async () => {
    const t = await startTestApp({
      ...store,
      REDIS_KEY_PREFIX: redisPrefix(),
      RATE_LIMIT_SETUP: '2/minute',
      RATE_LIMIT_DEFAULT: '3/minute',
      ADMIN_API_KEY: ADMIN_KEY,
    });
    try {
      const setup = (ip: string) =>
        t.gql('mutation { setup(days: 1, machines: 1) { days } }', undefined, {
          authorization: `Bearer ${ADMIN_KEY}`,
          'x-forwarded-for': ip,
        });
      expect((await setup('10.0.0.1')).body.errors).toBeUndefined();
      expect((await setup('10.0.0.1')).body.errors).toBeUndefined();
      const refused = await setup('10.0.0.2');
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Queries have their own limit: one budget per client, whichever query is asked.
      expect((await t.gql('{ stats { exists } }')).body.errors).toBeUndefined();
      expect((await t.gql('{ machines { name } }')).body.errors).toBeUndefined();
      expect((await t.gql('{ shifts { name } }')).body.errors).toBeUndefined();
      expect((await t.gql('{ dateRange { totalDays } }')).body.errors?.[0]?.extensions?.code).toBe(
        'TOO_MANY_REQUESTS',
      );
    } finally {
      await t.close();
    }
    const proxied = await startTestApp({
      ...store,
      REDIS_KEY_PREFIX: redisPrefix(),
      RATE_LIMIT_DEFAULT: '2/minute',
      TRUST_PROXY: 'true',
    });
    try {
      const query = (ip: string) =>
        proxied.gql('{ stats { exists } }', undefined, { 'x-forwarded-for': ip });
      await query('10.0.0.1');
      await query('10.0.0.1');
      expect((await query('10.0.0.1')).body.errors?.[0]?.extensions?.code).toBe(
        'TOO_MANY_REQUESTS',
      );
      expect((await query('10.0.0.2')).body.errors).toBeUndefined();
    } finally {
      await proxied.close();
    }
  });
});
