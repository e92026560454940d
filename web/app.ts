import {
  ApiError,
  CHAT_MUTATION,
  ChatAnswer,
  CurrentShiftData,
  DASHBOARD_QUERY,
  DashboardData,
  graphql,
  ISSUES_QUERY,
  IssuesPage,
  LiveMachine,
  Setting,
  SETTING_QUERY,
} from './api.js';
import { LiveShift } from './live.js';

/** The small part of Chart.js (loaded from /vendor as a UMD global) that the page uses. */
interface ChartInstance {
  destroy(): void;
}
declare const Chart: new (canvas: HTMLCanvasElement, config: unknown) => ChartInstance;

const PAGE_SIZE = 10;
const BAND_COLORS: Record<string, string> = {
  red: '#c62828',
  amber: '#ef8f00',
  green: '#2e7d32',
  none: '#607d8b',
};
/** Points below its target within which a figure is amber rather than red. */
const NEAR_TARGET = 10;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const charts = new Map<string, ChartInstance>();
const state = { from: '', to: '', machine: '', severity: '', page: 0 };
let chatHistory: ChatAnswer['chat']['history'] = [];

const percent = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 10);
const format = (value: number | null, unit = '%') =>
  value === null ? 'no production' : `${value}${unit}`;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function setStatus(message: string, error = false): void {
  const status = $('status');
  status.textContent = message;
  status.classList.toggle('error', error);
}

/**
 * Colour by the figure's own target (both in percent): green at or above it, amber up to 10 points
 * below, red further below; grey without production. A 98% quality against a 99% target is amber.
 */
function band(value: number | null, target: number): string {
  if (value === null) return 'none';
  return value >= target ? 'green' : value >= target - NEAR_TARGET ? 'amber' : 'red';
}

function draw(
  id: string,
  type: string,
  labels: string[],
  datasets: unknown[],
  options: Record<string, unknown> = {},
): void {
  charts.get(id)?.destroy();
  const canvas = $<HTMLCanvasElement>(id);
  canvas.dataset.points = String(labels.length);
  charts.set(
    id,
    new Chart(canvas, {
      type,
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        plugins: { legend: { display: datasets.length > 1 } },
        ...options,
      },
    }),
  );
}

function rows(tbody: HTMLElement, cells: (string | number)[][], empty: string): void {
  tbody.replaceChildren(
    ...(cells.length === 0 ? [[empty]] : cells).map((row) => {
      const tr = document.createElement('tr');
      for (const cell of row) {
        const td = document.createElement('td');
        td.textContent = String(cell);
        if (row.length === 1) td.colSpan = 6;
        tr.append(td);
      }
      return tr;
    }),
  );
}

function variables() {
  return { from: state.from, to: state.to, machine: state.machine || null };
}

function renderDashboard(data: DashboardData): void {
  renderKpis(data.oee);
  renderOeeCharts(data.oee);
  renderDowntime(data.downtime);
  renderScrap(data.scrap);
}

function renderKpis(oee: DashboardData['oee']): void {
  for (const key of ['oee', 'availability', 'performance', 'quality'] as const) {
    const value = percent(oee[key]);
    const target = percent(oee.target[key]) as number;
    const card = $(`kpi-${key}`);
    card.className = `kpi ${band(value, target)}`;
    (card.querySelector('.value') as HTMLElement).textContent = format(value);
    (card.querySelector('.target') as HTMLElement).textContent = `target ${target}%`;
  }
  $('parts').textContent =
    `${oee.totalParts.toLocaleString('en')} parts, ${oee.goodParts.toLocaleString('en')} good, ${oee.scrapParts.toLocaleString('en')} scrap`;
  $('warnings').replaceChildren(
    ...oee.warnings.map((w) => Object.assign(document.createElement('li'), { textContent: w })),
  );
}

function renderOeeCharts(oee: DashboardData['oee']): void {
  const target = percent(oee.target.oee) as number;
  draw(
    'chart-oee-daily',
    'line',
    oee.daily.map((d) => d.date),
    [
      { label: 'OEE %', data: oee.daily.map((d) => percent(d.oee)), borderColor: '#1565c0' },
      {
        label: `Target ${target}%`,
        data: oee.daily.map(() => target),
        borderDash: [6, 4],
        borderColor: '#2e7d32',
        pointRadius: 0,
      },
    ],
  );
  const machines = [...oee.byMachine].sort((a, b) => (a.oee ?? -1) - (b.oee ?? -1));
  draw(
    'chart-oee-machine',
    'bar',
    machines.map((m) => m.machine),
    [
      {
        label: 'OEE %',
        data: machines.map((m) => percent(m.oee)),
        backgroundColor: machines.map(
          (m) => BAND_COLORS[band(percent(m.oee), percent(m.target.oee) as number)],
        ),
      },
    ],
    { indexAxis: 'y' },
  );
  draw(
    'chart-oee-shift',
    'bar',
    oee.byShift.map((s) => s.shift),
    [
      { label: 'OEE %', data: oee.byShift.map((s) => percent(s.oee)), backgroundColor: '#1565c0' },
      {
        label: 'Availability %',
        data: oee.byShift.map((s) => percent(s.availability)),
        backgroundColor: '#64b5f6',
      },
      {
        label: 'Performance %',
        data: oee.byShift.map((s) => percent(s.performance)),
        backgroundColor: '#90caf9',
      },
    ],
  );
}

function renderDowntime(downtime: DashboardData['downtime']): void {
  draw(
    'chart-downtime',
    'bar',
    downtime.downtimeByReason.map((r) => (r.planned ? `${r.reason} (planned)` : r.reason)),
    [
      {
        label: 'Hours',
        data: downtime.downtimeByReason.map((r) => r.hours),
        backgroundColor: downtime.downtimeByReason.map((r) => (r.planned ? '#9e9e9e' : '#c62828')),
      },
    ],
  );
  $('reliability').textContent =
    `${downtime.totalDowntimeHours} h down (${downtime.unplannedDowntimeHours} h unplanned), ${downtime.failures} failures, ` +
    `MTBF ${format(downtime.mtbfHours, ' h').replace('no production', 'n/a')}, MTTR ${format(downtime.mttrHours, ' h').replace('no production', 'n/a')}`;
  rows(
    $('major-events').querySelector('tbody') as HTMLElement,
    downtime.majorEvents.map((e) => [e.date, e.machine, e.reason, e.durationHours, e.description]),
    'No major events in this range.',
  );
}

function renderScrap(scrap: DashboardData['scrap']): void {
  draw(
    'chart-scrap-daily',
    'line',
    scrap.daily.map((d) => d.date),
    [{ label: 'Scrap %', data: scrap.daily.map((d) => d.scrapRate), borderColor: '#ef6c00' }],
  );
  const scrapMachines = scrap.scrapByMachine ?? [];
  draw(
    'chart-scrap-machine',
    'bar',
    scrapMachines.map((m) => m.machine),
    [{ label: 'Scrap %', data: scrapMachines.map((m) => m.scrapRate), backgroundColor: '#ef6c00' }],
  );
}

/** Loads a page of issues from an event handler, showing a failure instead of dropping it. */
function reloadIssues(): void {
  loadIssues().catch((error: unknown) =>
    setStatus(
      `Could not load the quality issues: ${error instanceof Error ? error.message : String(error)}`,
      true,
    ),
  );
}

async function loadIssues(): Promise<void> {
  const data = await graphql<IssuesPage>(ISSUES_QUERY, {
    ...variables(),
    severity: state.severity || null,
    limit: PAGE_SIZE,
    offset: state.page * PAGE_SIZE,
  });
  const { totalIssues, totalPartsAffected, severityBreakdown, issues } = data.qualityIssues;
  $('quality-summary').textContent =
    `${totalIssues} issues, ${totalPartsAffected} parts affected (${severityBreakdown.map((s) => `${s.count} ${s.severity.toLowerCase()}`).join(', ')})`;
  rows(
    $('issues').querySelector('tbody') as HTMLElement,
    issues.map((i) => [i.date, i.machine, i.severity, i.type, i.partsAffected, i.description]),
    'No quality issues in this range.',
  );
  const pages = Math.max(1, Math.ceil(totalIssues / PAGE_SIZE));
  $('issues-page').textContent = `Page ${state.page + 1} of ${pages}`;
  $<HTMLButtonElement>('issues-prev').disabled = state.page === 0;
  $<HTMLButtonElement>('issues-next').disabled = state.page + 1 >= pages;
}

async function refresh(): Promise<void> {
  const url = new URL(location.href);
  for (const key of ['from', 'to', 'machine'] as const) {
    if (state[key]) url.searchParams.set(key, state[key]);
    else url.searchParams.delete(key);
  }
  history.replaceState(null, '', url);
  setStatus('Loading...');
  try {
    const [data] = await Promise.all([
      graphql<DashboardData>(DASHBOARD_QUERY, variables()),
      loadIssues(),
    ]);
    renderDashboard(data);
    setStatus(
      `Showing ${state.from} to ${state.to}${state.machine ? ` for ${state.machine}` : ', all machines'}.`,
    );
  } catch (error) {
    setStatus(
      error instanceof Error
        ? `Could not load the data: ${error.message}`
        : 'Could not load the data.',
      true,
    );
  }
}

function chatEntry(role: string, text: string, tools?: ChatAnswer['chat']['toolCalls']): void {
  const item = Object.assign(document.createElement('li'), { className: role, textContent: text });
  if (tools?.length) {
    const used = Object.assign(document.createElement('div'), {
      className: 'tools',
      textContent: `Tools used: ${tools.map((t) => `${t.name}${t.error ? ' (error)' : ''}`).join(', ')}`,
    });
    item.append(used);
  }
  $('chat-log').append(item);
}

async function ask(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const input = $<HTMLTextAreaElement>('chat-input');
  const message = input.value.trim();
  if (!message) return;
  input.value = '';
  chatEntry('user', message);
  try {
    const { chat } = await graphql<ChatAnswer>(CHAT_MUTATION, {
      input: { message, history: chatHistory },
    });
    chatHistory = chat.history;
    chatEntry('assistant', chat.response, chat.toolCalls);
  } catch (error) {
    const code = error instanceof ApiError ? error.code : 'ERROR';
    const text =
      code === 'LLM_NOT_CONFIGURED'
        ? 'The assistant is not configured on this server: set OPENAI_API_KEY, OPENAI_BASE_URL or Azure OpenAI variables (see the README).'
        : code === 'TOO_MANY_REQUESTS'
          ? 'Too many questions in a short time: please wait a minute and ask again.'
          : `The assistant could not answer: ${error instanceof Error ? error.message : 'unknown error'}`;
    chatEntry('error', text);
  }
}

async function start(): Promise<void> {
  try {
    const setting = await graphql<Setting>(SETTING_QUERY);
    document.title = `${setting.factory.name} - Factory Agent`;
    $('factory-name').textContent = setting.factory.name;
    const range = setting.dateRange;
    $('data-range').textContent = range
      ? `Data from ${range.startDate} to ${range.endDate} (${range.totalDays} days), time zone ${setting.factory.timeZone}`
      : 'No production data yet.';
    const select = $<HTMLSelectElement>('machine');
    select.append(
      ...setting.machines.map((m) =>
        Object.assign(document.createElement('option'), {
          value: m.name,
          textContent: `${m.name} (${m.type})`,
        }),
      ),
    );
    const params = new URL(location.href).searchParams;
    const end = range?.endDate ?? setting.factory.today;
    state.to = params.get('to') ?? end;
    state.from = params.get('from') ?? addDays(state.to, -29);
    state.machine = params.get('machine') ?? '';
    $<HTMLInputElement>('from').value = state.from;
    $<HTMLInputElement>('to').value = state.to;
    select.value = state.machine;
  } catch (error) {
    setStatus(
      `Could not reach the server: ${error instanceof Error ? error.message : String(error)}`,
      true,
    );
    return;
  }
  $('filters').addEventListener('change', () => {
    const from = $<HTMLInputElement>('from').value;
    const to = $<HTMLInputElement>('to').value;
    if (!from || !to) return;
    Object.assign(state, { from, to, machine: $<HTMLSelectElement>('machine').value, page: 0 });
    void refresh();
  });
  $('severity').addEventListener('change', () => {
    Object.assign(state, { severity: $<HTMLSelectElement>('severity').value, page: 0 });
    reloadIssues();
  });
  $('issues-prev').addEventListener('click', () => {
    state.page = Math.max(0, state.page - 1);
    reloadIssues();
  });
  $('issues-next').addEventListener('click', () => {
    state.page += 1;
    reloadIssues();
  });
  $('chat-form').addEventListener('submit', (event) => void ask(event));
  await refresh();
}

/** The live shift table: one row per machine, as the subscription updates it. */
function renderLive(
  shift: CurrentShiftData['currentShift'] | null,
  machines: LiveMachine[],
  connected: boolean,
): void {
  if (shift) {
    const time = (iso: string) => iso.slice(11, 16);
    $('live-shift').textContent =
      `${shift.shift} shift of ${shift.date}, ${time(shift.startsAt)}-${time(shift.endsAt)} UTC`;
  }
  $('live-status').textContent = connected
    ? 'Live: updated as machines report.'
    : 'Not connected to live updates; retrying.';
  const tbody = $('live').querySelector('tbody') as HTMLElement;
  tbody.replaceChildren(
    ...machines.map((m) => {
      const tr = document.createElement('tr');
      tr.dataset.machine = m.machine;
      const cells = [
        m.machine,
        m.state ?? 'no signal yet',
        m.since ? m.since.slice(11, 19) : '',
        m.reason ?? '',
        String(m.parts),
        String(m.scrap),
        format(percent(m.oee)),
        format(percent(m.availability)),
      ];
      tr.append(
        ...cells.map((text, i) => {
          const td = document.createElement('td');
          td.textContent = text;
          if (i === 1 && m.state) td.className = m.state;
          return td;
        }),
      );
      return tr;
    }),
  );
}

window.addEventListener('DOMContentLoaded', () => {
  void start();
  void new LiveShift(renderLive).start().catch((error: unknown) => {
    $('live-status').textContent =
      `Live shift unavailable: ${error instanceof Error ? error.message : String(error)}`;
  });
});
