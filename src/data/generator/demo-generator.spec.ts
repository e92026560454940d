import { addDays } from '../../common/dates';
import { Dataset, ProductionRecord } from '../dataset';
import { parseShifts, ShiftCalendar } from '../../common/shift-calendar';
import { generateDemoDataset, SCENARIOS } from './demo-generator';

const END = '2026-11-26';
const defaultOptions = { days: 30, machines: 4, seed: 42, endDate: END };

/**
 * OEE from raw sums, written independently of the Metrics service: planned downtime of a
 * machine-day-shift is min(its downtime, its maintenance events); A = run / (planned - planned
 * downtime); P = sum(ideal cycle x parts) / run; Q = good / parts.
 */
function oee(dataset: Dataset, rows: ProductionRecord[]): number {
  const cycle = new Map(dataset.machines.map((m) => [m.name, m.idealCycleTimeSeconds]));
  const maintenance = new Map<string, number>();
  for (const e of dataset.downtimeEvents) {
    if (e.reason !== 'maintenance') continue;
    const key = `${e.machine}|${e.date}|${e.shift}`;
    maintenance.set(key, (maintenance.get(key) ?? 0) + e.durationHours);
  }
  let busy = 0;
  let run = 0;
  let idealHours = 0;
  let parts = 0;
  let good = 0;
  for (const r of rows) {
    const planned = Math.min(
      r.downtimeHours,
      maintenance.get(`${r.machine}|${r.date}|${r.shift}`) ?? 0,
    );
    busy += r.plannedHours - planned;
    run += r.runHours;
    idealHours += ((cycle.get(r.machine) as number) * r.partsProduced) / 3600;
    parts += r.partsProduced;
    good += r.goodParts;
  }
  return (run / busy) * (idealHours / run) * (good / parts);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe(generateDemoDataset.name, () => {
  const dataset = generateDemoDataset(defaultOptions);
  const startDate = addDays(END, -29);
  const dayDate = (dayNumber: number) => addDays(startDate, dayNumber - 1);

  it('gives the same data for the same options and different data for another seed', () => {
    expect(generateDemoDataset(defaultOptions)).toEqual(dataset);
    expect(generateDemoDataset({ ...defaultOptions, seed: 43 }).production).not.toEqual(
      dataset.production,
    );
  });

  it("has the original's machines and shifts, and generated names beyond the first four", () => {
    expect(dataset.machines).toEqual([
      { name: 'CNC-001', type: 'CNC Machining Center', idealCycleTimeSeconds: 45 },
      { name: 'Assembly-001', type: 'Assembly Station', idealCycleTimeSeconds: 120 },
      { name: 'Packaging-001', type: 'Automated Packaging Line', idealCycleTimeSeconds: 30 },
      { name: 'Testing-001', type: 'Quality Testing Station', idealCycleTimeSeconds: 90 },
    ]);
    expect(dataset.shifts.map((s) => [s.name, s.startHour, s.endHour])).toEqual([
      ['Day', 6, 14],
      ['Night', 14, 22],
    ]);
    const six = generateDemoDataset({ ...defaultOptions, machines: 6 });
    expect(six.machines.slice(4).map((m) => m.name)).toEqual(['CNC-002', 'Assembly-002']);
  });

  it('covers every machine, date and shift, ending on the end date', () => {
    expect(dataset.production).toHaveLength(30 * 4 * 2);
    const dates = [...new Set(dataset.production.map((r) => r.date))].sort();
    expect(dates[0]).toBe(startDate);
    expect(dates[dates.length - 1]).toBe(END);
  });

  describe.each([
    ['the default dataset', defaultOptions],
    ['9 machines over 90 days', { days: 90, machines: 9, seed: 7, endDate: '2025-03-01' }],
    ['a single day', { days: 1, machines: 4, seed: 1, endDate: '2024-02-29' }],
  ])('physical consistency of %s', (_name, options) => {
    const data = generateDemoDataset(options);
    const cycle = new Map(data.machines.map((m) => [m.name, m.idealCycleTimeSeconds]));

    it('never makes more parts than the run time allows at the ideal cycle time', () => {
      for (const r of data.production) {
        const capacity = Math.floor((r.runHours * 3600) / (cycle.get(r.machine) as number) + 1e-9);
        expect(r.partsProduced).toBeLessThanOrEqual(capacity);
      }
    });

    it('keeps run + downtime = planned and good + scrap = parts, with no negative values', () => {
      for (const r of data.production) {
        expect(r.runHours + r.downtimeHours).toBeCloseTo(r.plannedHours, 9);
        expect(r.goodParts + r.scrapParts).toBe(r.partsProduced);
        for (const value of [r.runHours, r.downtimeHours, r.goodParts, r.scrapParts]) {
          expect(value).toBeGreaterThanOrEqual(0);
        }
      }
    });

    it("sums a machine-day's downtime events to its downtime hours, and its issues to at most its scrap", () => {
      const totals = new Map<
        string,
        { downtime: number; events: number; scrap: number; affected: number }
      >();
      const entry = (machine: string, date: string) => {
        const key = `${machine}|${date}`;
        const value = totals.get(key) ?? { downtime: 0, events: 0, scrap: 0, affected: 0 };
        totals.set(key, value);
        return value;
      };
      for (const r of data.production) {
        entry(r.machine, r.date).downtime += r.downtimeHours;
        entry(r.machine, r.date).scrap += r.scrapParts;
      }
      for (const e of data.downtimeEvents) entry(e.machine, e.date).events += e.durationHours;
      for (const q of data.qualityIssues) entry(q.machine, q.date).affected += q.partsAffected;
      expect(totals.size).toBe(options.days * options.machines);
      for (const t of totals.values()) {
        expect(t.events).toBeCloseTo(t.downtime, 9);
        expect(t.affected).toBeLessThanOrEqual(t.scrap);
      }
    });

    it('writes hours with at most two decimals (no float noise)', () => {
      for (const value of [
        ...data.production.flatMap((r) => [r.plannedHours, r.runHours, r.downtimeHours]),
        ...data.downtimeEvents.map((e) => e.durationHours),
      ]) {
        expect(Math.abs(value * 100 - Math.round(value * 100))).toBeLessThan(1e-9);
        expect(String(value)).toMatch(/^\d+(\.\d{1,2})?$/);
      }
    });
  });

  describe('planted scenarios, checked from raw sums', () => {
    it('1. factory OEE per day rises from about 65% to about 80%', () => {
      const daily = Array.from({ length: 30 }, (_, i) =>
        oee(
          dataset,
          dataset.production.filter((r) => r.date === dayDate(i + 1)),
        ),
      );
      expect(mean(daily.slice(0, 3))).toBeGreaterThan(0.62);
      expect(mean(daily.slice(0, 3))).toBeLessThan(0.68);
      expect(mean(daily.slice(-3))).toBeGreaterThan(0.77);
      expect(mean(daily.slice(-3))).toBeLessThan(0.83);
      expect(mean(daily.slice(15))).toBeGreaterThan(mean(daily.slice(0, 15)) + 0.05);
    });

    it.each([42, 1, 2, 3, 1234])(
      '2. Night OEE is 5-8%% lower than Day for every machine (seed %d)',
      (seed) => {
        const data = seed === 42 ? dataset : generateDemoDataset({ ...defaultOptions, seed });
        for (const machine of data.machines) {
          const rows = data.production.filter((r) => r.machine === machine.name);
          const day = oee(
            data,
            rows.filter((r) => r.shift === 'Day'),
          );
          const night = oee(
            data,
            rows.filter((r) => r.shift === 'Night'),
          );
          const gap = 1 - night / day;
          expect(gap).toBeGreaterThanOrEqual(0.05);
          expect(gap).toBeLessThanOrEqual(0.08);
        }
      },
    );

    it('3. day 15: Assembly-001 has a 12% scrap rate with High-severity assembly issues', () => {
      const date = dayDate(SCENARIOS.qualitySpike.day);
      const rows = dataset.production.filter(
        (r) => r.machine === 'Assembly-001' && r.date === date,
      );
      const scrap = rows.reduce((n, r) => n + r.scrapParts, 0);
      const parts = rows.reduce((n, r) => n + r.partsProduced, 0);
      expect((100 * scrap) / parts).toBeCloseTo(12, 0);
      const issues = dataset.qualityIssues.filter(
        (q) => q.machine === 'Assembly-001' && q.date === date,
      );
      expect(issues.length).toBeGreaterThan(0);
      for (const issue of issues)
        expect(issue).toMatchObject({ type: 'assembly', severity: 'High' });
      // Every other machine-day stays well below that rate.
      const otherRates = dataset.machines.flatMap((m) =>
        Array.from({ length: 30 }, (_, i) => dayDate(i + 1))
          .filter((d) => !(m.name === 'Assembly-001' && d === date))
          .map((d) => {
            const r = dataset.production.filter((x) => x.machine === m.name && x.date === d);
            return (
              r.reduce((n, x) => n + x.scrapParts, 0) / r.reduce((n, x) => n + x.partsProduced, 0)
            );
          }),
      );
      expect(Math.max(...otherRates)).toBeLessThan(0.04);
    });

    it('4. day 22: Packaging-001 has the only event over 2 h, a 4.0 h mechanical bearing failure', () => {
      const major = dataset.downtimeEvents.filter((e) => e.durationHours > 2);
      expect(major).toEqual([
        {
          machine: 'Packaging-001',
          date: dayDate(22),
          shift: null,
          reason: 'mechanical',
          description: 'Critical bearing failure requiring emergency replacement',
          durationHours: 4,
        },
      ]);
      const rows = dataset.production.filter(
        (r) => r.machine === 'Packaging-001' && r.date === dayDate(22),
      );
      expect(rows.reduce((n, r) => n + r.downtimeHours, 0)).toBeCloseTo(4, 9);
    });

    it('plants nothing on days a short dataset does not have', () => {
      const short = generateDemoDataset({ ...defaultOptions, days: 14 });
      expect(short.downtimeEvents.filter((e) => e.durationHours > 2)).toEqual([]);
      const scrapRates = [...new Set(short.production.map((r) => r.date))].map((date) => {
        const rows = short.production.filter(
          (r) => r.machine === 'Assembly-001' && r.date === date,
        );
        return (
          rows.reduce((n, r) => n + r.scrapParts, 0) / rows.reduce((n, r) => n + r.partsProduced, 0)
        );
      });
      expect(Math.max(...scrapRates)).toBeLessThan(0.04);
    });
  });

  it('follows the shift calendar: its shifts, and their real length across daylight-saving changes', () => {
    const { shifts } = parseShifts('Early 06:00-14:00,Late 14:00-22:00,Night 22:00-06:00');
    const calendar = new ShiftCalendar(shifts, 'Europe/Berlin');
    const dataset = generateDemoDataset({
      days: 3,
      machines: 1,
      seed: 1,
      endDate: '2026-03-29',
      shifts,
      shiftHours: (date, shift) => calendar.hoursOf(date, shift.name),
    });
    expect(dataset.shifts.map((s) => s.name)).toEqual(['Early', 'Late', 'Night']);
    const planned = (date: string, shift: string) =>
      dataset.production.find((r) => r.date === date && r.shift === shift)?.plannedHours;
    expect(planned('2026-03-27', 'Night')).toBe(8);
    expect(planned('2026-03-28', 'Night')).toBe(7);
    expect(planned('2026-03-28', 'Early')).toBe(8);
    for (const r of dataset.production) {
      expect(r.runHours + r.downtimeHours).toBeCloseTo(r.plannedHours, 9);
    }
  });
});
