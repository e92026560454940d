/// <reference lib="dom" />
// page.waitForFunction bodies run in the browser.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { startTestApp, TestApp } from './support/test-app';
import { ROOT } from './support/processes';
import { FakeLlm } from './support/fake-llm-server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(ROOT, 'test/output');
const runs = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  process.stderr.write(
    `Dashboard browser tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium).\n`,
  );
}

/** Flags for a headless Chromium on a machine without network or sandbox. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const pct = (value: number | null) =>
  value === null ? 'no production' : `${Math.round(value * 1000) / 10}%`;

/** The real dashboard in Debian's Chromium, against the real server with demo data. */
runs('dashboard', () => {
  const llm = new FakeLlm();
  let browser: Browser;
  let plain: TestApp;
  let withLlm: TestApp;
  const consoleErrors: string[] = [];

  async function open(app: TestApp, path = '/'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    page.on('response', (response) => {
      if (response.status() >= 400) consoleErrors.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${app.url}${path}`);
    await loaded(page);
    return page;
  }

  const loaded = (page: Page) =>
    page.waitForFunction(() =>
      document.getElementById('status')?.textContent?.startsWith('Showing'),
    );

  async function kpis(page: Page) {
    return {
      oee: await page.textContent('[data-kpi="oee"]'),
      availability: await page.textContent('[data-kpi="availability"]'),
      performance: await page.textContent('[data-kpi="performance"]'),
      quality: await page.textContent('[data-kpi="quality"]'),
    };
  }

  async function apiKpis(app: TestApp, from: string, to: string, machine?: string) {
    const filter = `startDate: "${from}", endDate: "${to}"${machine ? `, machine: "${machine}"` : ''}`;
    const { body } = await app.gql(`{ oee(${filter}) { oee availability performance quality } }`);
    const oee = body.data?.oee;
    return {
      oee: pct(oee.oee),
      availability: pct(oee.availability),
      performance: pct(oee.performance),
      quality: pct(oee.quality),
    };
  }

  beforeAll(async () => {
    await llm.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    [plain, withLlm] = await Promise.all([
      startTestApp({ DEMO_DATA: 'true', FACTORY_NAME: 'Riverside Plant' }),
      startTestApp({ DEMO_DATA: 'true', OPENAI_BASE_URL: `${llm.url}/v1` }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([plain?.close(), withLlm?.close()]);
    await llm.stop();
  });
  afterEach(() => {
    expect(consoleErrors).toEqual([]);
    consoleErrors.length = 0;
  });

  it('shows the KPIs of the last 30 days of data, equal to the GraphQL answers, and draws every chart', async () => {
    const page = await open(plain);
    expect(await page.textContent('#factory-name')).toBe('Riverside Plant');
    const from = await page.inputValue('#from');
    const to = await page.inputValue('#to');
    const { body } = await plain.gql('{ dateRange { endDate } }');
    expect(to).toBe(body.data?.dateRange.endDate);
    expect(await kpis(page)).toEqual(await apiKpis(plain, from, to));
    // Each card is coloured by its own target, and shows it.
    const { body: targets } = await plain.gql(
      `{ oee(startDate: "${from}", endDate: "${to}") { quality target { quality qualityMet } } }`,
    );
    const quality = targets.data?.oee;
    const expected = quality.target.qualityMet
      ? 'green'
      : quality.quality >= quality.target.quality - 0.1
        ? 'amber'
        : 'red';
    expect(await page.getAttribute('#kpi-quality', 'class')).toBe(`kpi ${expected}`);
    expect(await page.textContent('[data-kpi-target="quality"]')).toBe(
      `target ${Math.round(quality.target.quality * 1000) / 10}%`,
    );
    // Each chart has one point per row of the API's answer (a count, never NaN).
    const range = `startDate: "${from}", endDate: "${to}"`;
    const api = (
      await plain.gql(`{
        oee(${range}) { daily { date } byMachine { machine } byShift { shift } }
        scrap(${range}) { daily { date } scrapByMachine { machine } }
        downtime(${range}) { downtimeByReason { reason } }
      }`)
    ).body.data!;
    const expectedPoints = {
      'oee-daily': api.oee.daily.length,
      'oee-machine': api.oee.byMachine.length,
      'oee-shift': api.oee.byShift.length,
      downtime: api.downtime.downtimeByReason.length,
      'scrap-daily': api.scrap.daily.length,
      'scrap-machine': api.scrap.scrapByMachine.length,
    };
    expect(expectedPoints).toEqual({
      'oee-daily': 30,
      'oee-machine': 4,
      'oee-shift': 2,
      downtime: 5,
      'scrap-daily': 30,
      'scrap-machine': 4,
    });
    for (const [chart, points] of Object.entries(expectedPoints)) {
      expect([chart, await page.getAttribute(`#chart-${chart}`, 'data-points')]).toEqual([
        chart,
        String(points),
      ]);
    }
    expect(await page.textContent('#major-events tbody')).toContain(
      'Critical bearing failure requiring emergency replacement',
    );
    expect(await page.textContent('#reliability')).toMatch(
      /MTBF \d+(\.\d+)? h, MTTR \d+(\.\d+)? h/,
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 1800 });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
    await page.close();
  });

  it('changes with the machine filter and the date range, and keeps the view in the URL', async () => {
    const page = await open(plain);
    const to = await page.inputValue('#to');
    const before = await kpis(page);
    await page.selectOption('#machine', 'Packaging-001');
    await page.waitForFunction(() =>
      document.getElementById('status')?.textContent?.includes('for Packaging-001'),
    );
    const from = await page.inputValue('#from');
    const machineKpis = await kpis(page);
    expect(machineKpis).toEqual(await apiKpis(plain, from, to, 'Packaging-001'));
    expect(machineKpis).not.toEqual(before);
    expect(page.url()).toContain('machine=Packaging-001');

    const later = new Date(Date.parse(`${to}T00:00:00Z`) - 6 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    await page.fill('#from', later);
    await page.dispatchEvent('#filters', 'change');
    await page.waitForFunction(
      (day) => document.getElementById('status')?.textContent?.includes(`Showing ${day}`),
      later,
    );
    expect(await kpis(page)).toEqual(await apiKpis(plain, later, to, 'Packaging-001'));
    expect(Number(await page.getAttribute('#chart-oee-daily', 'data-points'))).toBe(7);

    // The URL restores the same view.
    const shared = await open(plain, new URL(page.url()).pathname + new URL(page.url()).search);
    expect(await shared.inputValue('#from')).toBe(later);
    expect(await shared.inputValue('#machine')).toBe('Packaging-001');
    expect(await kpis(shared)).toEqual(await kpis(page));
    await Promise.all([page.close(), shared.close()]);
  });

  it('pages through quality issues and filters them by severity', async () => {
    const page = await open(plain);
    const firstPage = await page.textContent('#issues tbody');
    expect(await page.textContent('#issues-page')).toMatch(/^Page 1 of \d+$/);
    await page.click('#issues-next');
    await page.waitForFunction(() =>
      document.getElementById('issues-page')?.textContent?.startsWith('Page 2'),
    );
    expect(await page.textContent('#issues tbody')).not.toBe(firstPage);
    await page.selectOption('#severity', 'HIGH');
    await page.waitForFunction(() =>
      document.getElementById('issues-page')?.textContent?.startsWith('Page 1'),
    );
    const severities = await page.$$eval('#issues tbody tr td:nth-child(3)', (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(new Set(severities)).toEqual(new Set(['HIGH']));
    await page.close();
  });

  it('shows the running shift and updates a machine live as its signals arrive', async () => {
    const key = 'dashboard-ingest-key-0123';
    const live = await startTestApp({
      DEMO_DATA: 'true',
      INGEST_API_KEYS: key,
      SHIFTS: 'First 00:00-12:00,Second 12:00-24:00',
    });
    try {
      const page = await open(live);
      await page.waitForFunction(() =>
        document.getElementById('live-status')?.textContent?.startsWith('Live:'),
      );
      expect(await page.textContent('#live-shift')).toMatch(
        /^(First|Second) shift of \d{4}-\d{2}-\d{2}/,
      );
      expect(await page.locator('#live tbody tr').count()).toBe(4);
      const { body } = await live.gql(
        `mutation { ingest(input: { states: [{ machine: "Packaging-001", eventId: "dash-1", at: ${Date.now()}, state: "STOPPED", reason: "material" }] }) { accepted } }`,
        {},
        { authorization: `Bearer ${key}` },
      );
      expect(body.data?.ingest.accepted).toBe(1);
      await page.waitForFunction(
        () =>
          document.querySelector('#live tr[data-machine="Packaging-001"] td:nth-child(2)')
            ?.textContent === 'STOPPED',
      );
      expect(await page.textContent('#live tr[data-machine="Packaging-001"] td:nth-child(4)')).toBe(
        'material',
      );
      await page.close();
    } finally {
      await live.close();
    }
  });

  it('tells the user when no LLM is configured', async () => {
    const page = await open(plain);
    await page.fill('#chat-input', 'What was OEE yesterday?');
    await page.click('#chat-form button');
    await page.waitForSelector('#chat-log li.error');
    expect(await page.textContent('#chat-log li.error')).toMatch(
      /The assistant is not configured on this server/,
    );
    await page.close();
  });

  it('answers in the chat panel with the tools used, keeping the history', async () => {
    llm.reply(
      { toolCalls: [{ name: 'list_machines', arguments: '{}' }] },
      { content: 'There are four machines.' },
    );
    const page = await open(withLlm);
    await page.fill('#chat-input', 'How many machines?');
    await page.click('#chat-form button');
    await page.waitForSelector('#chat-log li.assistant');
    expect(await page.textContent('#chat-log li.assistant')).toContain('There are four machines.');
    expect(await page.textContent('#chat-log li.assistant .tools')).toBe(
      'Tools used: list_machines',
    );
    llm.reply({ content: 'Second answer.' });
    await page.fill('#chat-input', 'And now?');
    await page.click('#chat-form button');
    await page.waitForFunction(
      () => document.querySelectorAll('#chat-log li.assistant').length === 2,
    );
    const roles = llm.completions[0].body.messages.map((m: { role: string }) => m.role);
    expect(roles).toEqual(['system', 'user', 'assistant', 'user']);
    await page.close();
  });
});
