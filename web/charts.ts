/**
 * The dashboard's charts (Chart.js, loaded from /vendor as a UMD global). Each chart keeps the data
 * it shows for its CSV button and calls `pick` with the label a user selects (a day, a machine, a
 * reason, a defect type), which filters the page to it. Rates start at 0.
 */
import type { DashboardData, IssuesPage } from './api.js';
import { setCsv } from './csv.js';

interface ChartInstance {
  destroy(): void;
}
declare const Chart: new (canvas: HTMLCanvasElement, config: unknown) => ChartInstance;

/** Machines a per-machine chart shows until "show all". */
export const TOP_MACHINES = 10;
/** Height of one bar of a horizontal chart, so labels stay readable with 200 machines. */
const BAR_PX = 22;

export const BAND_COLORS: Record<string, string> = {
  red: '#c62828',
  amber: '#f9a825',
  green: '#2e7d32',
  none: '#546e7a',
};
/** Points below its target within which a figure is amber rather than red. */
const NEAR_TARGET = 10;

const charts = new Map<string, ChartInstance>();

export const percent = (value: number | null) =>
  value === null ? null : Math.round(value * 1000) / 10;

/**
 * Colour by the figure's own target (both in percent): green at or above it, amber up to 10 points
 * below, red further below; grey without production. A 98% quality against a 99% target is amber.
 */
export function band(value: number | null, target: number): string {
  if (value === null) return 'none';
  return value >= target ? 'green' : value >= target - NEAR_TARGET ? 'amber' : 'red';
}

type Pick = (label: string) => void;

function draw(
  id: string,
  type: string,
  labels: string[],
  datasets: unknown[],
  options: Record<string, unknown> = {},
  pick?: Pick,
): void {
  charts.get(id)?.destroy();
  const canvas = document.getElementById(id) as HTMLCanvasElement;
  canvas.dataset.points = String(labels.length);
  const horizontal = options.indexAxis === 'y';
  const box = canvas.parentElement as HTMLElement;
  box.style.height = horizontal ? `${Math.max(200, labels.length * BAR_PX + 60)}px` : '';
  charts.set(
    id,
    new Chart(canvas, {
      type,
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1 } },
        onClick: (_event: unknown, elements: { index: number }[]) => {
          if (pick && elements.length > 0) pick(labels[elements[0].index]);
        },
        onHover: (event: { native?: { target?: HTMLElement } }, elements: unknown[]) => {
          if (event.native?.target) {
            event.native.target.style.cursor = pick && elements.length > 0 ? 'pointer' : '';
          }
        },
        ...options,
      },
    }),
  );
}

/** Removes every chart (after a failed load: no figure stays on screen that is not current). */
export function clearCharts(): void {
  for (const [id, chart] of charts) {
    chart.destroy();
    (document.getElementById(id) as HTMLCanvasElement).dataset.points = '0';
  }
  charts.clear();
}

const rateAxis = (axis: 'x' | 'y') => ({ scales: { [axis]: { beginAtZero: true } } });

export interface ChartPicks {
  day: Pick;
  machine: Pick;
  reason: Pick;
  type: Pick;
}

/** Every chart but the defect Pareto (which follows the severity filter, with the issue list). */
export function renderCharts(data: DashboardData, showAll: boolean, picks: ChartPicks): void {
  const { oee, scrap, downtime, losses } = data;
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
    rateAxis('y'),
    picks.day,
  );
  setCsv('oee-daily', {
    headers: ['date', 'oee', 'availability', 'performance', 'quality'],
    rows: oee.daily.map((d) => [d.date, d.oee, d.availability, d.performance, d.quality]),
  });

  renderLosses(losses);

  const worst = [...oee.byMachine].sort((a, b) => (a.oee ?? -1) - (b.oee ?? -1));
  const machines = showAll ? worst : worst.slice(0, TOP_MACHINES);
  title('oee-machine-title', 'OEE by machine, worst first', machines.length, worst.length);
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
    { indexAxis: 'y', ...rateAxis('x') },
    picks.machine,
  );
  setCsv('oee-machine', {
    headers: ['machine', 'oee', 'oee_target'],
    rows: worst.map((m) => [m.machine, m.oee, m.target.oee]),
  });

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
    rateAxis('y'),
  );
  setCsv('oee-shift', {
    headers: ['shift', 'oee', 'availability', 'performance', 'quality'],
    rows: oee.byShift.map((s) => [s.shift, s.oee, s.availability, s.performance, s.quality]),
  });

  const reasons = downtime.downtimeByReason;
  draw(
    'chart-downtime',
    'bar',
    reasons.map((r) => r.reason),
    [
      {
        label: 'Hours',
        data: reasons.map((r) => r.hours),
        backgroundColor: reasons.map((r) => (r.planned ? '#9e9e9e' : '#c62828')),
      },
    ],
    rateAxis('y'),
    picks.reason,
  );
  setCsv('downtime', {
    headers: ['reason', 'hours', 'planned'],
    rows: reasons.map((r) => [r.reason, r.hours, r.planned ? 'yes' : 'no']),
  });

  const byMachine = showAll ? downtime.byMachine : downtime.byMachine.slice(0, TOP_MACHINES);
  title(
    'downtime-machine-title',
    'Unplanned downtime by machine (hours)',
    byMachine.length,
    downtime.byMachine.length,
  );
  draw(
    'chart-downtime-machine',
    'bar',
    byMachine.map((m) => m.machine as string),
    [
      {
        label: 'Unplanned h',
        data: byMachine.map((m) => m.unplannedDowntimeHours),
        backgroundColor: '#c62828',
      },
      {
        label: 'Planned h',
        data: byMachine.map((m) => m.plannedDowntimeHours),
        backgroundColor: '#9e9e9e',
      },
    ],
    { indexAxis: 'y', ...rateAxis('x') },
    picks.machine,
  );
  setCsv('downtime-machine', {
    headers: ['machine', 'unplanned_hours', 'planned_hours', 'cumulative_share'],
    rows: downtime.byMachine.map((m) => [
      m.machine as string,
      m.unplannedDowntimeHours,
      m.plannedDowntimeHours,
      m.cumulativeShare,
    ]),
  });
  draw(
    'chart-downtime-shift',
    'bar',
    downtime.byShift.map((s) => s.shift as string),
    [
      {
        label: 'Unplanned h',
        data: downtime.byShift.map((s) => s.unplannedDowntimeHours),
        backgroundColor: '#c62828',
      },
      {
        label: 'Planned h',
        data: downtime.byShift.map((s) => s.plannedDowntimeHours),
        backgroundColor: '#9e9e9e',
      },
    ],
    rateAxis('y'),
  );
  setCsv('downtime-shift', {
    headers: ['shift', 'unplanned_hours', 'planned_hours', 'cumulative_share'],
    rows: downtime.byShift.map((s) => [
      s.shift as string,
      s.unplannedDowntimeHours,
      s.plannedDowntimeHours,
      s.cumulativeShare,
    ]),
  });

  const scrapTarget = oee.target.scrapRate;
  draw(
    'chart-scrap-daily',
    'line',
    scrap.daily.map((d) => d.date),
    [
      { label: 'Scrap %', data: scrap.daily.map((d) => d.scrapRate), borderColor: '#ef6c00' },
      {
        label: `Target ${scrapTarget}%`,
        data: scrap.daily.map(() => scrapTarget),
        borderDash: [6, 4],
        borderColor: '#2e7d32',
        pointRadius: 0,
      },
    ],
    rateAxis('y'),
    picks.day,
  );
  setCsv('scrap-daily', {
    headers: ['date', 'scrap_rate_percent'],
    rows: scrap.daily.map((d) => [d.date, d.scrapRate]),
  });
  const scrapWorst = [...(scrap.scrapByMachine ?? [])].sort(
    (a, b) => (b.scrapRate ?? -1) - (a.scrapRate ?? -1),
  );
  const scrapShown = showAll ? scrapWorst : scrapWorst.slice(0, TOP_MACHINES);
  title('scrap-machine-title', 'Scrap rate by machine (%)', scrapShown.length, scrapWorst.length);
  draw(
    'chart-scrap-machine',
    'bar',
    scrapShown.map((m) => m.machine),
    [{ label: 'Scrap %', data: scrapShown.map((m) => m.scrapRate), backgroundColor: '#ef6c00' }],
    { indexAxis: 'y', ...rateAxis('x') },
    picks.machine,
  );
  setCsv('scrap-machine', {
    headers: ['machine', 'scrap_rate_percent'],
    rows: scrapWorst.map((m) => [m.machine, m.scrapRate]),
  });
}

/**
 * The loss waterfall: planned busy time, minus the availability, performance and quality losses,
 * leaves valuable operating time (the server's figures; the steps add up to 0.01 h).
 */
function renderLosses(losses: DashboardData['losses']): void {
  const busy = losses.plannedBusyHours;
  const afterA = busy - losses.availabilityLossHours;
  const afterP = afterA - losses.performanceLossHours;
  const valuable = losses.valuableOperatingHours;
  const steps: [string, [number, number], string, number][] = [
    ['Planned busy', [0, busy], '#1565c0', busy],
    ['Availability loss', [afterA, busy], '#c62828', losses.availabilityLossHours],
    ['Performance loss', [afterP, afterA], '#ef6c00', losses.performanceLossHours],
    ['Quality loss', [valuable, afterP], '#8e24aa', losses.qualityLossHours],
    ['Valuable operating', [0, valuable], '#2e7d32', valuable],
  ];
  draw(
    'chart-losses',
    'bar',
    steps.map(([label]) => label),
    [
      {
        label: 'Hours',
        data: steps.map(([, range]) => range),
        backgroundColor: steps.map(([, , color]) => color),
      },
    ],
    rateAxis('y'),
  );
  setCsv('losses', {
    headers: ['part', 'hours'],
    rows: steps.map(([label, , , hours]) => [label, Math.round(hours * 100) / 100]),
  });
}

/** The defect Pareto: parts affected per type, most first, and the cumulative share. */
export function renderDefects(byType: IssuesPage['qualityIssues']['byType'], pick: Pick): void {
  draw(
    'chart-defects',
    'bar',
    byType.map((t) => t.type),
    [
      {
        type: 'bar',
        label: 'Parts affected',
        data: byType.map((t) => t.partsAffected),
        backgroundColor: '#6d4c41',
        yAxisID: 'y',
        order: 1,
      },
      {
        type: 'line',
        label: 'Cumulative %',
        data: byType.map((t) => Math.round(t.cumulativeShare * 1000) / 10),
        borderColor: '#1c2430',
        yAxisID: 'share',
        order: 0,
      },
    ],
    {
      scales: {
        y: { beginAtZero: true },
        share: { beginAtZero: true, max: 100, position: 'right', grid: { drawOnChartArea: false } },
      },
    },
    pick,
  );
  setCsv('defects', {
    headers: ['type', 'issues', 'parts_affected', 'cumulative_share'],
    rows: byType.map((t) => [t.type, t.count, t.partsAffected, t.cumulativeShare]),
  });
}

function title(id: string, text: string, shown: number, total: number): void {
  (document.getElementById(id) as HTMLElement).textContent =
    shown < total ? `${text}: ${shown} of ${total}` : text;
}
