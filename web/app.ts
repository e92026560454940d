import {
  ApiError,
  CHAT_STREAM_SUBSCRIPTION,
  ChatAnswer,
  ChatStreamEvent,
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
import { band, clearCharts, percent, renderCharts, renderDefects, TOP_MACHINES } from './charts.js';
import { clearCsv, downloadCsv, setCsv } from './csv.js';
import { LiveShift } from './live.js';
import { subscribe } from './ws.js';

const PAGE_SIZE = 10;
/** How often a wall screen (?kiosk=1) reloads its figures. */
const KIOSK_REFRESH_MS = 60_000;
const PRESETS = ['today', 'yesterday', 'week', 'last7', 'last30', 'month'] as const;
type Preset = (typeof PRESETS)[number];
type SortKey =
  'machine' | 'oee' | 'availability' | 'performance' | 'quality' | 'totalParts' | 'scrapRate';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the page shows; everything but paging and sorting lives in the URL. */
const state = {
  from: '',
  to: '',
  /** A date preset that moves with the plant's today (a wall screen stays on "today"). */
  range: null as Preset | null,
  machine: '',
  reason: '',
  type: '',
  severity: '',
  page: 0,
  all: false,
  sort: { key: 'oee' as SortKey, descending: false },
};
let machineNames: string[] = [];
let timeZone = 'UTC';
let lastData: DashboardData | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let loadCounter = 0;
let chatHistory: ChatAnswer['chat']['history'] = [];

const format = (value: number | null, unit = '%') =>
  value === null ? 'no production' : `${value}${unit}`;
const count = (value: number) => value.toLocaleString('en');
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Today in the plant's time zone, from this browser's clock. */
function plantToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
}

function presetRange(preset: Preset, today: string): { from: string; to: string } {
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday':
      return { from: addDays(today, -1), to: addDays(today, -1) };
    case 'week':
      return { from: addDays(today, -weekday), to: today };
    case 'last7':
      return { from: addDays(today, -6), to: today };
    case 'last30':
      return { from: addDays(today, -29), to: today };
    case 'month':
      return { from: `${today.slice(0, 8)}01`, to: today };
  }
}

function setStatus(text: string, error = false): void {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', error);
}

function rows(
  tbody: HTMLElement,
  cells: (string | number)[][],
  empty: string,
  numeric: number[] = [],
): void {
  const columns = tbody.closest('table')?.querySelectorAll('thead th').length ?? 1;
  tbody.replaceChildren(
    ...(cells.length === 0 ? [[empty]] : cells).map((row) => {
      const tr = document.createElement('tr');
      row.forEach((cell, i) => {
        const td = document.createElement('td');
        td.textContent = typeof cell === 'number' ? count(cell) : cell;
        if (row.length === 1) td.colSpan = columns;
        else if (numeric.includes(i)) td.className = 'number';
        tr.append(td);
      });
      return tr;
    }),
  );
}

function variables() {
  return { from: state.from, to: state.to, machine: state.machine || null };
}

/** The view in the URL, so that it can be shared, reloaded and bookmarked on a wall screen. */
function writeUrl(): void {
  const url = new URL(location.href);
  const params: Record<string, string> = {
    from: state.range ? '' : state.from,
    to: state.range ? '' : state.to,
    range: state.range ?? '',
    machine: state.machine,
    reason: state.reason,
    type: state.type,
    all: state.all ? '1' : '',
  };
  for (const [key, value] of Object.entries(params)) {
    if (value) url.searchParams.set(key, value);
    else url.searchParams.delete(key);
  }
  history.replaceState(null, '', url);
}

function renderKpis(data: DashboardData): void {
  const { oee, comparison } = data;
  for (const key of ['oee', 'availability', 'performance', 'quality'] as const) {
    const value = percent(oee[key]);
    const target = percent(oee.target[key]) as number;
    const card = $(`kpi-${key}`);
    card.className = `kpi ${band(value, target)}`;
    (card.querySelector('.value') as HTMLElement).textContent = format(value);
    (card.querySelector('.target') as HTMLElement).textContent = `target ${target}%`;
    const change = comparison.change[key];
    const points = change === null ? null : Math.round(change * 1000) / 10;
    const days = Math.round((Date.parse(state.to) - Date.parse(state.from)) / 86_400_000) + 1;
    const element = card.querySelector('.change') as HTMLElement;
    element.textContent =
      points === null
        ? 'no previous figure'
        : `${points > 0 ? '▲ +' : points < 0 ? '▼ ' : '= '}${points.toFixed(1)} pts vs previous ${days === 1 ? 'day' : `${days} days`}`;
    element.title = `${comparison.previousStartDate} to ${comparison.previousEndDate}`;
  }
  $('parts').textContent =
    `${count(oee.totalParts)} parts, ${count(oee.goodParts)} good, ${count(oee.scrapParts)} scrap`;
  $('warnings').replaceChildren(
    ...oee.warnings.map((w) => Object.assign(document.createElement('li'), { textContent: w })),
  );
}

interface MachineRow {
  machine: string;
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  totalParts: number;
  scrapRate: number | null;
}

/** The machines, sortable, worst 10 until "show all"; a row selects its machine. */
function renderMachines(data: DashboardData): void {
  const scrap = new Map((data.scrap.scrapByMachine ?? []).map((m) => [m.machine, m.scrapRate]));
  const all: MachineRow[] = data.oee.byMachine.map((m) => ({
    machine: m.machine,
    oee: m.oee,
    availability: m.availability,
    performance: m.performance,
    quality: m.quality,
    totalParts: m.totalParts,
    scrapRate: scrap.get(m.machine) ?? null,
  }));
  const { key, descending } = state.sort;
  const sign = descending ? -1 : 1;
  all.sort((a, b) => {
    const [x, y] = [a[key], b[key]];
    if (typeof x === 'string' || typeof y === 'string') {
      return sign * String(x).localeCompare(String(y), 'en', { numeric: true });
    }
    // Machines without a figure go last either way.
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sign * (x - y) || a.machine.localeCompare(b.machine, 'en', { numeric: true });
  });
  const shown = state.all ? all : all.slice(0, TOP_MACHINES);
  const pct = (v: number | null) => format(percent(v)).replace('no production', '-');
  const tbody = $('machines').querySelector('tbody') as HTMLElement;
  rows(
    tbody,
    shown.map((m) => [
      m.machine,
      pct(m.oee),
      pct(m.availability),
      pct(m.performance),
      pct(m.quality),
      m.totalParts,
      m.scrapRate === null ? '-' : `${m.scrapRate}%`,
    ]),
    'No machines with data in this range.',
    [1, 2, 3, 4, 5, 6],
  );
  tbody.querySelectorAll('tr').forEach((tr, i) => {
    if (!shown[i]) return;
    tr.dataset.machine = shown[i].machine;
    tr.tabIndex = 0;
  });
  for (const button of $('machines').querySelectorAll<HTMLButtonElement>('th button')) {
    if (button.dataset.sort === key) {
      button.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    } else button.removeAttribute('aria-sort');
  }
  const toggle = $<HTMLButtonElement>('show-all');
  toggle.hidden = all.length <= TOP_MACHINES;
  toggle.textContent = state.all
    ? `Show the first ${TOP_MACHINES} only`
    : `Show all ${count(all.length)} machines`;
  setCsv('machines', {
    headers: [
      'machine',
      'oee',
      'availability',
      'performance',
      'quality',
      'parts',
      'scrap_rate_percent',
    ],
    rows: all.map((m) => [
      m.machine,
      m.oee,
      m.availability,
      m.performance,
      m.quality,
      m.totalParts,
      m.scrapRate,
    ]),
  });
}

function renderDowntime(downtime: DashboardData['downtime']): void {
  const hours = (v: number | null) => (v === null ? 'n/a' : `${v} h`);
  $('reliability').textContent =
    `${downtime.totalDowntimeHours} h down (${downtime.unplannedDowntimeHours} h unplanned), ${count(downtime.failures)} failures, ` +
    `MTBF ${hours(downtime.mtbfHours)}, MTTR ${hours(downtime.mttrHours)}`;
  $('major-events-caption').textContent = state.reason
    ? `Events over the major-downtime threshold, reason ${state.reason}`
    : 'Events over the major-downtime threshold';
  rows(
    $('major-events').querySelector('tbody') as HTMLElement,
    downtime.majorEvents.map((e) => [e.date, e.machine, e.reason, e.durationHours, e.description]),
    'No major events in this range.',
    [3],
  );
  setCsv('major-events', {
    headers: ['date', 'machine', 'reason', 'hours', 'description'],
    rows: downtime.majorEvents.map((e) => [
      e.date,
      e.machine,
      e.reason,
      e.durationHours,
      e.description,
    ]),
  });
}

/** The filters set by a click, each with a button that removes it. */
function renderChips(): void {
  const chips = [
    ['machine', 'Machine'],
    ['reason', 'Reason'],
    ['type', 'Defect'],
  ] as const;
  $('chips').replaceChildren(
    ...chips
      .filter(([key]) => state[key])
      .map(([key, label]) => {
        const button = Object.assign(document.createElement('button'), {
          type: 'button',
          textContent: `${label}: ${state[key]} ✕`,
          title: `Remove the ${label.toLowerCase()} filter`,
        });
        button.dataset.clear = key;
        return button;
      }),
  );
  for (const button of $('presets').querySelectorAll<HTMLButtonElement>('button')) {
    const preset = button.dataset.preset as Preset;
    const range = presetRange(preset, plantToday());
    const pressed = state.range
      ? state.range === preset
      : range.from === state.from && range.to === state.to;
    button.setAttribute('aria-pressed', String(pressed));
  }
}

/** After a failed load nothing stays on screen that is not current: figures are cleared. */
function clearFigures(): void {
  lastData = null;
  clearCharts();
  clearCsv();
  for (const card of document.querySelectorAll<HTMLElement>('.kpi')) {
    card.className = 'kpi none';
    for (const part of card.querySelectorAll<HTMLElement>('.value, .target, .change')) {
      part.textContent = part.classList.contains('value') ? '-' : '';
    }
  }
  $('parts').textContent = '';
  $('warnings').replaceChildren();
  $('reliability').textContent = '';
  $('quality-summary').textContent = '';
  for (const id of ['machines', 'major-events', 'issues']) {
    rows($(id).querySelector('tbody') as HTMLElement, [], 'Not loaded.');
  }
  $('main').classList.add('stale');
}

async function loadIssues(): Promise<void> {
  const data = await graphql<IssuesPage>(ISSUES_QUERY, {
    ...variables(),
    severity: state.severity || null,
    type: state.type || null,
    limit: PAGE_SIZE,
    offset: state.page * PAGE_SIZE,
  });
  const { totalIssues, totalPartsAffected, severityBreakdown, byType, issues } = data.qualityIssues;
  const typeRow = byType.find((t) => t.type.toLowerCase() === state.type.toLowerCase());
  const total = state.type ? (typeRow?.count ?? 0) : totalIssues;
  $('quality-summary').textContent =
    `${count(totalIssues)} issues, ${count(totalPartsAffected)} parts affected (${severityBreakdown.map((s) => `${count(s.count)} ${s.severity.toLowerCase()}`).join(', ')})` +
    (state.type ? `; ${count(total)} of type ${state.type}` : '');
  renderDefects(byType, (type) => select({ type }));
  const cells = issues.map((i) => [
    i.date,
    i.machine,
    i.severity,
    i.type,
    i.partsAffected,
    i.description,
  ]);
  rows(
    $('issues').querySelector('tbody') as HTMLElement,
    cells,
    'No quality issues in this range.',
    [4],
  );
  setCsv('issues', {
    headers: ['date', 'machine', 'severity', 'type', 'parts_affected', 'description'],
    rows: cells,
  });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  $('issues-page').textContent = `Page ${state.page + 1} of ${pages}`;
  $<HTMLButtonElement>('issues-prev').disabled = state.page === 0;
  $<HTMLButtonElement>('issues-next').disabled = state.page + 1 >= pages;
}

/** Loads a page of issues from an event handler, showing a failure instead of dropping it. */
function reloadIssues(): void {
  loadIssues().catch((error: unknown) => failed(error, 'the quality issues'));
}

function chartPicks() {
  return {
    day: (date: string) => select({ from: date, to: date, range: null }),
    machine: (machine: string) => select({ machine }),
    reason: (reason: string) => select({ reason }),
    type: (type: string) => select({ type }),
  };
}

function render(data: DashboardData): void {
  renderKpis(data);
  renderCharts(data, state.all, chartPicks());
  renderMachines(data);
  renderDowntime(data.downtime);
}

/**
 * A failed load clears the figures; after TOO_MANY_REQUESTS the page waits the seconds the server
 * asks for, says so, and loads again.
 */
function failed(error: unknown, what: string): void {
  clearFigures();
  if (error instanceof ApiError && error.code === 'TOO_MANY_REQUESTS') {
    const seconds = Math.max(1, error.retryAfterSeconds ?? 10);
    setStatus(`Too many requests: the server asks to wait ${seconds} s; loading again then.`, true);
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void refresh(), seconds * 1000);
    return;
  }
  setStatus(`Could not load ${what}: ${message(error)}`, true);
}

async function refresh(): Promise<void> {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  if (state.range) Object.assign(state, presetRange(state.range, plantToday()));
  $<HTMLInputElement>('from').value = state.from;
  $<HTMLInputElement>('to').value = state.to;
  $<HTMLSelectElement>('machine').value = state.machine;
  writeUrl();
  renderChips();
  const load = ++loadCounter;
  setStatus('Loading...');
  try {
    const [data] = await Promise.all([
      graphql<DashboardData>(DASHBOARD_QUERY, { ...variables(), reason: state.reason || null }),
      loadIssues(),
    ]);
    if (load !== loadCounter) return; // a newer load is on its way
    lastData = data;
    render(data);
    $('main').classList.remove('stale');
    setStatus(
      `Showing ${state.from} to ${state.to}${state.machine ? ` for ${state.machine}` : ', all machines'}.`,
    );
  } catch (error) {
    if (load === loadCounter) failed(error, 'the data');
  }
}

/** Filters the page to a selection (a click on a chart, a row or a preset) and reloads. */
function select(
  change: Partial<Pick<typeof state, 'from' | 'to' | 'range' | 'machine' | 'reason' | 'type'>>,
): void {
  Object.assign(state, change, { page: 0 });
  void refresh();
}

function chatEntry(role: string, text: string): HTMLLIElement {
  const item = Object.assign(document.createElement('li'), { className: role, textContent: text });
  $('chat-log').append(item);
  return item;
}

/** Why the assistant could not answer, in words for the page (codes as docs/api.md lists them). */
function chatProblem(code: string, message: string, retryAfterSeconds: number | null): string {
  if (code === 'LLM_NOT_CONFIGURED') {
    return 'The assistant is not configured on this server: set OPENAI_API_KEY, OPENAI_BASE_URL or Azure OpenAI variables (see the README).';
  }
  if (code === 'TOO_MANY_REQUESTS') {
    return `Too many questions in a short time: please wait ${retryAfterSeconds ? `${retryAfterSeconds} s` : 'a minute'} and ask again.`;
  }
  return `The assistant could not answer: ${message}`;
}

/**
 * Asks over the chatStream subscription: the tools used are listed as the model calls them and the
 * answer appears as it is written; the final event replaces it with the whole answer.
 */
function ask(event: SubmitEvent): void {
  event.preventDefault();
  const input = $<HTMLTextAreaElement>('chat-input');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  chatEntry('user', text);
  const item = chatEntry('assistant pending', '');
  const answer = item.appendChild(document.createElement('span'));
  const tools = Object.assign(document.createElement('div'), { className: 'tools' });
  const used: string[] = [];
  let ended = false;
  const fail = (message: string) => {
    ended = true;
    item.className = 'error';
    item.replaceChildren(message);
  };
  subscribe<{ chatStream: ChatStreamEvent }>(
    CHAT_STREAM_SUBSCRIPTION,
    { input: { message: text, history: chatHistory } },
    {
      next: ({ chatStream: e }) => {
        if (e.type === 'TOOL_CALL' || (e.type === 'TOOL_RESULT' && e.error)) {
          if (e.type === 'TOOL_CALL') used.push(e.toolName ?? '');
          else used[used.lastIndexOf(e.toolName ?? '')] += ' (error)';
          tools.textContent = `Tools used: ${used.join(', ')}`;
          if (!tools.isConnected) item.append(tools);
        } else if (e.type === 'DELTA') {
          answer.textContent += e.text ?? '';
        } else if (e.type === 'DONE') {
          ended = true;
          chatHistory = e.history ?? chatHistory;
          answer.textContent = e.response ?? '';
          item.className = 'assistant done';
        } else if (e.type === 'ERROR') {
          fail(chatProblem(e.code ?? 'ERROR', e.message ?? '', e.retryAfterSeconds));
        }
      },
      error: (message) => fail(`The assistant could not answer: ${message}`),
      closed: (_completed, reason) => {
        if (ended) return;
        fail(
          reason
            ? `The server closed the connection: ${reason}`
            : 'The connection closed before the answer was complete; please ask again.',
        );
      },
    },
  );
}

/** The URL's view: dates (or a preset), a machine in any letter case, a reason, a defect type. */
function readUrl(setting: Setting): void {
  const params = new URL(location.href).searchParams;
  const range = params.get('range');
  if (PRESETS.includes(range as Preset)) state.range = range as Preset;
  const end = setting.dateRange?.endDate ?? setting.factory.today;
  state.to = params.get('to') ?? end;
  state.from = params.get('from') ?? addDays(state.to, -29);
  const wanted = (params.get('machine') ?? '').trim().toLowerCase();
  state.machine = machineNames.find((name) => name.toLowerCase() === wanted) ?? '';
  state.reason = params.get('reason') ?? '';
  state.type = params.get('type') ?? '';
  state.all = params.get('all') === '1';
}

function listen(): void {
  $('filters').addEventListener('change', () => {
    const from = $<HTMLInputElement>('from').value;
    const to = $<HTMLInputElement>('to').value;
    if (!from || !to) return;
    select({ from, to, range: null, machine: $<HTMLSelectElement>('machine').value });
  });
  $('presets').addEventListener('click', (event) => {
    const preset = (event.target as HTMLElement).closest('button')?.dataset.preset as
      Preset | undefined;
    if (preset) select({ range: preset });
  });
  $('chips').addEventListener('click', (event) => {
    const key = (event.target as HTMLElement).closest('button')?.dataset.clear;
    if (key === 'machine' || key === 'reason' || key === 'type') select({ [key]: '' });
  });
  $('machines').addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const sort = target.closest('button')?.dataset.sort as SortKey | undefined;
    if (sort) {
      const same = state.sort.key === sort;
      // First the worst: lowest ratios, most scrap, most parts; names A to Z.
      state.sort = {
        key: sort,
        descending: same ? !state.sort.descending : sort === 'scrapRate' || sort === 'totalParts',
      };
      if (lastData) renderMachines(lastData);
      return;
    }
    const machine = target.closest('tr')?.dataset.machine;
    if (machine) select({ machine });
  });
  $('machines').addEventListener('keydown', (event) => {
    const machine = (event.target as HTMLElement).closest('tr')?.dataset.machine;
    if (machine && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      select({ machine });
    }
  });
  $('show-all').addEventListener('click', () => {
    state.all = !state.all;
    writeUrl();
    if (lastData) {
      renderCharts(lastData, state.all, chartPicks());
      renderMachines(lastData);
    }
  });
  document.addEventListener('click', (event) => {
    const name = (event.target as HTMLElement).closest<HTMLButtonElement>('button.csv')?.dataset
      .csv;
    if (name && !downloadCsv(name, `${state.from}_${state.to}`)) {
      setStatus('Nothing to download: the data is not loaded.', true);
    }
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
  $('live-all').addEventListener('click', () => {
    liveAll = !liveAll;
    if (liveRows) renderLive(liveRows.shift, liveRows.machines, liveRows.connected);
  });
  $('chat-form').addEventListener('submit', ask);
  $('chat-input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $<HTMLFormElement>('chat-form').requestSubmit();
    }
  });
}

async function start(): Promise<void> {
  const kiosk = new URL(location.href).searchParams.get('kiosk') === '1';
  document.body.classList.toggle('kiosk', kiosk);
  let setting: Setting;
  try {
    setting = await graphql<Setting>(SETTING_QUERY);
  } catch (error) {
    setStatus(`Could not reach the server: ${message(error)}`, true);
    return;
  }
  document.title = `${setting.factory.name} - Factory Agent`;
  $('factory-name').textContent = setting.factory.name;
  timeZone = setting.factory.timeZone;
  const range = setting.dateRange;
  $('data-range').textContent = range
    ? `Data from ${range.startDate} to ${range.endDate} (${range.totalDays} days), time zone ${timeZone}`
    : 'No production data yet.';
  machineNames = setting.machines.map((m) => m.name);
  $<HTMLSelectElement>('machine').append(
    ...setting.machines.map((m) =>
      Object.assign(document.createElement('option'), {
        value: m.name,
        textContent: `${m.name} (${m.type})`,
      }),
    ),
  );
  readUrl(setting);
  listen();
  await refresh();
  if (kiosk) setInterval(() => void refresh(), KIOSK_REFRESH_MS);
}

const STATE_ORDER: Record<string, number> = { STOPPED: 0, RUNNING: 1 };
let liveAll = false;
let liveRows: {
  shift: CurrentShiftData['currentShift'] | null;
  machines: LiveMachine[];
  connected: boolean;
} | null = null;

/**
 * The live shift table: stopped machines first, the first 10 until "show all"; rows change as the
 * subscription updates them.
 */
function renderLive(
  shift: CurrentShiftData['currentShift'] | null,
  machines: LiveMachine[],
  connected: boolean,
): void {
  liveRows = { shift, machines, connected };
  if (shift) {
    const time = (iso: string) => iso.slice(11, 16);
    $('live-shift').textContent =
      `${shift.shift} shift of ${shift.date}, ${time(shift.startsAt)}-${time(shift.endsAt)} UTC`;
  }
  const stopped = machines.filter((m) => m.state === 'STOPPED').length;
  $('live-status').textContent =
    (connected ? 'Live: updated as machines report.' : 'Not connected to live updates; retrying.') +
    (stopped > 0 ? ` ${count(stopped)} of ${count(machines.length)} machines stopped.` : '');
  const sorted = [...machines].sort(
    (a, b) =>
      (STATE_ORDER[a.state ?? ''] ?? 2) - (STATE_ORDER[b.state ?? ''] ?? 2) ||
      a.machine.localeCompare(b.machine, 'en', { numeric: true }),
  );
  const shown = liveAll ? sorted : sorted.slice(0, TOP_MACHINES);
  const tbody = $('live').querySelector('tbody') as HTMLElement;
  tbody.replaceChildren(
    ...shown.map((m) => {
      const tr = document.createElement('tr');
      tr.dataset.machine = m.machine;
      const cells = [
        m.machine,
        m.state ?? 'no signal yet',
        m.since ? m.since.slice(11, 19) : '',
        m.reason ?? '',
        count(m.parts),
        count(m.scrap),
        format(percent(m.oee)),
        format(percent(m.availability)),
      ];
      tr.append(
        ...cells.map((text, i) => {
          const td = document.createElement('td');
          td.textContent = text;
          if (i === 1 && m.state) td.className = m.state;
          else if (i >= 4) td.className = 'number';
          return td;
        }),
      );
      return tr;
    }),
  );
  const toggle = $<HTMLButtonElement>('live-all');
  toggle.hidden = machines.length <= TOP_MACHINES;
  toggle.textContent = liveAll
    ? `Show the first ${TOP_MACHINES} only`
    : `Show all ${count(machines.length)} machines`;
}

window.addEventListener('DOMContentLoaded', () => {
  void start();
  void new LiveShift(renderLive).start().catch((error: unknown) => {
    $('live-status').textContent = `Live shift unavailable: ${message(error)}`;
  });
});
