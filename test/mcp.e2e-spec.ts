import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, FIXTURES } from './support/processes';
import { startTestApp, TestApp } from './support/test-app';

const KEYS = ['mcp-key-first-0123456789', 'mcp-key-second-0123456789'];
const RANGE = { start_date: '2026-01-05', end_date: '2026-01-06' };
const GQL_RANGE = 'startDate: "2026-01-05", endDate: "2026-01-06"';
/** The registry's tools, the chat's and MCP's alike. */
const TOOLS = [
  'calculate_oee',
  'get_scrap_metrics',
  'get_quality_issues',
  'get_downtime_analysis',
  'get_oee_losses',
  'get_daily_trend',
  'get_oee_by_shift',
  'compare_periods',
  'get_shift_report',
  'get_alerts',
  'get_current_shift',
  'get_targets',
  'list_machines',
  'get_data_range',
];

const pct = (ratio: number | null) => (ratio === null ? null : Math.round(ratio * 1000) / 10);

async function connect(url: string, key: string): Promise<Client> {
  const client = new Client({ name: 'factory-agent-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

/** The JSON of a tool result's text, and whether it is an error. */
function parsed(result: any): { json: any; text: string; isError: boolean } {
  const text = result.content[0].text as string;
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // An error message is text.
  }
  return { json, text, isError: result.isError === true };
}

/** What a client sees when it posts to /mcp without going through the SDK. */
async function post(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** The official MCP client against both transports, compared with the GraphQL answers. */
describe('MCP server', () => {
  let t: TestApp;
  let client: Client;

  beforeAll(async () => {
    t = await startTestApp(
      { MCP_API_KEYS: KEYS.join(','), RATE_LIMIT_DEFAULT: '100000/minute' },
      { importFile: join(FIXTURES, 'small-plant.json') },
    );
    client = await connect(t.url, KEYS[1]);
  });
  afterAll(async () => {
    await client?.close();
    await t?.close();
  });

  it('initializes over Streamable HTTP and lists the chat tools and two resources', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'factory-agent' });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {} });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOLS);
    const oee = tools.find((tool) => tool.name === 'calculate_oee')!;
    expect(oee.inputSchema).toMatchObject({
      type: 'object',
      required: ['start_date', 'end_date', 'machine_name'],
      additionalProperties: false,
    });
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['factory://machines', 'factory://data-range']);
    const machines = await client.readResource({ uri: 'factory://machines' });
    expect(JSON.parse((machines.contents[0] as { text: string }).text)).toEqual({
      total_machines: 2,
      offset: 0,
      machines: [
        { name: 'M1', type: 'Mill', ideal_cycle_time_s: 60 },
        { name: 'M2', type: 'Press', ideal_cycle_time_s: 30 },
      ],
    });
    const range = await client.readResource({ uri: 'factory://data-range' });
    expect(JSON.parse((range.contents[0] as { text: string }).text)).toEqual({
      start_date: '2026-01-05',
      end_date: '2026-01-06',
      total_days: 2,
      days_with_data: 2,
    });
    await expect(client.readResource({ uri: 'factory://secrets' })).rejects.toThrow(
      /Unknown resource factory:\/\/secrets/,
    );
  });

  it('answers every tool with the figures GraphQL gives', async () => {
    const { body } = await t.gql(`{
      oee(${GQL_RANGE}) { oee availability performance quality totalParts byMachine { machine oee }
        daily { date oee totalParts } byShift { shift oee } }
      scrap(${GQL_RANGE}) { totalScrap scrapRate }
      qualityIssues(${GQL_RANGE}) { totalIssues totalPartsAffected byType { type partsAffected }
        byMachine { machine partsAffected cumulativeShare } }
      downtime(${GQL_RANGE}) { totalDowntimeHours unplannedDowntimeHours mtbfHours majorEvents { machine durationHours }
        downtimeByReason { reason cumulativeShare } byShift { shift cumulativeShare } }
      losses(${GQL_RANGE}) { plannedBusyHours valuableOperatingHours availabilityLossHours }
      comparison(${GQL_RANGE}) { previousStartDate change { oee } }
      shiftReport(date: "2026-01-05") { shifts { shift oee } }
      alerts { total }
      currentShift { shift machines { machine parts oee } }
      targets { plant { oee scrapRate } machines { machine } }
    }`);
    expect(body.errors).toBeUndefined();
    const api = body.data!;
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = parsed(await client.callTool({ name, arguments: args }));
      expect([name, result.isError]).toEqual([name, false]);
      return result.json;
    };
    const all = { ...RANGE, machine_name: null };
    const oee = await call('calculate_oee', all);
    expect([
      oee.oee_percent,
      oee.availability_percent,
      oee.quality_percent,
      oee.total_parts,
    ]).toEqual([
      pct(api.oee.oee),
      pct(api.oee.availability),
      pct(api.oee.quality),
      api.oee.totalParts,
    ]);
    expect(oee.by_machine.map((m: any) => [m.machine, m.oee_percent])).toEqual(
      api.oee.byMachine.map((m: any) => [m.machine, pct(m.oee)]),
    );
    const trend = await call('get_daily_trend', all);
    expect(trend.days.map((d: any) => [d.date, d.oee_percent, d.total_parts])).toEqual(
      api.oee.daily.map((d: any) => [d.date, pct(d.oee), d.totalParts]),
    );
    const shifts = await call('get_oee_by_shift', all);
    expect(
      shifts.shifts.filter((s: any) => !s.no_production).map((s: any) => [s.shift, s.oee_percent]),
    ).toEqual(api.oee.byShift.map((s: any) => [s.shift, pct(s.oee)]));
    expect(shifts.shifts[0]).toMatchObject({ starts: expect.stringMatching(/^\d\d:\d\d$/) });
    const scrap = await call('get_scrap_metrics', all);
    expect([scrap.total_scrap, scrap.scrap_rate_percent]).toEqual([
      api.scrap.totalScrap,
      api.scrap.scrapRate,
    ]);
    const quality = await call('get_quality_issues', { ...all, severity: null });
    expect([quality.total_issues, quality.total_parts_affected]).toEqual([
      api.qualityIssues.totalIssues,
      api.qualityIssues.totalPartsAffected,
    ]);
    expect(quality.defects_by_type.map((d: any) => [d.type, d.parts_affected])).toEqual(
      api.qualityIssues.byType.map((d: any) => [d.type, d.partsAffected]),
    );
    expect(
      quality.defects_by_machine.map((d: any) => [
        d.machine,
        d.parts_affected,
        d.cumulative_share_percent,
      ]),
    ).toEqual(
      api.qualityIssues.byMachine.map((d: any) => [
        d.machine,
        d.partsAffected,
        pct(d.cumulativeShare),
      ]),
    );
    const downtime = await call('get_downtime_analysis', all);
    expect([
      downtime.total_downtime_hours,
      downtime.unplanned_downtime_hours,
      downtime.mtbf_hours,
      downtime.major_events.map((e: any) => [e.machine, e.hours]),
    ]).toEqual([
      api.downtime.totalDowntimeHours,
      api.downtime.unplannedDowntimeHours,
      api.downtime.mtbfHours,
      api.downtime.majorEvents.map((e: any) => [e.machine, e.durationHours]),
    ]);
    // The Paretos carry their cumulative shares.
    expect(
      downtime.downtime_by_reason.map((r: any) => [r.reason, r.cumulative_share_percent]),
    ).toEqual(api.downtime.downtimeByReason.map((r: any) => [r.reason, pct(r.cumulativeShare)]));
    expect(
      downtime.downtime_by_shift.map((r: any) => [r.name, r.cumulative_share_percent]),
    ).toEqual(api.downtime.byShift.map((r: any) => [r.shift, pct(r.cumulativeShare)]));
    const losses = await call('get_oee_losses', { ...all, shift: null });
    expect([
      losses.planned_busy_hours,
      losses.valuable_operating_hours,
      losses.availability_loss_hours,
    ]).toEqual([
      api.losses.plannedBusyHours,
      api.losses.valuableOperatingHours,
      api.losses.availabilityLossHours,
    ]);
    const comparison = await call('compare_periods', all);
    expect([
      comparison.previous_start_date,
      comparison.change_in_points_or_hours.oee_percent,
    ]).toEqual([api.comparison.previousStartDate, pct(api.comparison.change.oee)]);
    const report = await call('get_shift_report', { date: '2026-01-05' });
    expect(report.shifts.map((s: any) => [s.shift, s.oee_percent])).toEqual(
      api.shiftReport.shifts.map((s: any) => [s.shift, pct(s.oee)]),
    );
    const alerts = await call('get_alerts', { machine_name: null, rule: null });
    expect(alerts.total_alerts).toBe(api.alerts.total);
    const now = await call('get_current_shift', { machine_name: null });
    expect([
      now.shift,
      now.machines.map((m: any) => [m.machine, m.parts, m.oee_percent]).sort(),
    ]).toEqual([
      api.currentShift.shift,
      api.currentShift.machines.map((m: any) => [m.machine, m.parts, pct(m.oee)]).sort(),
    ]);
    const targets = await call('get_targets', { machine_name: null });
    expect([targets.plant.oee_percent, targets.plant.max_scrap_rate_percent]).toEqual([
      pct(api.targets.plant.oee),
      api.targets.plant.scrapRate,
    ]);
    const machines = await call('list_machines', { offset: null, limit: 1 });
    expect(machines).toEqual({
      total_machines: 2,
      offset: 0,
      machines: [{ name: 'M1', type: 'Mill', ideal_cycle_time_s: 60 }],
      next_offset: 1,
    });
    expect(await call('get_data_range', {})).toMatchObject({ start_date: '2026-01-05' });
  });

  it('answers a bad argument as a tool error with the message GraphQL gives, and audits every call', async () => {
    const unknown = parsed(
      await client.callTool({
        name: 'calculate_oee',
        arguments: { ...RANGE, machine_name: 'M9' },
      }),
    );
    const { body } = await t.gql(`{ oee(${GQL_RANGE}, machine: "M9") { oee } }`);
    expect(unknown).toMatchObject({ isError: true, text: body.errors![0].message });
    expect(unknown.text).toBe("Unknown machine 'M9'. Known machines: M1, M2");
    const badDate = parsed(
      await client.callTool({
        name: 'calculate_oee',
        arguments: { start_date: '2026-02-30', end_date: '2026-03-01', machine_name: null },
      }),
    );
    expect(badDate).toMatchObject({ isError: true });
    expect(badDate.text).toMatch(/2026-02-30/);
    const extra = parsed(
      await client.callTool({ name: 'get_data_range', arguments: { password: 'x' } }),
    );
    expect(extra.text).toBe('Unknown argument(s): password. Allowed: none');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const audit = t
      .output()
      .split('\n')
      .filter((line) => line.includes('[McpAudit]'));
    expect(audit).toContainEqual(
      expect.stringMatching(
        /client=key-2@\S+ tool=calculate_oee args=\{"start_date":"2026-01-05","end_date":"2026-01-06","machine_name":"M9"\} \d+ ms error: Unknown machine 'M9'/,
      ),
    );
    expect(audit).toContainEqual(
      expect.stringMatching(/tool=calculate_oee args=\{.*"machine_name":null\} \d+ ms ok$/),
    );
    // No key is ever logged.
    expect(t.output()).not.toContain(KEYS[1]);
    // Nor the value of an argument the tool does not have (a secret pasted by mistake).
    expect(audit).toContainEqual(
      expect.stringMatching(
        /tool=get_data_range args=\{"password":"\[not logged\]"\} \d+ ms error: /,
      ),
    );
  });

  it('refuses a missing or wrong key, GET, DELETE and batches', async () => {
    const missing = await post(t.url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.body).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32000,
        message: 'MCP needs Authorization: Bearer <one of MCP_API_KEYS>.',
        data: { code: 'UNAUTHENTICATED' },
      },
      id: null,
    });
    const wrong = await post(t.url, { authorization: 'Bearer not-a-key-0123456789' });
    expect([wrong.status, wrong.body.error.message]).toEqual([401, 'Invalid MCP API key.']);
    await expect(connect(t.url, 'not-a-key-0123456789')).rejects.toThrow(/Invalid MCP API key/);
    const keyless = new Client({ name: 'factory-agent-test', version: '1.0.0' });
    await expect(
      keyless.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`))),
    ).rejects.toThrow(/MCP needs Authorization: Bearer/);
    for (const method of ['GET', 'DELETE']) {
      const refused = await fetch(`${t.url}/mcp`, {
        method,
        headers: { authorization: `Bearer ${KEYS[0]}` },
      });
      expect([method, refused.status, refused.headers.get('allow')]).toEqual([method, 405, 'POST']);
    }
    // A batch would carry many calls under one rate-limit hit: one message per POST.
    const batch = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${KEYS[0]}`,
      },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      ]),
    });
    expect(batch.status).toBe(400);
    expect((await batch.json()).error.message).toMatch(/batches are not accepted/);
  });

  it('is closed without MCP_API_KEYS, and rate-limited like GraphQL', async () => {
    const closed = await startTestApp({});
    const limited = await startTestApp({ MCP_API_KEYS: KEYS[0], RATE_LIMIT_DEFAULT: '4/minute' });
    try {
      const refused = await post(closed.url, { authorization: `Bearer ${KEYS[0]}` });
      expect([refused.status, refused.body.error.data.code]).toEqual([403, 'FORBIDDEN']);
      expect(refused.body.error.message).toMatch(/set MCP_API_KEYS on the server/);
      // The official client: connecting takes part of the 4 requests, each call one more; the call
      // over the limit fails with the server's TOO_MANY_REQUESTS.
      const agent = await connect(limited.url, KEYS[0]);
      let answered = 0;
      try {
        for (;;) {
          await agent.callTool({ name: 'get_data_range', arguments: {} });
          answered++;
        }
      } catch (error) {
        expect(String(error)).toMatch(/Too many requests: try again in \d+ s\..*TOO_MANY_REQUESTS/);
      } finally {
        await agent.close();
      }
      expect(answered).toBeGreaterThan(0);
      expect(answered).toBeLessThan(4);
      const last = await post(limited.url, { authorization: `Bearer ${KEYS[0]}` });
      expect(last.status).toBe(429);
      expect(last.body.error.data.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await Promise.all([closed.close(), limited.close()]);
    }
  });

  it('serves the same tools over stdio (factory-agent mcp), logging to stderr only', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp'],
      cwd: t.dir,
      env: { PATH: process.env.PATH ?? '', TZ: 'UTC', DATABASE_URL: t.databaseUrl },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const stdio = new Client({ name: 'factory-agent-test', version: '1.0.0' });
    await stdio.connect(transport);
    try {
      expect((await stdio.listTools()).tools.map((tool) => tool.name)).toEqual(TOOLS);
      expect((await stdio.listResources()).resources.map((r) => r.uri)).toEqual([
        'factory://machines',
        'factory://data-range',
      ]);
      const text = (result: any) => (result.contents[0] as { text: string }).text;
      expect(text(await stdio.readResource({ uri: 'factory://machines' }))).toBe(
        text(await client.readResource({ uri: 'factory://machines' })),
      );
      // Every tool answers the same over stdio as over HTTP.
      const args: Record<string, Record<string, unknown>> = {
        calculate_oee: { ...RANGE, machine_name: 'm1' },
        get_scrap_metrics: { ...RANGE, machine_name: null },
        get_quality_issues: { ...RANGE, machine_name: null, severity: 'High' },
        get_downtime_analysis: { ...RANGE, machine_name: null },
        get_oee_losses: { ...RANGE, machine_name: null, shift: null },
        get_daily_trend: { ...RANGE, machine_name: 'M1' },
        get_oee_by_shift: { ...RANGE, machine_name: null },
        compare_periods: { ...RANGE, machine_name: 'M2' },
        get_shift_report: { date: '2026-01-05' },
        get_alerts: { machine_name: null, rule: null },
        get_current_shift: { machine_name: 'M1' },
        get_targets: { machine_name: null },
        list_machines: { offset: 1, limit: null },
        get_data_range: {},
      };
      expect(Object.keys(args)).toEqual(TOOLS);
      for (const [name, values] of Object.entries(args)) {
        const viaStdio = parsed(await stdio.callTool({ name, arguments: values }));
        const viaHttp = parsed(await client.callTool({ name, arguments: values }));
        expect([name, viaStdio.isError, viaStdio.json]).toEqual([name, false, viaHttp.json]);
      }
      const bad = parsed(
        await stdio.callTool({
          name: 'calculate_oee',
          arguments: { ...RANGE, machine_name: 'M9' },
        }),
      );
      expect(bad).toMatchObject({
        isError: true,
        text: "Unknown machine 'M9'. Known machines: M1, M2",
      });
    } finally {
      await stdio.close();
    }
    expect(stderr).toMatch(/\[McpAudit\] client=stdio tool=calculate_oee .* ms ok/);
    expect(stderr).toMatch(
      /\[McpAudit\] client=stdio tool=calculate_oee .* ms error: Unknown machine 'M9'/,
    );
  });
});
