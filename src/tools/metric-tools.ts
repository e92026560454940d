import { Injectable } from '@nestjs/common';
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { addDays, parseDate, todayIn } from '../common/dates';
import { BadInputError, DomainError } from '../common/errors';
import { round } from '../common/numbers';
import { AppConfig } from '../config/app-config.service';
import { DataService } from '../data/data.service';
import { SEVERITIES, SeverityName } from '../common/severity';
import { MetricsService } from '../metrics/metrics.service';
import { AlertLog } from '../alerts/alert-log';
import { IngestService } from '../ingest/ingest.service';
import { ALERT_RULE_NAMES } from '../config/env';
import { clip } from '../common/text';
import { OeeResult } from '../metrics/metrics.types';
import { MetricsFilter } from '../data/metrics-sums.types';
import { parseSeverity } from '../common/severity';

/** Rows of a list in one tool result (issues, events, machines, reasons); totals cover all. */
const MAX_LISTED = 20;
/** Days in one get_daily_trend answer (a quarter). */
const MAX_DAYS_LISTED = 92;
/** Machines in one page of list_machines. */
export const MACHINES_PER_PAGE = 100;

const dateParameter = (what: string) => ({
  type: 'string',
  description: `${what}, YYYY-MM-DD (inclusive)`,
});
const rangeParameters = {
  start_date: dateParameter('First day'),
  end_date: dateParameter('Last day'),
  machine_name: {
    type: ['string', 'null'],
    description: 'One machine (see list_machines), or null for all machines',
  },
};

type Args = Record<string, unknown>;

/**
 * One tool: its name, what it answers (for the model), its arguments as JSON Schema properties
 * (every one required, null where optional: OpenAI's strict mode), and what it runs.
 */
export interface ToolDefinition {
  name: string;
  description: string;
  properties: Record<string, unknown>;
  run: (args: Args) => Promise<unknown>;
}

/** A tool's arguments as a JSON Schema object. */
export function inputSchema(tool: Pick<ToolDefinition, 'properties'>) {
  return {
    type: 'object' as const,
    properties: tool.properties,
    required: Object.keys(tool.properties),
    additionalProperties: false,
  };
}

const pct = (ratio: number | null) => (ratio === null ? null : round(ratio * 100, 1));

/**
 * The tool registry: every metric as a tool, defined once and served to the chat agent (as OpenAI
 * function tools) and to MCP clients (as MCP tools), so the two can never drift. Each runs
 * MetricsService with the same validation as the GraphQL arguments; results are compact JSON with
 * lists capped (MAX_LISTED, list_machines pages).
 */
@Injectable()
export class MetricTools {
  readonly definitions: ToolDefinition[];

  constructor(
    private readonly metrics: MetricsService,
    private readonly data: DataService,
    private readonly config: AppConfig,
    private readonly alerts: AlertLog,
    private readonly live: IngestService,
  ) {
    const range = (run: (f: MetricsFilter) => Promise<unknown>) => async (args: Args) =>
      run(await this.filter(args, []));
    // The original system's four tools (same names and arguments), two to discover the data, the
    // loss analysis, the comparison, the shift report, the alerts, the running shift and targets.
    this.definitions = [
      {
        name: 'calculate_oee',
        description:
          'OEE (Overall Equipment Effectiveness) with availability, performance and quality, in percent, for a date range; per machine when no machine is given (the 20 with the lowest OEE when there are more).',
        properties: rangeParameters,
        run: range((f) => this.oee(f)),
      },
      {
        name: 'get_scrap_metrics',
        description:
          'Scrap parts and scrap rate (percent) for a date range against the scrap-rate target (at most), per machine when no machine is given (the 20 with the highest scrap rate when there are more).',
        properties: rangeParameters,
        run: range((f) => this.scrap(f)),
      },
      {
        name: 'get_quality_issues',
        description:
          'Quality issues (defects) for a date range: counts by severity, the defect Pareto by type and by machine (most parts affected first, with the cumulative share) and the newest issues.',
        properties: {
          ...rangeParameters,
          severity: {
            type: ['string', 'null'],
            enum: [...SEVERITIES, null],
            description: 'Only this severity, or null for all',
          },
        },
        run: async (args) =>
          this.quality(await this.filter(args, ['severity']), parseSeverity(args.severity)),
      },
      {
        name: 'get_downtime_analysis',
        description:
          'Downtime for a date range: total, planned and unplanned hours, hours by reason, by machine and by shift, major events, failures, MTBF and MTTR.',
        properties: rangeParameters,
        run: range((f) => this.downtime(f)),
      },
      {
        name: 'get_oee_losses',
        description:
          'Where planned busy time went, in hours: valuable operating time and the availability, performance and quality losses (they add up to planned busy time), unplanned downtime by reason, and the six big losses. For a date range, optionally one machine and one shift.',
        properties: {
          ...rangeParameters,
          shift: {
            type: ['string', 'null'],
            description: 'One shift by name, or null for all shifts',
          },
        },
        run: async (args) => {
          const f = await this.filter(args, ['shift']);
          if (args.shift !== undefined && args.shift !== null && typeof args.shift !== 'string') {
            throw new BadInputError('shift must be a shift name or null');
          }
          const shift =
            typeof args.shift === 'string' ? await this.metrics.resolveShift(args.shift) : null;
          return this.losses(f, shift);
        },
      },
      {
        name: 'get_daily_trend',
        description: `OEE, availability, performance, quality, parts and scrap rate day by day over a date range (the newest ${MAX_DAYS_LISTED} days when the range has more): "is it getting better or worse, and since when".`,
        properties: rangeParameters,
        run: range((f) => this.dailyTrend(f)),
      },
      {
        name: 'get_oee_by_shift',
        description:
          'OEE, availability, performance, quality, parts and scrap rate per shift over a date range, with the shift calendar: "which shift does worse".',
        properties: rangeParameters,
        run: range((f) => this.byShift(f)),
      },
      {
        name: 'compare_periods',
        description:
          'OEE, availability, performance, quality, scrap rate and downtime of a date range against the previous range of the same length, with the change (current - previous): "is it getting better".',
        properties: rangeParameters,
        run: range((f) => this.comparison(f)),
      },
      {
        name: 'get_shift_report',
        description:
          "A date's shift report: each shift's OEE figures in total and per machine, its largest losses, unplanned downtime reasons and major events.",
        properties: {
          date: {
            type: ['string', 'null'],
            description: 'The date, YYYY-MM-DD, or null for yesterday in the plant',
          },
        },
        run: (args) => this.shiftReport(args),
      },
      {
        name: 'get_alerts',
        description:
          'Alerts the plant raised (newest first): shift OEE below target, downtime events longer than the major-event threshold, machine-days with scrap above target; optionally of one machine or rule.',
        properties: {
          machine_name: {
            type: ['string', 'null'],
            description: 'One machine (see list_machines), or null for all machines',
          },
          rule: {
            type: ['string', 'null'],
            enum: [...ALERT_RULE_NAMES, null],
            description: 'One rule, or null for all',
          },
        },
        run: (args) => this.alertList(args),
      },
      {
        name: 'get_current_shift',
        description:
          "The running shift right now, from live machine signals: each machine's state (running or stopped, since when, why), parts, scrap, OEE and availability so far; stopped machines first.",
        properties: {
          machine_name: {
            type: ['string', 'null'],
            description: 'One machine (see list_machines), or null for all machines',
          },
        },
        run: (args) => this.currentShift(args),
      },
      {
        name: 'get_targets',
        description:
          "The targets figures are held to: the plant's (OEE, availability, performance, quality in percent, at least; scrap rate in percent, at most) and a machine's own where it has them.",
        properties: {
          machine_name: {
            type: ['string', 'null'],
            description:
              'One machine, or null for the plant and every machine with targets of its own',
          },
        },
        run: (args) => this.targets(args),
      },
      {
        name: 'list_machines',
        description: `The machines of the plant with their types and ideal cycle times, a page at a time (at most ${MACHINES_PER_PAGE}).`,
        properties: {
          offset: { type: ['integer', 'null'], description: 'Machines to skip (null: 0)' },
          limit: {
            type: ['integer', 'null'],
            description: `Machines to list, 1-${MACHINES_PER_PAGE} (null: ${MACHINES_PER_PAGE})`,
          },
        },
        run: (args) => this.machines(args),
      },
      {
        name: 'get_data_range',
        description: 'The first and last day that have production data.',
        properties: {},
        run: (args) => this.dataRange(args),
      },
    ];
  }

  /**
   * Runs a tool with arguments as JSON text (the chat model's) or an object (an MCP client's).
   * Never throws for a caller's mistake (an unknown tool, a bad argument, an unknown machine): it
   * comes back as an `{ error }` result with the same message as GraphQL gives.
   */
  async run(
    name: string,
    rawArguments: string | Record<string, unknown> | undefined,
  ): Promise<{ result: unknown; error: string | null }> {
    try {
      const args =
        typeof rawArguments === 'string' ? parseArguments(rawArguments) : checked(rawArguments);
      const tool = this.definitions.find((t) => t.name === name);
      if (!tool) {
        throw new BadInputError(
          `Unknown tool "${clip(name)}". Available tools: ${this.definitions.map((t) => t.name).join(', ')}`,
        );
      }
      return { result: await tool.run(args), error: null };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { result: { error: error.message }, error: error.message };
    }
  }

  /** The tools for the OpenAI chat completions API, in strict mode. */
  openAiTools(): ChatCompletionFunctionTool[] {
    return this.definitions.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        description: tool.description,
        strict: true,
        parameters: inputSchema(tool),
      },
    }));
  }

  private async currentShift(args: Args) {
    const machine = await this.optionalMachine(args);
    const now = await this.live.currentShift(machine ? [machine] : undefined);
    const order = (state: string | null) => (state === 'STOPPED' ? 0 : state === 'RUNNING' ? 1 : 2);
    const machines = [...now.machines].sort((a, b) => order(a.state) - order(b.state));
    return {
      date: now.date,
      shift: now.shift,
      starts_at: now.startsAt,
      ends_at: now.endsAt,
      stopped_machines: machines.filter((m) => m.state === 'STOPPED').length,
      machines: machines.slice(0, MAX_LISTED).map((m) => ({
        machine: m.machine,
        state: m.state ?? 'no signal yet',
        since: m.since,
        reason: m.reason,
        parts: m.parts,
        scrap: m.scrap,
        oee_percent: pct(m.oee),
        availability_percent: pct(m.availability),
      })),
      ...(machines.length > MAX_LISTED
        ? { machines_not_listed: machines.length - MAX_LISTED }
        : {}),
    };
  }

  private async targets(args: Args) {
    const machine = await this.optionalMachine(args);
    const { plant, machines } = await this.metrics.targets();
    const percent = (t: {
      oee: number | null;
      availability: number | null;
      performance: number | null;
      quality: number | null;
      scrapRate: number | null;
    }) => ({
      oee_percent: pct(t.oee),
      availability_percent: pct(t.availability),
      performance_percent: pct(t.performance),
      quality_percent: pct(t.quality),
      max_scrap_rate_percent: t.scrapRate,
    });
    const own = machines.filter((m) => machine === null || m.machine === machine);
    return {
      plant: percent(plant),
      machines_with_own_targets: own.slice(0, MAX_LISTED).map((m) => ({
        machine: m.machine,
        ...percent(m),
      })),
      ...omitted('machines', own),
      note: 'A null figure of a machine follows the plant target.',
    };
  }

  /** The machine_name argument (the only one), resolved in any letter case; null for all. */
  private async optionalMachine(args: Args): Promise<string | null> {
    expectKeys(args, ['machine_name']);
    const name = args.machine_name;
    if (name === undefined || name === null) return null;
    if (typeof name !== 'string')
      throw new BadInputError('machine_name must be a machine name or null');
    return (await this.metrics.resolveMachine(name)).name;
  }

  private async dataRange(args: Args) {
    expectKeys(args, []);
    const stats = await this.metrics.datasetStats();
    return stats.exists
      ? {
          start_date: stats.startDate,
          end_date: stats.endDate,
          total_days: stats.totalDays,
          days_with_data: stats.daysWithData,
        }
      : { error: 'There is no production data yet.' };
  }

  private async alertList(args: Args) {
    expectKeys(args, ['machine_name', 'rule']);
    for (const key of ['machine_name', 'rule'] as const) {
      if (args[key] !== undefined && args[key] !== null && typeof args[key] !== 'string') {
        throw new BadInputError(`${key} must be a string or null`);
      }
    }
    const { total, alerts } = await this.alerts.alerts(
      { machine: args.machine_name as string | null, rule: args.rule as string | null },
      { limit: MAX_LISTED, offset: 0 },
    );
    return {
      total_alerts: total,
      alerts: alerts.map((a) => ({
        rule: a.rule,
        machine: a.machine,
        date: a.date,
        shift: a.shift,
        message: a.message,
        raised_at: a.raisedAt,
      })),
      ...(total > alerts.length ? { alerts_not_listed: total - alerts.length } : {}),
    };
  }

  /** A page of machines; `next_offset` says where the next page starts, when there is one. */
  private async machines(args: Args) {
    expectKeys(args, ['offset', 'limit']);
    const offset = wholeArgument(args.offset, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const limit = wholeArgument(args.limit, 'limit', 1, MACHINES_PER_PAGE) ?? MACHINES_PER_PAGE;
    const all = await this.data.listMachines();
    const page = all.slice(offset, offset + limit);
    return {
      total_machines: all.length,
      offset,
      machines: page.map((m) => ({
        name: m.name,
        type: m.type,
        ideal_cycle_time_s: m.idealCycleTimeSeconds,
      })),
      ...(offset + page.length < all.length ? { next_offset: offset + page.length } : {}),
    };
  }

  private async filter(args: Args, extraKeys: string[]): Promise<MetricsFilter> {
    expectKeys(args, ['start_date', 'end_date', 'machine_name', ...extraKeys]);
    const machine = args.machine_name;
    if (machine !== undefined && machine !== null && typeof machine !== 'string') {
      throw new BadInputError('machine_name must be a machine name or null');
    }
    return this.metrics.resolveFilter(
      parseDate(args.start_date),
      parseDate(args.end_date),
      machine,
    );
  }

  private async oee(f: MetricsFilter) {
    const [total, byMachine, warnings] = await Promise.all([
      this.metrics.oee(f),
      f.machine ? Promise.resolve([]) : this.metrics.oeeByMachine(f),
      this.metrics.oeeWarnings(f),
    ]);
    const figures = (o: typeof total) => ({
      oee_percent: pct(o.oee),
      availability_percent: pct(o.availability),
      performance_percent: pct(o.performance),
      quality_percent: pct(o.quality),
      total_parts: o.totalParts,
      good_parts: o.goodParts,
    });
    // Targets the figures are held to, and which of them are missed (targets read once).
    const check = await this.metrics.targetChecker();
    const versus = (o: typeof total, machine: string | null) => {
      const t = check(o, machine);
      const missed = (
        [
          ['oee', t.oeeMet],
          ['availability', t.availabilityMet],
          ['performance', t.performanceMet],
          ['quality', t.qualityMet],
          ['scrap_rate', t.scrapRateMet],
        ] as const
      )
        .filter(([, met]) => met === false)
        .map(([name]) => name);
      return {
        targets: {
          oee_percent: pct(t.oee),
          availability_percent: pct(t.availability),
          performance_percent: pct(t.performance),
          quality_percent: pct(t.quality),
          max_scrap_rate_percent: t.scrapRate,
        },
        below_target: missed,
      };
    };
    const listed = worstFirst(byMachine, (a, b) => (a.oee ?? 1) - (b.oee ?? 1));
    const machines = listed.rows.map((m) => ({
      machine: m.machine,
      ...figures(m),
      below_target: versus(m, m.machine).below_target,
    }));
    return {
      ...range(f),
      ...figures(total),
      ...versus(total, f.machine?.name ?? null),
      scrap_parts: total.scrapParts,
      run_hours: total.runHours,
      planned_busy_hours: total.plannedBusyHours,
      ...(machines.length > 0 ? { by_machine: machines } : {}),
      ...notListed(listed, 'machines', 'lowest OEE first'),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  private async dailyTrend(f: MetricsFilter) {
    const days = await this.metrics.oeeDaily(f);
    const listed = days.slice(-MAX_DAYS_LISTED);
    return {
      ...range(f),
      days: listed.map((d) => ({ date: d.date, ...this.trendFigures(d) })),
      ...(days.length > listed.length
        ? { days_not_listed: days.length - listed.length, listed_order: 'newest days' }
        : {}),
    };
  }

  /** A row of a trend: the OEE figures in percent, parts and the scrap rate. */
  private trendFigures(o: OeeResult) {
    return {
      oee_percent: pct(o.oee),
      availability_percent: pct(o.availability),
      performance_percent: pct(o.performance),
      quality_percent: pct(o.quality),
      total_parts: o.totalParts,
      scrap_rate_percent: this.metrics.scrapFromSums({ scrap: o.scrapParts, parts: o.totalParts })
        .scrapRate,
    };
  }

  private async byShift(f: MetricsFilter) {
    const [rows, shifts] = await Promise.all([this.metrics.oeeByShift(f), this.data.listShifts()]);
    return {
      ...range(f),
      shifts: shifts.map((s) => {
        const figures = rows.find((r) => r.shift === s.name);
        return {
          shift: s.name,
          starts: s.startTime,
          ends: s.endTime,
          ...(figures ? this.trendFigures(figures) : { no_production: true }),
        };
      }),
    };
  }

  private async scrap(f: MetricsFilter) {
    const [total, byMachine] = await Promise.all([
      this.metrics.scrap(f),
      f.machine ? Promise.resolve([]) : this.metrics.scrapByMachine(f),
    ]);
    const listed = worstFirst(byMachine, (a, b) => (b.scrapRate ?? 0) - (a.scrapRate ?? 0));
    const check = await this.metrics.scrapTargetChecker();
    const target = check(total, f.machine?.name ?? null);
    const machines = listed.rows.map((m) => ({
      machine: m.machine,
      scrap_parts: m.scrapParts,
      scrap_rate_percent: m.scrapRate,
      above_target: check(m, m.machine).met === false,
    }));
    return {
      ...range(f),
      total_scrap: total.scrapParts,
      total_parts: total.totalParts,
      scrap_rate_percent: total.scrapRate,
      max_scrap_rate_percent: target.scrapRate,
      above_target: target.met === false,
      ...(byMachine.length > 0 ? { scrap_by_machine: machines } : {}),
      ...notListed(listed, 'machines', 'highest scrap rate first'),
    };
  }

  private async losses(f: MetricsFilter, shift: string | null) {
    const losses = await this.metrics.losses(f, shift);
    const reasons = (rows: typeof losses.availabilityLossByReason) =>
      rows.slice(0, MAX_LISTED).map((r) => ({
        reason: r.reason,
        hours: r.hours,
        events: r.events,
        cumulative_share_percent: pct(r.cumulativeShare),
      }));
    return {
      ...range(f),
      shift: shift ?? 'all shifts',
      planned_busy_hours: losses.plannedBusyHours,
      valuable_operating_hours: losses.valuableOperatingHours,
      availability_loss_hours: losses.availabilityLossHours,
      performance_loss_hours: losses.performanceLossHours,
      quality_loss_hours: losses.qualityLossHours,
      planned_downtime_hours: losses.plannedDowntimeHours,
      unplanned_downtime_by_reason: reasons(losses.availabilityLossByReason),
      six_big_losses: losses.sixBigLosses.map((l) => ({
        loss: l.loss,
        category: l.category,
        hours: l.hours,
        note: l.note,
      })),
      ...(losses.warnings.length > 0 ? { warnings: losses.warnings } : {}),
    };
  }

  private async shiftReport(args: Args) {
    expectKeys(args, ['date']);
    const date =
      args.date === undefined || args.date === null
        ? addDays(todayIn(this.config.timeZone), -1)
        : parseDate(args.date);
    const report = await this.metrics.shiftReport(date);
    const figures = (o: OeeResult) => ({
      oee_percent: pct(o.oee),
      availability_percent: pct(o.availability),
      performance_percent: pct(o.performance),
      quality_percent: pct(o.quality),
      total_parts: o.totalParts,
      scrap_parts: o.scrapParts,
    });
    const event = (e: (typeof report.majorEventsWithoutShift)[number]) => ({
      machine: e.machine,
      reason: e.reason,
      description: e.description,
      hours: e.durationHours,
    });
    return {
      date,
      shifts: report.shifts.map((s) => {
        const listed = worstFirst(s.machines, (a, b) => (a.oee ?? 1) - (b.oee ?? 1));
        return {
          shift: s.shift,
          ...figures(s),
          machines: listed.rows.map((m) => ({ machine: m.machine, ...figures(m) })),
          ...notListed(listed, 'machines', 'lowest OEE first'),
          largest_losses: s.topLosses.map((l) => ({ loss: l.loss, hours: l.hours })),
          unplanned_downtime: s.topReasons.map((r) => ({ reason: r.reason, hours: r.hours })),
          major_events: s.majorEvents.slice(0, MAX_LISTED).map(event),
          ...omitted('major_events', s.majorEvents),
        };
      }),
      ...(report.majorEventsWithoutShift.length > 0
        ? {
            major_events_without_shift: report.majorEventsWithoutShift
              .slice(0, MAX_LISTED)
              .map(event),
          }
        : {}),
    };
  }

  private async comparison(f: MetricsFilter) {
    const c = await this.metrics.comparison(f);
    // Changes of ratios are in percentage points.
    const figures = (p: typeof c.change) => ({
      oee_percent: pct(p.oee),
      availability_percent: pct(p.availability),
      performance_percent: pct(p.performance),
      quality_percent: pct(p.quality),
      scrap_rate_percent: p.scrapRate,
      downtime_hours: p.downtimeHours,
      unplanned_downtime_hours: p.unplannedDowntimeHours,
    });
    return {
      ...range(f),
      previous_start_date: c.previousStartDate,
      previous_end_date: c.previousEndDate,
      current: figures(c.current),
      previous: figures(c.previous),
      change_in_points_or_hours: figures(c.change),
    };
  }

  private async quality(f: MetricsFilter, severity: SeverityName | null) {
    const [summary, issues, byType, byMachine] = await Promise.all([
      this.metrics.qualitySummary(f, severity),
      this.metrics.qualityIssues(f, severity, { limit: MAX_LISTED, offset: 0 }),
      this.metrics.defects(f, severity, 'type'),
      f.machine ? Promise.resolve([]) : this.metrics.defects(f, severity, 'machine'),
    ]);
    const pareto = (rows: typeof byType, key: 'type' | 'machine') =>
      rows.slice(0, MAX_LISTED).map((t) => ({
        [key]: t.key,
        issues: t.count,
        parts_affected: t.partsAffected,
        cumulative_share_percent: pct(t.cumulativeShare),
      }));
    return {
      ...range(f),
      ...(severity ? { severity } : {}),
      total_issues: summary.totalIssues,
      total_parts_affected: summary.totalPartsAffected,
      severity_breakdown: Object.fromEntries(
        summary.severityBreakdown.map((s) => [s.severity, s.count]),
      ),
      defects_by_type: pareto(byType, 'type'),
      ...omitted('types', byType),
      ...(byMachine.length > 0 ? { defects_by_machine: pareto(byMachine, 'machine') } : {}),
      ...omitted('machines', byMachine),
      newest_issues: issues.map((i) => ({
        date: i.date,
        machine: i.machine,
        type: i.type,
        severity: i.severity,
        parts_affected: i.partsAffected,
        description: i.description,
      })),
      ...(summary.totalIssues > issues.length
        ? { issues_not_listed: summary.totalIssues - issues.length }
        : {}),
    };
  }

  private async downtime(f: MetricsFilter) {
    const [totals, byReason, major, byMachine, byShift] = await Promise.all([
      this.metrics.downtime(f),
      this.metrics.downtimeByReason(f),
      this.metrics.majorEvents(f, { limit: MAX_LISTED, offset: 0 }),
      f.machine ? Promise.resolve([]) : this.metrics.downtimeByMachine(f),
      this.metrics.downtimeByShift(f),
    ]);
    const shares = (rows: typeof byShift) =>
      rows.slice(0, MAX_LISTED).map((r) => ({
        name: r.key,
        unplanned_hours: r.unplannedDowntimeHours,
        planned_hours: r.plannedDowntimeHours,
        cumulative_share_percent: pct(r.cumulativeShare),
      }));
    return {
      ...range(f),
      total_downtime_hours: totals.totalDowntimeHours,
      planned_downtime_hours: totals.plannedDowntimeHours,
      unplanned_downtime_hours: totals.unplannedDowntimeHours,
      downtime_by_reason: byReason.slice(0, MAX_LISTED).map((r) => ({
        reason: r.reason,
        hours: r.hours,
        events: r.events,
        planned: r.planned,
        cumulative_share_percent: pct(r.cumulativeShare),
      })),
      ...omitted('reasons', byReason),
      major_events: major.map((e) => ({
        date: e.date,
        machine: e.machine,
        reason: e.reason,
        description: e.description,
        hours: e.durationHours,
      })),
      ...(byMachine.length > 0 ? { downtime_by_machine: shares(byMachine) } : {}),
      ...omitted('machines', byMachine),
      downtime_by_shift: shares(byShift),
      failures: totals.failures,
      mtbf_hours: totals.mtbfHours,
      mttr_hours: totals.mttrHours,
    };
  }
}

/**
 * A per-machine list for the model: the whole list (in its order) when it is short, else the
 * MAX_LISTED worst by `worse`, so a plant of 1,000 machines answers with the ones to look at.
 */
function worstFirst<T>(rows: T[], worse: (a: T, b: T) => number): { rows: T[]; omitted: number } {
  if (rows.length <= MAX_LISTED) return { rows, omitted: 0 };
  return { rows: [...rows].sort(worse).slice(0, MAX_LISTED), omitted: rows.length - MAX_LISTED };
}

/** How many rows of a Pareto (most first) the list of MAX_LISTED left out, when it left any. */
function omitted(what: string, rows: unknown[]) {
  return rows.length > MAX_LISTED ? { [`${what}_not_listed`]: rows.length - MAX_LISTED } : {};
}

/** Says how many rows a capped list left out, and in which order it lists the rest. */
function notListed(list: { omitted: number }, what: string, order: string) {
  return list.omitted > 0 ? { [`${what}_not_listed`]: list.omitted, listed_order: order } : {};
}

function range(f: MetricsFilter) {
  return {
    start_date: f.startDate,
    end_date: f.endDate,
    machine: f.machine?.name ?? 'all machines',
  };
}

/** Arguments given as an object (MCP): an object, or nothing. */
function checked(args: Record<string, unknown> | undefined): Args {
  if (args === undefined || args === null) return {};
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw new BadInputError('The tool arguments must be a JSON object');
  }
  return args;
}

function parseArguments(raw: string): Args {
  let parsed: unknown;
  try {
    parsed = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw new BadInputError(`The tool arguments are not valid JSON: ${raw.slice(0, 200)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadInputError('The tool arguments must be a JSON object');
  }
  return parsed as Args;
}

/** An optional whole-number argument from the model; null or absent gives null. */
function wholeArgument(value: unknown, name: string, min: number, max: number): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BadInputError(`${name} must be a whole number from ${min} to ${max}, or null`);
  }
  return value;
}

function expectKeys(args: Args, allowed: string[]): void {
  const unknown = Object.keys(args).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new BadInputError(
      `Unknown argument(s): ${unknown.join(', ')}. Allowed: ${allowed.join(', ') || 'none'}`,
    );
  }
}
