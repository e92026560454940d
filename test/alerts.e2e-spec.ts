import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FIXTURES, runCli, scratchDir, ServerProcess, startServer } from './support/processes';

const SECRET = 'test-webhook-secret-0123456789';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  status: number;
}

/** A webhook receiver on a free port: answers each request with the next status of `statuses` (the last repeats). */
async function receiver(
  statuses: number[],
): Promise<{ url: string; received: Received[]; stop: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = statuses[Math.min(received.length, statuses.length - 1)];
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        raw: Buffer.concat(chunks).toString(),
        status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** The UTC hour `offset` hours from now, as two digits. */
function hour(offset: number): string {
  return String((new Date().getUTCHours() + 24 + offset) % 24).padStart(2, '0');
}

function isoDay(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

/** small-plant.json (2026-01-05 and 06) moved to the two days before yesterday and yesterday. */
function recentPlant(dir: string, extra?: (plant: any) => void): string {
  const text = readFileSync(join(FIXTURES, 'small-plant.json'), 'utf8')
    .replaceAll('2026-01-05', isoDay(-2))
    .replaceAll('2026-01-06', isoDay(-1));
  const plant = JSON.parse(text);
  extra?.(plant);
  const file = join(dir, 'plant.json');
  writeFileSync(file, JSON.stringify(plant));
  return file;
}

/** The tests poll every 100 ms; they are not about rate limits. */
const POLLING = '10000/minute';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Alerts end to end: a real server evaluates the rules over imported data and delivers to real HTTP
 * receivers, one that fails twice and recovers, one that always fails.
 */
describe('alerts and webhooks', () => {
  let dir: string;
  let cleanup: () => void;
  let server: ServerProcess | null = null;
  const receivers: { stop: () => Promise<void> }[] = [];

  beforeEach(() => ({ dir, cleanup } = scratchDir()));
  afterEach(async () => {
    await server?.stop();
    server = null;
    for (const r of receivers.splice(0)) await r.stop();
    cleanup();
  });

  async function gql(query: string, variables: Record<string, unknown> = {}): Promise<any> {
    const response = await fetch(`${server!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    if (body.errors && body.data) throw new Error(JSON.stringify(body.errors));
    return body;
  }

  const ALERTS = `{ alerts(limit: 100) { total alerts { id rule machine date shift value threshold message
    deliveries { url status attempts lastStatusCode lastError } } } }`;

  it('raises each occurrence once, signs every delivery, retries with back-off and logs the outcome', async () => {
    const flaky = await receiver([500, 500, 200]);
    const broken = await receiver([503]);
    receivers.push(flaky, broken);
    const env = {
      DEMO_DATA: 'false',
      RATE_LIMIT_DEFAULT: POLLING,
      ALERT_CHECK_SECONDS: '1',
      ALERT_LOOKBACK_DAYS: '2',
      ALERT_WEBHOOK_URLS: `${flaky.url}/hook?token=abc, ${broken.url}/down`,
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_WEBHOOK_ATTEMPTS: '3',
      ALERT_WEBHOOK_RETRY_SECONDS: '1',
    };
    expect((await runCli(['import', recentPlant(dir)], { cwd: dir, env })).code).toBe(0);
    server = await startServer({ cwd: dir, env });

    // Hand-computed from the fixture: M1 scrapped 20 of 400 parts (5% > 2%) two days ago; the
    // spindle failure (2.5 h) and the burnt-out drive (8 h) yesterday are longer than 2 h.
    const scrap = await until('the alerts', async () => {
      const page = (await gql(ALERTS)).data.alerts;
      return page.alerts.some((a: any) => a.rule === 'scrap-rate') ? page : undefined;
    });
    const byRule = (rule: string) => scrap.alerts.filter((a: any) => a.rule === rule);
    expect(byRule('scrap-rate')).toEqual([
      expect.objectContaining({
        machine: 'M1',
        date: isoDay(-2),
        shift: null,
        value: 5,
        threshold: 2,
      }),
    ]);
    expect(
      byRule('long-downtime')
        .map((a: any) => [a.machine, a.date, a.value, a.threshold])
        .sort(),
    ).toEqual([
      ['M1', isoDay(-1), 2.5, 2],
      ['M2', isoDay(-1), 8, 2],
    ]);
    // Shift OEE below the 85% target: every machine-shift the shift report shows below it.
    const report = (
      await gql(
        `query($d: Date) { shiftReport(date: $d) { shifts { shift machines { machine oee } } } }`,
        {
          d: isoDay(-2),
        },
      )
    ).data.shiftReport;
    const low = report.shifts.flatMap((s: any) =>
      s.machines
        .filter((m: any) => m.oee !== null && m.oee < 0.85)
        .map((m: any) => [m.machine, s.shift, m.oee]),
    );
    expect(low.length).toBeGreaterThan(0);
    expect(
      byRule('shift-oee')
        .filter((a: any) => a.date === isoDay(-2))
        .map((a: any) => [a.machine, a.shift, a.value])
        .sort(),
    ).toEqual(low.sort());
    expect(byRule('shift-oee')[0].threshold).toBe(0.85);

    // All of them travel together (one POST per attempt, not one per alert): the flaky receiver
    // fails the first two attempts and takes the third, the last that ALERT_WEBHOOK_ATTEMPTS allows.
    const total = scrap.total;
    await until('the delivery to the flaky receiver', () =>
      flaky.received.some((r) => r.status === 200) ? true : undefined,
    );
    expect(flaky.received.map((r) => r.status)).toEqual([500, 500, 200]);
    const posts = flaky.received.map((r) => JSON.parse(r.raw));
    for (const [i, post] of posts.entries()) {
      expect(post.type).toBe('alerts');
      expect(post.alerts).toHaveLength(total);
      expect(new Set(post.alerts.map((a: any) => a.attempt))).toEqual(new Set([i + 1]));
    }
    // The delivery ids stay the same from attempt to attempt, so a receiver can deduplicate.
    const ids = (post: any) => post.alerts.map((a: any) => a.deliveryId).sort();
    expect(ids(posts[2])).toEqual(ids(posts[0]));
    expect(new Set(ids(posts[2])).size).toBe(total);
    expect(posts[2].alerts.map((a: any) => a.id).sort()).toEqual(
      scrap.alerts.map((a: any) => a.id).sort(),
    );
    for (const r of flaky.received) {
      expect(r.path).toBe('/hook?token=abc');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-factory-agent-event']).toBe('alerts');
      const timestamp = r.headers['x-factory-agent-timestamp'] as string;
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      const expected = createHmac('sha256', SECRET).update(`${timestamp}.${r.raw}`).digest('hex');
      expect(r.headers['x-factory-agent-signature']).toBe(`sha256=${expected}`);
    }
    // Back-off: 1 s before the second attempt, 2 s before the third.
    const sentAt = flaky.received.map((r) => Number(r.headers['x-factory-agent-timestamp']));
    expect(sentAt[2] - sentAt[0]).toBeGreaterThanOrEqual(2);

    // The broken receiver gets 3 attempts, then its deliveries are failed; the log says so.
    const failed = await until('the failed deliveries', async () => {
      const page = (
        await gql(
          `{ alertDeliveries(status: "failed", limit: 1000) { total deliveries { url attempts lastStatusCode lastError status } } }`,
        )
      ).data.alertDeliveries;
      return page.total === total ? page : undefined;
    });
    expect(failed.deliveries[0]).toEqual({
      url: `${broken.url}/down`,
      attempts: 3,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
      status: 'failed',
    });
    expect(broken.received).toHaveLength(3);

    const log = (await gql(ALERTS)).data.alerts;
    expect(log.alerts.every((a: any) => a.deliveries.length === 2)).toBe(true);
    const toFlaky = log.alerts.flatMap((a: any) =>
      a.deliveries.filter((d: any) => d.url === `${flaky.url}/hook`),
    );
    expect(toFlaky).toHaveLength(total);
    expect(
      toFlaky.every(
        (d: any) => d.status === 'delivered' && d.lastStatusCode === 200 && d.attempts === 3,
      ),
    ).toBe(true);

    // The same data imported again raises nothing new; a new long event raises exactly one alert.
    const requests = flaky.received.length;
    const file = recentPlant(dir, (plant) => {
      // The fixture writes this day's key with a time, as the original system did.
      const m1 = plant.production[`${isoDay(-1)}T00:00:00`].M1;
      m1.downtime_events.push({
        reason: 'electrical',
        description: 'Cabinet fault',
        duration_hours: 3,
      });
      m1.downtime_hours += 3;
      m1.uptime_hours -= 3;
    });
    expect((await runCli(['import', file], { cwd: dir, env })).code).toBe(0);
    const after = await until('the new alert', async () => {
      const page = (await gql(ALERTS)).data.alerts;
      return page.total > total ? page : undefined;
    });
    await new Promise((r) => setTimeout(r, 2_500)); // two more checks: nothing else appears
    const settled = (await gql(ALERTS)).data.alerts;
    expect(settled.total).toBe(total + 1);
    expect(after.alerts[0]).toMatchObject({ rule: 'long-downtime', machine: 'M1', value: 3 });
    await until('its delivery', () => (flaky.received.length === requests + 1 ? true : undefined));
    const last = JSON.parse(flaky.received[requests].raw);
    expect(last.alerts.map((a: any) => a.id)).toEqual([after.alerts[0].id]);
  }, 150_000);

  it('raises a live stop once when it passes the threshold, however long it goes on', async () => {
    const key = 'alerts-ingest-key-0123456789';
    const env = {
      DEMO_DATA: 'false',
      RATE_LIMIT_DEFAULT: POLLING,
      INGEST_API_KEYS: key,
      ALERT_CHECK_SECONDS: '1',
      ALERT_RULES: 'long-downtime',
      // 36 s: the stop below is past it from the start and grows by a second every refresh.
      MAJOR_DOWNTIME_HOURS: '0.01',
      LIVE_REFRESH_SECONDS: '1',
      // Two shifts, the running one begun an hour or more ago: the stop stays in one shift.
      SHIFTS: `A ${hour(-1)}:00-${hour(11)}:00,B ${hour(11)}:00-${hour(-1)}:00`,
    };
    expect((await runCli(['import', recentPlant(dir)], { cwd: dir, env })).code).toBe(0);
    server = await startServer({ cwd: dir, env });
    const ingest = async (states: string) => {
      const response = await fetch(`${server!.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({
          query: `mutation { ingest(input: { states: [${states}] }) { accepted } }`,
        }),
      });
      return (await response.json()).data.ingest.accepted;
    };
    const now = Date.now();
    expect(
      await ingest(
        `{ machine: "M1", eventId: "live-stop-1", at: ${now - 120_000}, state: "STOPPED", reason: "jam" }`,
      ),
    ).toBe(1);
    // Shift A belongs to the date it starts: yesterday's just after midnight.
    const LIVE = `{ alerts(rule: "long-downtime", machine: "M1", limit: 100) { alerts { shift value } }
      downtime(startDate: "${isoDay(-1)}", endDate: "${isoDay(0)}", machine: "M1") {
        totalDowntimeHours } }`;
    const live = (page: any) => page.alerts.alerts.filter((a: any) => a.shift === 'A');
    const first = await until('the live stop alert', async () => {
      const page = (await gql(LIVE)).data;
      return live(page).length > 0 ? page : undefined;
    });
    // A short jam of half an hour ago arrives late: an event before the stop, which is still the
    // same stop.
    expect(
      await ingest(`{ machine: "M1", eventId: "late-1", at: ${now - 1_800_000}, state: "STOPPED", reason: "jam" },
        { machine: "M1", eventId: "late-2", at: ${now - 1_790_000}, state: "RUNNING" }`),
    ).toBe(2);
    // Forty refreshes and checks later the stop is past the next hundredth of an hour (its length
    // as an answer gives it), and still the one alert.
    await new Promise((r) => setTimeout(r, 40_000));
    const later = (await gql(LIVE)).data;
    expect(later.downtime.totalDowntimeHours).toBeGreaterThanOrEqual(
      first.downtime.totalDowntimeHours + 0.01,
    );
    expect(live(later)).toEqual(live(first));
    expect(later.alerts.alerts).toHaveLength(first.alerts.alerts.length);
  }, 150_000);

  it('refuses bad filters with a clear error and lists alerts from the CLI', async () => {
    const env = {
      DEMO_DATA: 'false',
      RATE_LIMIT_DEFAULT: POLLING,
      ALERT_CHECK_SECONDS: '1',
      ALERT_LOOKBACK_DAYS: '2',
    };
    expect((await runCli(['import', recentPlant(dir)], { cwd: dir, env })).code).toBe(0);
    server = await startServer({ cwd: dir, env });
    const bad = await gql('{ alerts(rule: "everything") { total } }');
    expect(bad.errors[0].message).toBe(
      'rule must be one of shift-oee, long-downtime, scrap-rate, got "everything"',
    );
    expect(bad.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const unknown = await gql('{ alerts(machine: "M9") { total } }');
    expect(unknown.errors[0].message).toBe("Unknown machine 'M9'. Known machines: M1, M2");
    const status = await gql('{ alertDeliveries(status: "lost") { total } }');
    expect(status.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    await until('the alerts', async () =>
      (await gql('{ alerts(machine: "m2") { total } }')).data.alerts.total > 0 ? true : undefined,
    );
    const cli = await runCli(['alerts', '--machine', 'm2', '--json'], { cwd: dir, env });
    expect(cli.code).toBe(0);
    const listed = JSON.parse(cli.stdout);
    expect(listed.alerts.every((a: any) => a.machine === 'M2')).toBe(true);
    expect(listed.alerts).toContainEqual(
      expect.objectContaining({ rule: 'long-downtime', value: 8, deliveries: [] }),
    );
    // A tighter target raises what it now misses, without new data: M2 scrapped 1% two days ago.
    expect(
      (await runCli(['targets', '--machine', 'M2', '--scrap-rate', '0.5'], { cwd: dir, env })).code,
    ).toBe(0);
    await until('the alert of the new target', async () =>
      (await gql('{ alerts(rule: "scrap-rate", machine: "M2") { total } }')).data.alerts.total === 1
        ? true
        : undefined,
    );
    const table = await runCli(['alerts'], { cwd: dir, env });
    expect(table.stdout).toMatch(/long-downtime/);
    expect(table.stdout).toMatch(/M2 was down 8 h \(electrical: Main drive burnt out\)/);
  }, 150_000);
});
