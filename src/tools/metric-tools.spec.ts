import { AppConfig } from '../config/app-config.service';
import { DataService } from '../data/data.service';
import { MetricsService } from '../metrics/metrics.service';
import { AlertLog } from '../alerts/alert-log';
import { IngestService } from '../ingest/ingest.service';
import { inputSchema, MetricTools } from './metric-tools';

/**
 * The tools with metrics that answer fixed figures (or `overrides`): dispatch and validation, not
 * formulas.
 */
function tools(overrides: Record<string, unknown> = {}) {
  const filters: unknown[] = [];
  const oee = {
    oee: 0.5,
    availability: 0.8,
    performance: 0.9,
    quality: 0.7,
    totalParts: 10,
    goodParts: 7,
    scrapParts: 3,
  };
  const metrics = {
    resolveFilter: (startDate: string, endDate: string, machine?: string | null) => {
      const filter = { startDate, endDate, machine: machine ? { id: 1, name: machine } : null };
      filters.push(filter);
      return Promise.resolve(filter);
    },
    oee: () => Promise.resolve(oee),
    oeeByMachine: () => Promise.resolve([{ machine: 'M1', ...oee }]),
    oeeWarnings: () => Promise.resolve([]),
    targetChecker: () =>
      Promise.resolve(() => ({
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
        scrapRateMet: null,
      })),
    resolveShift: (name: string) => Promise.resolve(name === 'night' ? 'Night' : name),
    losses: (f: unknown, shift: string | null) =>
      Promise.resolve({
        plannedBusyHours: 10,
        valuableOperatingHours: 6,
        availabilityLossHours: 2,
        performanceLossHours: 1.5,
        qualityLossHours: 0.5,
        plannedDowntimeHours: 1,
        availabilityLossByReason: [{ reason: 'mechanical', hours: 2, events: 1 }],
        sixBigLosses: [{ loss: 'Breakdowns', category: 'availability', hours: 2, note: shift }],
        warnings: [],
      }),
    shiftReport: (date: string) =>
      Promise.resolve({
        date,
        shifts: [
          {
            shift: 'Day',
            ...oee,
            machines: [{ machine: 'M1', ...oee }],
            topLosses: [{ loss: 'Breakdowns', hours: 2 }],
            topReasons: [{ reason: 'mechanical', hours: 2 }],
            majorEvents: [],
          },
        ],
        majorEventsWithoutShift: [],
      }),
    comparison: () =>
      Promise.resolve({
        previousStartDate: '2025-12-25',
        previousEndDate: '2025-12-31',
        current: { oee: 0.5, scrapRate: 2, downtimeHours: 3 },
        previous: { oee: 0.4, scrapRate: 3, downtimeHours: 4 },
        change: { oee: 0.1, scrapRate: -1, downtimeHours: -1 },
      }),
    datasetStats: () => Promise.resolve({ exists: false }),
    scrapTargetChecker: () =>
      Promise.resolve((figures: { scrapParts: number; totalParts: number }) => ({
        scrapRate: 2,
        own: false,
        met: figures.totalParts === 0 ? null : (100 * figures.scrapParts) / figures.totalParts <= 2,
      })),
    ...overrides,
  } as unknown as MetricsService;
  const data = {
    listMachines: () =>
      Promise.resolve([{ id: 1, name: 'M1', type: 'Press', idealCycleTimeSeconds: 30 }]),
    listShifts: () =>
      Promise.resolve([
        { name: 'Day', startTime: '06:00', endTime: '14:00' },
        { name: 'Night', startTime: '14:00', endTime: '22:00' },
      ]),
  } as unknown as DataService;
  const alerts = {
    alerts: (filter: unknown, page: unknown) => {
      filters.push({ alerts: [filter, page] });
      return Promise.resolve({
        total: 21,
        alerts: [
          {
            id: 'a1',
            rule: 'long-downtime',
            machine: 'M1',
            date: '2026-01-05',
            shift: null,
            value: 3,
            threshold: 2,
            message: 'M1 was down 3 h',
            raisedAt: '2026-01-05T10:00:00.000Z',
            deliveries: [],
          },
        ],
      });
    },
  } as unknown as AlertLog;
  return {
    tools: new MetricTools(
      metrics,
      data,
      { timeZone: 'UTC' } as AppConfig,
      alerts,
      {} as IngestService,
    ),
    filters,
  };
}

describe(MetricTools.name, () => {
  it('dispatches calculate_oee with validated dates, in percent', async () => {
    const { tools: t, filters } = tools();
    const { result, error } = await t.run(
      'calculate_oee',
      '{"start_date":"2026-01-01","end_date":"2026-01-07","machine_name":null}',
    );
    expect(error).toBeNull();
    expect(filters).toEqual([{ startDate: '2026-01-01', endDate: '2026-01-07', machine: null }]);
    expect(result).toMatchObject({
      oee_percent: 50,
      availability_percent: 80,
      targets: { oee_percent: 85, max_scrap_rate_percent: 2 },
      below_target: ['oee', 'availability', 'performance', 'quality'],
    });
  });

  it.each([
    [
      'an unknown tool',
      'drop_tables',
      '{}',
      /Unknown tool "drop_tables". Available tools: calculate_oee/,
    ],
    ['malformed JSON', 'calculate_oee', '{"start_date":', /not valid JSON/],
    ['an argument that is not an object', 'list_machines', '[1]', /must be a JSON object/],
    ['an unknown argument', 'list_machines', '{"all":true}', /Unknown argument\(s\): all/],
    [
      'an impossible date',
      'calculate_oee',
      '{"start_date":"2026-02-30","end_date":"2026-03-01","machine_name":null}',
      /Invalid date "2026-02-30"/,
    ],
    [
      'a bad severity',
      'get_quality_issues',
      '{"start_date":"2026-01-01","end_date":"2026-01-02","machine_name":null,"severity":"Fatal"}',
      /severity must be Low, Medium or High, got "Fatal"/,
    ],
  ])(
    'answers %s with an error result for the model, never a throw',
    async (_name, tool, args, message) => {
      const { result, error } = await tools().tools.run(tool, args);
      expect(error).toMatch(message);
      expect(result).toEqual({ error });
    },
  );

  it('dispatches the loss analysis and the comparison with the previous period', async () => {
    const t = tools().tools;
    const range = '"start_date":"2026-01-01","end_date":"2026-01-07","machine_name":null';
    const losses = await t.run('get_oee_losses', `{${range},"shift":"night"}`);
    expect(losses.result).toMatchObject({
      shift: 'Night',
      planned_busy_hours: 10,
      valuable_operating_hours: 6,
      unplanned_downtime_by_reason: [{ reason: 'mechanical', hours: 2, events: 1 }],
      six_big_losses: [{ loss: 'Breakdowns', hours: 2, note: 'Night' }],
    });
    expect((await t.run('get_oee_losses', `{${range},"shift":7}`)).error).toBe(
      'shift must be a shift name or null',
    );
    const report = await t.run('get_shift_report', '{"date":"2026-01-05"}');
    expect(report.result).toMatchObject({
      date: '2026-01-05',
      shifts: [
        { shift: 'Day', oee_percent: 50, largest_losses: [{ loss: 'Breakdowns', hours: 2 }] },
      ],
    });
    expect((await t.run('get_shift_report', '{"date":"yesterday"}')).error).toMatch(/Invalid date/);
    const compared = await t.run('compare_periods', `{${range}}`);
    expect(compared.result).toMatchObject({
      previous_start_date: '2025-12-25',
      current: { oee_percent: 50, scrap_rate_percent: 2, downtime_hours: 3 },
      change_in_points_or_hours: { oee_percent: 10, scrap_rate_percent: -1, downtime_hours: -1 },
    });
  });

  it('lists machines and says when there is no data range', async () => {
    const t = tools().tools;
    expect((await t.run('list_machines', '')).result).toEqual({
      total_machines: 1,
      offset: 0,
      machines: [{ name: 'M1', type: 'Press', ideal_cycle_time_s: 30 }],
    });
    expect((await t.run('get_data_range', '{}')).result).toEqual({
      error: 'There is no production data yet.',
    });
  });

  it('pages list_machines for a large plant, saying where the next page starts', async () => {
    const machines = Array.from({ length: 250 }, (_, i) => ({
      id: i + 1,
      name: `M${i + 1}`,
      type: 'Press',
      idealCycleTimeSeconds: 30,
    }));
    const data = { listMachines: () => Promise.resolve(machines) } as unknown as DataService;
    const t = new MetricTools(
      {} as MetricsService,
      data,
      { timeZone: 'UTC' } as AppConfig,
      {} as AlertLog,
      {} as IngestService,
    );
    const first = (await t.run('list_machines', '{"offset":null,"limit":null}')).result as any;
    expect([first.total_machines, first.machines.length, first.next_offset]).toEqual([
      250, 100, 100,
    ]);
    const last = (await t.run('list_machines', '{"offset":200,"limit":100}')).result as any;
    expect([last.machines[0].name, last.machines.length, last.next_offset]).toEqual([
      'M201',
      50,
      undefined,
    ]);
    expect((await t.run('list_machines', '{"limit":1000}')).error).toBe(
      'limit must be a whole number from 1 to 100, or null',
    );
  });

  it('takes arguments as an object too (MCP), and lists the alerts, capped', async () => {
    const { tools: t, filters } = tools();
    const { result, error } = await t.run('get_alerts', { machine_name: 'm1', rule: null });
    expect(error).toBeNull();
    expect(filters).toContainEqual({
      alerts: [
        { machine: 'm1', rule: null },
        { limit: 20, offset: 0 },
      ],
    });
    expect(result).toEqual({
      total_alerts: 21,
      alerts: [
        {
          rule: 'long-downtime',
          machine: 'M1',
          date: '2026-01-05',
          shift: null,
          message: 'M1 was down 3 h',
          raised_at: '2026-01-05T10:00:00.000Z',
        },
      ],
      alerts_not_listed: 20,
    });
    expect((await t.run('get_alerts', { rule: 7 })).error).toBe('rule must be a string or null');
    expect((await t.run('get_data_range', ['x'] as never)).error).toBe(
      'The tool arguments must be a JSON object',
    );
    expect((await t.run('nope', {})).error).toMatch(
      /^Unknown tool "nope". Available tools: calculate_oee, /,
    );
  });

  it('lists the 20 worst machines of a large plant, and says how many it left out', async () => {
    const plant = Array.from({ length: 30 }, (_, i) => ({
      machine: `M${String(i).padStart(2, '0')}`,
      oee: i / 100,
      scrapRate: i,
      scrapParts: i,
      totalParts: 100,
    }));
    const reasons = Array.from({ length: 25 }, (_, i) => ({
      reason: `r${i}`,
      hours: 25 - i,
      events: 1,
      planned: false,
    }));
    const { tools: t } = tools({
      oeeByMachine: () => Promise.resolve(plant),
      scrap: () => Promise.resolve({ scrapParts: 435, totalParts: 1000, scrapRate: 43.5 }),
      scrapByMachine: () => Promise.resolve(plant),
      downtime: () => Promise.resolve({}),
      downtimeByReason: () => Promise.resolve(reasons),
      majorEvents: () => Promise.resolve([]),
      downtimeByMachine: () =>
        Promise.resolve(
          plant.slice(0, 25).map((m, i) => ({
            key: m.machine,
            unplannedDowntimeHours: 25 - i,
            plannedDowntimeHours: 0,
            cumulativeShare: (i + 1) / 25,
          })),
        ),
      downtimeByShift: () => Promise.resolve([]),
    });
    const range = { start_date: '2026-01-01', end_date: '2026-01-07', machine_name: null };
    const oee = (await t.run('calculate_oee', range)).result as any;
    expect(oee.by_machine.map((m: any) => m.machine)).toEqual(
      plant.slice(0, 20).map((m) => m.machine),
    );
    expect(oee).toMatchObject({ machines_not_listed: 10, listed_order: 'lowest OEE first' });
    const scrap = (await t.run('get_scrap_metrics', range)).result as any;
    expect(scrap.scrap_by_machine[0]).toEqual({
      machine: 'M29',
      scrap_parts: 29,
      scrap_rate_percent: 29,
      above_target: true,
    });
    expect(scrap).toMatchObject({ max_scrap_rate_percent: 2, above_target: true });
    expect(scrap.scrap_by_machine).toHaveLength(20);
    expect(scrap).toMatchObject({ machines_not_listed: 10 });
    const downtime = (await t.run('get_downtime_analysis', range)).result as any;
    expect(downtime.downtime_by_reason).toHaveLength(20);
    expect(downtime.reasons_not_listed).toBe(5);
    expect(downtime.downtime_by_machine).toHaveLength(20);
    expect(downtime.downtime_by_machine[19].cumulative_share_percent).toBe(80);
    expect(downtime.machines_not_listed).toBe(5);
  });

  it('gives the newest 92 days of a long trend, and every shift of the calendar', async () => {
    const day = (i: number) => ({
      date: `D${String(i).padStart(3, '0')}`,
      oee: 0.5,
      availability: 0.8,
      performance: 0.9,
      quality: 0.7,
      totalParts: 10,
      scrapParts: 1,
    });
    const { tools: t } = tools({
      oeeDaily: () => Promise.resolve(Array.from({ length: 100 }, (_, i) => day(i))),
      oeeByShift: () => Promise.resolve([{ ...day(0), shift: 'Night' }]),
      scrapFromSums: ({ scrap, parts }: { scrap: number; parts: number }) => ({
        scrapRate: (100 * scrap) / parts,
      }),
    });
    const range = { start_date: '2026-01-01', end_date: '2026-04-10', machine_name: null };
    const trend = (await t.run('get_daily_trend', range)).result as any;
    expect(trend.days).toHaveLength(92);
    expect(trend.days[0]).toEqual({
      date: 'D008',
      oee_percent: 50,
      availability_percent: 80,
      performance_percent: 90,
      quality_percent: 70,
      total_parts: 10,
      scrap_rate_percent: 10,
    });
    expect(trend).toMatchObject({ days_not_listed: 8, listed_order: 'newest days' });
    const shifts = (await t.run('get_oee_by_shift', range)).result as any;
    expect(shifts.shifts).toEqual([
      { shift: 'Day', starts: '06:00', ends: '14:00', no_production: true },
      expect.objectContaining({ shift: 'Night', starts: '14:00', ends: '22:00', oee_percent: 50 }),
    ]);
  });

  it('defines each tool once, with a strict JSON Schema for both the chat and MCP', () => {
    const { tools: t } = tools();
    const names = t.definitions.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(t.openAiTools().map((o) => o.function.name)).toEqual(names);
    for (const d of t.definitions) {
      expect(inputSchema(d)).toEqual({
        type: 'object',
        properties: d.properties,
        required: Object.keys(d.properties),
        additionalProperties: false,
      });
    }
  });
});
