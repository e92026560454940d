/// <reference lib="dom" />
// page.waitForFunction bodies run in the browser.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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
  /** 200 machines: the plant-scale views. */
  let plant: TestApp;
  const consoleErrors: string[] = [];

  async function open(app: TestApp, path = '/', width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
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
    [plain, withLlm, plant] = await Promise.all([
      startTestApp({ DEMO_DATA: 'true', FACTORY_NAME: 'Riverside Plant' }),
      startTestApp({ DEMO_DATA: 'true', OPENAI_BASE_URL: `${llm.url}/v1` }),
      // Many page loads in a row: above the default 100 fields a minute.
      startTestApp({ ALERT_RULES: 'none', RATE_LIMIT_DEFAULT: '100000/minute' }),
    ]);
    const setup = await plant.cli('setup', '--machines', '200', '--days', '30');
    expect(setup.code).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([plain?.close(), withLlm?.close(), plant?.close()]);
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

  it('serves a local explorer at /graphql when Apollo Sandbox cannot load (no internet)', async () => {
    const page = await browser.newPage();
    // Whatever this machine can reach, the plant network cannot reach Apollo's CDN.
    await page.route('https://*.apollographql.com/**', (route) => route.abort());
    await page.goto(`${plain.url}/graphql`);
    await page.waitForSelector('#offline', { state: 'visible' });
    expect(await page.textContent('#offline h1')).toBe('Factory Agent GraphQL API');
    expect(await page.getAttribute('#offline a', 'href')).toBe('/');
    expect(await page.textContent('#schema')).toContain('type Query {');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('result')?.textContent);
    const result = JSON.parse((await page.textContent('#result')) as string);
    expect(result.data.factory.name).toBe('Riverside Plant');
    expect(result.data.machines).toHaveLength(4);
    await page.close();
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
    // The answer streams in; the entry is marked done when the whole answer has arrived.
    await page.waitForSelector('#chat-log li.assistant.done');
    expect(await page.textContent('#chat-log li.assistant span')).toBe('There are four machines.');
    expect(await page.textContent('#chat-log li.assistant .tools')).toBe(
      'Tools used: list_machines',
    );
    llm.reply({ content: 'Second answer.' });
    // Enter sends; Shift+Enter would start a new line.
    await page.fill('#chat-input', 'And now?');
    await page.press('#chat-input', 'Enter');
    await page.waitForFunction(
      () => document.querySelectorAll('#chat-log li.assistant.done').length === 2,
    );
    const roles = llm.completions[0].body.messages.map((m: { role: string }) => m.role);
    expect(roles).toEqual(['system', 'user', 'assistant', 'user']);
    // The panel asked over the chatStream subscription: the model was asked to stream.
    expect(llm.completions[0].body.stream).toBe(true);
    await page.close();
  });
  /** Where a chart draws the `index`th element of its first dataset, on the page. */
  async function chartPoint(page: Page, id: string, index: number) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    const box = (await page.locator(`#${id}`).boundingBox())!;
    const point = await page.evaluate(
      ([chartId, i]) => {
        const chart = (window as any).Chart.getChart(document.getElementById(chartId));
        const element = chart.getDatasetMeta(0).data[i];
        return { x: element.x, y: element.y, label: chart.data.labels[i] };
      },
      [id, index] as const,
    );
    return { x: box.x + point.x, y: box.y + point.y, label: point.label as string };
  }

  const showing = (page: Page, text: string) =>
    page.waitForFunction(
      (t) =>
        document.getElementById('status')?.textContent?.startsWith('Showing') &&
        document.getElementById('status')?.textContent?.includes(t),
      text,
    );

  async function download(page: Page, name: string): Promise<string[][]> {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`button.csv[data-csv="${name}"]`),
    ]);
    const text = readFileSync(await file.path(), 'utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    return text
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','));
  }

  /** WCAG contrast ratio of two CSS rgb() colours. */
  function contrast(a: string, b: string): number {
    const luminance = (color: string) => {
      const [r, g, bl] = (color.match(/\d+/g) ?? []).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    };
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }

  it('at 1440 px with 200 machines: worst 10 until "show all", a sortable table, CSV of every view', async () => {
    const page = await open(plant, '/', 1440);
    const from = await page.inputValue('#from');
    const to = await page.inputValue('#to');
    const range = `startDate: "${from}", endDate: "${to}"`;
    const api = (
      await plant.gql(`{
        oee(${range}) { byMachine { machine oee totalParts } }
        losses(${range}) { plannedBusyHours valuableOperatingHours availabilityLossHours performanceLossHours qualityLossHours }
        downtime(${range}) { byMachine { machine } }
        scrap(${range}) { scrapByMachine { machine scrapRate } }
      }`)
    ).body.data!;
    expect(api.oee.byMachine).toHaveLength(200);
    const worst = [...api.oee.byMachine].sort((a: any, b: any) => a.oee - b.oee);
    for (const chart of ['oee-machine', 'downtime-machine', 'scrap-machine']) {
      expect([chart, await page.getAttribute(`#chart-${chart}`, 'data-points')]).toEqual([
        chart,
        '10',
      ]);
    }
    expect(await page.textContent('#oee-machine-title')).toBe(
      'OEE by machine, worst first: 10 of 200',
    );
    // The table: worst OEE first, 10 rows, sortable, then all 200.
    const tableMachines = () =>
      page.$$eval('#machines tbody tr', (trs) =>
        trs.map((tr) => (tr as HTMLElement).dataset.machine),
      );
    expect(await tableMachines()).toEqual(worst.slice(0, 10).map((m: any) => m.machine));
    await page.click('#machines th button[data-sort="totalParts"]');
    const byParts = [...api.oee.byMachine].sort(
      (a: any, b: any) =>
        b.totalParts - a.totalParts || a.machine.localeCompare(b.machine, 'en', { numeric: true }),
    );
    expect(await tableMachines()).toEqual(byParts.slice(0, 10).map((m: any) => m.machine));
    expect(
      await page.getAttribute('#machines th button[data-sort="totalParts"]', 'aria-sort'),
    ).toBe('descending');
    expect(await page.textContent(`#machines tbody tr:first-child td:nth-child(6)`)).toBe(
      byParts[0].totalParts.toLocaleString('en'),
    );
    await page.click('#show-all');
    expect(await page.locator('#machines tbody tr').count()).toBe(200);
    expect(await page.getAttribute('#chart-oee-machine', 'data-points')).toBe('200');
    expect(page.url()).toContain('all=1');
    // Labels stay readable: the chart grows with its bars instead of squeezing them.
    expect((await page.locator('#chart-oee-machine').boundingBox())!.height).toBeGreaterThan(
      200 * 18,
    );

    // CSV: every machine, the same figures as the API.
    const machinesCsv = await download(page, 'machines');
    expect(machinesCsv[0]).toEqual([
      'machine',
      'oee',
      'availability',
      'performance',
      'quality',
      'parts',
      'scrap_rate_percent',
    ]);
    expect(machinesCsv).toHaveLength(201);
    const row = machinesCsv.find((r) => r[0] === worst[0].machine)!;
    expect(Number(row[1])).toBe(worst[0].oee);
    expect(Number(row[6])).toBe(
      api.scrap.scrapByMachine.find((m: any) => m.machine === worst[0].machine).scrapRate,
    );
    // The loss waterfall: its parts add up to planned busy time (to 0.01 h), as the API's do.
    const losses = await download(page, 'losses');
    const hours = Object.fromEntries(losses.slice(1).map(([part, h]) => [part, Number(h)]));
    expect(hours['Planned busy']).toBeCloseTo(api.losses.plannedBusyHours, 2);
    expect(hours['Valuable operating']).toBeCloseTo(api.losses.valuableOperatingHours, 2);
    expect(
      hours['Valuable operating'] +
        hours['Availability loss'] +
        hours['Performance loss'] +
        hours['Quality loss'],
    ).toBeCloseTo(hours['Planned busy'], 2);
    // Every chart and table has its CSV button; a few downloads (Chromium holds back many in a row).
    expect(await page.locator('figure button.csv').count()).toBe(
      await page.locator('figure canvas').count(),
    );
    for (const table of ['machines', 'major-events', 'issues']) {
      expect(await page.locator(`section:has(#${table}) button.csv`).count()).toBe(1);
    }
    expect((await download(page, 'defects'))[0]).toEqual([
      'type',
      'issues',
      'parts_affected',
      'cumulative_share',
    ]);
    expect((await download(page, 'issues')).length).toBe(11); // the page of 10 shown
    // Rates start at 0.
    for (const chart of [
      'chart-oee-daily',
      'chart-scrap-daily',
      'chart-oee-shift',
      'chart-losses',
    ]) {
      const min = await page.evaluate(
        (id) => (window as any).Chart.getChart(document.getElementById(id)).scales.y.min,
        chart,
      );
      expect([chart, min]).toEqual([chart, 0]);
    }
    // Text on the coloured cards meets WCAG AA.
    for (const card of await page.$$('.kpi')) {
      const [color, background] = await card.evaluate((el) => {
        const style = getComputedStyle(el);
        return [style.color, style.backgroundColor];
      });
      expect(contrast(color, background)).toBeGreaterThanOrEqual(4.5);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.click('#show-all'); // back to the worst 10 for the picture
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-1440.png'), fullPage: true });
    await page.close();
  });

  it('filters the page to a machine, a day, a reason or a defect type when one is clicked, in the URL', async () => {
    const page = await open(plant, '/', 1440);
    const to = await page.inputValue('#to');
    // A machine: a click on its bar.
    const bar = await chartPoint(page, 'chart-oee-machine', 0);
    await page.mouse.click(bar.x - 20, bar.y);
    await showing(page, `for ${bar.label}`);
    expect(new URL(page.url()).searchParams.get('machine')).toBe(bar.label);
    expect(await page.inputValue('#machine')).toBe(bar.label);
    expect(await page.textContent('#chips')).toBe(`Machine: ${bar.label} ✕`);
    const from = await page.inputValue('#from');
    expect(await kpis(page)).toEqual(await apiKpis(plant, from, to, bar.label));
    // A day: a click on its point of the OEE line.
    const day = await chartPoint(page, 'chart-oee-daily', 3);
    await page.mouse.click(day.x, day.y);
    await showing(page, `Showing ${day.label} to ${day.label} for ${bar.label}`);
    expect(await kpis(page)).toEqual(await apiKpis(plant, day.label, day.label, bar.label));
    // Removing the machine keeps the day.
    await page.click('#chips button[data-clear="machine"]');
    await showing(page, `Showing ${day.label} to ${day.label}, all machines`);
    expect(new URL(page.url()).searchParams.has('machine')).toBe(false);
    // A reason: the major events show that reason only.
    await page.click('#presets button[data-preset="last30"]');
    await showing(page, 'all machines');
    const reason = await chartPoint(page, 'chart-downtime', 0);
    await page.mouse.click(reason.x, reason.y + 5);
    await page.waitForFunction(
      (r) => document.getElementById('major-events-caption')?.textContent?.endsWith(`reason ${r}`),
      reason.label,
    );
    await showing(page, 'all machines');
    const reasons = await page.$$eval('#major-events tbody tr td:nth-child(3)', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(reasons.length).toBeGreaterThan(0);
    expect(new Set(reasons)).toEqual(new Set([reason.label]));
    expect(new URL(page.url()).searchParams.get('reason')).toBe(reason.label);
    // A defect type: the issue list shows that type, the pager counts them.
    const defect = await chartPoint(page, 'chart-defects', 1);
    await page.mouse.click(defect.x, defect.y + 5);
    await page.waitForFunction(
      (t) => document.getElementById('quality-summary')?.textContent?.includes(`of type ${t}`),
      defect.label,
    );
    const types = await page.$$eval('#issues tbody tr td:nth-child(4)', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(new Set(types)).toEqual(new Set([defect.label]));
    expect(new URL(page.url()).searchParams.get('type')).toBe(defect.label);
    // The whole view comes back from the URL, the machine in any letter case.
    const url = new URL(page.url());
    url.searchParams.set('machine', bar.label.toLowerCase());
    const shared = await open(plant, url.pathname + url.search, 1440);
    expect(await shared.inputValue('#machine')).toBe(bar.label);
    expect(await shared.textContent('#major-events-caption')).toMatch(`reason ${reason.label}`);
    await Promise.all([page.close(), shared.close()]);
  });

  it('has date presets that follow the plant calendar', async () => {
    const page = await open(plant, '/', 1440);
    const { body } = await plant.gql('{ factory { today } }');
    const today = body.data?.factory.today as string;
    const back = (days: number) =>
      new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
    const monday = back((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7);
    const expected: Record<string, [string, string]> = {
      today: [today, today],
      yesterday: [back(1), back(1)],
      week: [monday, today],
      last7: [back(6), today],
      last30: [back(29), today],
      month: [`${today.slice(0, 8)}01`, today],
    };
    for (const [preset, [from, to]] of Object.entries(expected)) {
      await page.click(`#presets button[data-preset="${preset}"]`);
      await showing(page, `Showing ${from} to ${to}`);
      expect(
        await page.getAttribute(`#presets button[data-preset="${preset}"]`, 'aria-pressed'),
      ).toBe('true');
      expect(new URL(page.url()).searchParams.get('range')).toBe(preset);
    }
    await page.close();
  });

  it('at 390 px: no sideways scroll, cards and charts stacked', async () => {
    const page = await open(plant, '/', 390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    const figures = await page.$$eval('.grid figure', (els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { x: Math.round(r.x), right: r.right };
      }),
    );
    expect(new Set(figures.map((f) => f.x)).size).toBe(1); // one column
    expect(Math.max(...figures.map((f) => f.right))).toBeLessThanOrEqual(390);
    const cards = await page.$$eval('.kpi', (els) =>
      els.map((el) => el.getBoundingClientRect().right),
    );
    expect(Math.max(...cards)).toBeLessThanOrEqual(390);
    // Wide tables scroll inside their box, not the page.
    await page.click('#show-all');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.click('#show-all');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-390.png'), fullPage: true });
    await page.close();
  });

  it('as a wall screen (?kiosk=1): large figures, no controls, reloading on its own', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.clock.install();
    let loads = 0;
    page.on('request', (request) => {
      if (request.postData()?.includes('query Dashboard(')) loads++;
    });
    await page.goto(`${plant.url}/?kiosk=1&range=today`);
    await loaded(page);
    expect(await page.getAttribute('body', 'class')).toBe('kiosk');
    expect(await page.isVisible('#filters')).toBe(false);
    expect(await page.isVisible('.chat')).toBe(false);
    const size = await page.$eval('[data-kpi="oee"]', (el) =>
      parseFloat(getComputedStyle(el).fontSize),
    );
    expect(size).toBeGreaterThanOrEqual(48);
    expect(loads).toBe(1);
    await page.clock.runFor(61_000);
    await page.waitForFunction(() =>
      document.getElementById('status')?.textContent?.startsWith('Showing'),
    );
    expect(loads).toBe(2);
    await page.close();
  });

  it('clears the figures when a load fails, and waits as long as the server asks after too many requests', async () => {
    const limited = await startTestApp({ RATE_LIMIT_DEFAULT: '6/second', DEMO_DATA: 'true' });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.addInitScript(() => {
        (window as any).statuses = [];
        new MutationObserver(() => {
          const text = document.getElementById('status')?.textContent;
          if (text) (window as any).statuses.push(text);
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      // Three top-level fields of the setting, then the dashboard's: over 6 in the first second.
      await page.goto(limited.url);
      await page.waitForFunction(() =>
        document.getElementById('status')?.textContent?.startsWith('Showing'),
      );
      const statuses: string[] = await page.evaluate(() => (window as any).statuses);
      expect(statuses).toContain(
        'Too many requests: the server asks to wait 1 s; loading again then.',
      );
      expect(await page.textContent('[data-kpi="oee"]')).toMatch(/%$/);
      // A failure after a good load leaves no old figure on screen.
      await page.route('**/graphql', (route) =>
        route.request().postData()?.includes('query Dashboard(')
          ? route.fulfill({ status: 502, contentType: 'text/html', body: 'Bad gateway' })
          : route.continue(),
      );
      await page.selectOption('#machine', 'Packaging-001');
      await page.waitForFunction(() =>
        document.getElementById('status')?.classList.contains('error'),
      );
      expect(await page.textContent('#status')).toBe(
        'Could not load the data: the server answered HTTP 502',
      );
      expect(await page.textContent('[data-kpi="oee"]')).toBe('-');
      expect(await page.getAttribute('#kpi-oee', 'class')).toBe('kpi none');
      expect(await page.getAttribute('#chart-oee-daily', 'data-points')).toBe('0');
      expect(await page.textContent('#major-events tbody')).toBe('Not loaded.');
      expect(await page.getAttribute('#main', 'class')).toBe('stale');
      await page.close();
    } finally {
      await limited.close();
    }
  });
});
