import { Injectable } from '@nestjs/common';
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { parseDate } from '../common/dates';
import { BadInputError, DomainError } from '../common/errors';
import { round } from '../common/numbers';
import { DataService } from '../data/data.service';
import { SEVERITIES, SeverityName } from '../common/severity';
import { MetricsService } from '../metrics/metrics.service';
import { MetricsFilter } from '../data/metrics-sums.types';
import { parseSeverity } from '../common/severity';

/** Issues and events listed in one tool result; the totals always cover all of them. */
const MAX_LISTED = 20;
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

function tool(
  name: string,
  description: string,
  properties: Record<string, unknown>,
): ChatCompletionFunctionTool {
  return {
    type: 'function',
    function: {
      name,
      description,
      strict: true,
      parameters: {
        type: 'object',
        properties,
        required: Object.keys(properties),
        additionalProperties: false,
      },
    },
  };
}

/** The original system's four tools (same names and arguments) plus two to discover the data. */
export const CHAT_TOOLS: ChatCompletionFunctionTool[] = [
  tool(
    'calculate_oee',
    'OEE (Overall Equipment Effectiveness) with availability, performance and quality, in percent, for a date range; per machine when no machine is given.',
    rangeParameters,
  ),
  tool(
    'get_scrap_metrics',
    'Scrap parts and scrap rate (percent) for a date range, per machine when no machine is given.',
    rangeParameters,
  ),
  tool(
    'get_quality_issues',
    'Quality issues (defects) for a date range: counts by severity and the newest issues.',
    {
      ...rangeParameters,
      severity: {
        type: ['string', 'null'],
        enum: [...SEVERITIES, null],
        description: 'Only this severity, or null for all',
      },
    },
  ),
  tool(
    'get_downtime_analysis',
    'Downtime for a date range: total, planned and unplanned hours, hours by reason, major events, failures, MTBF and MTTR.',
    rangeParameters,
  ),
  tool(
    'list_machines',
    `The machines of the plant with their types and ideal cycle times, a page at a time (at most ${MACHINES_PER_PAGE}).`,
    {
      offset: { type: ['integer', 'null'], description: 'Machines to skip (null: 0)' },
      limit: {
        type: ['integer', 'null'],
        description: `Machines to list, 1-${MACHINES_PER_PAGE} (null: ${MACHINES_PER_PAGE})`,
      },
    },
  ),
  tool('get_data_range', 'The first and last day that have production data.', {}),
];

type Args = Record<string, unknown>;
const pct = (ratio: number | null) => (ratio === null ? null : round(ratio * 100, 1));

/**
 * Runs the tools the model calls against MetricsService, with the same validation as the GraphQL
 * arguments. Results are compact JSON; a bad argument becomes `{"error": ...}` for the model to fix.
 */
@Injectable()
export class ChatTools {
  constructor(
    private readonly metrics: MetricsService,
    private readonly data: DataService,
  ) {}

  /** Never throws for the model's mistakes: they come back as `{ error }` results. */
  async run(
    name: string,
    rawArguments: string,
  ): Promise<{ result: unknown; error: string | null }> {
    try {
      const args = parseArguments(rawArguments);
      return { result: await this.dispatch(name, args), error: null };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { result: { error: error.message }, error: error.message };
    }
  }

  private async dispatch(name: string, args: Args): Promise<unknown> {
    switch (name) {
      case 'calculate_oee':
        return this.oee(await this.filter(args, []));
      case 'get_scrap_metrics':
        return this.scrap(await this.filter(args, []));
      case 'get_quality_issues':
        return this.quality(await this.filter(args, ['severity']), parseSeverity(args.severity));
      case 'get_downtime_analysis':
        return this.downtime(await this.filter(args, []));
      case 'list_machines':
        return this.machines(args);
      case 'get_data_range': {
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
      default:
        throw new BadInputError(
          `Unknown tool "${name}". Available tools: ${CHAT_TOOLS.map((t) => t.function.name).join(', ')}`,
        );
    }
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
    return {
      ...range(f),
      ...figures(total),
      scrap_parts: total.scrapParts,
      run_hours: total.runHours,
      planned_busy_hours: total.plannedBusyHours,
      ...(byMachine.length > 0
        ? { by_machine: byMachine.map((m) => ({ machine: m.machine, ...figures(m) })) }
        : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  private async scrap(f: MetricsFilter) {
    const [total, byMachine] = await Promise.all([
      this.metrics.scrap(f),
      f.machine ? Promise.resolve([]) : this.metrics.scrapByMachine(f),
    ]);
    return {
      ...range(f),
      total_scrap: total.scrapParts,
      total_parts: total.totalParts,
      scrap_rate_percent: total.scrapRate,
      ...(byMachine.length > 0
        ? {
            scrap_by_machine: byMachine.map((m) => ({
              machine: m.machine,
              scrap_parts: m.scrapParts,
              scrap_rate_percent: m.scrapRate,
            })),
          }
        : {}),
    };
  }

  private async quality(f: MetricsFilter, severity: SeverityName | null) {
    const [summary, issues] = await Promise.all([
      this.metrics.qualitySummary(f, severity),
      this.metrics.qualityIssues(f, severity, { limit: MAX_LISTED, offset: 0 }),
    ]);
    return {
      ...range(f),
      ...(severity ? { severity } : {}),
      total_issues: summary.totalIssues,
      total_parts_affected: summary.totalPartsAffected,
      severity_breakdown: Object.fromEntries(
        summary.severityBreakdown.map((s) => [s.severity, s.count]),
      ),
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
    const [totals, byReason, major] = await Promise.all([
      this.metrics.downtime(f),
      this.metrics.downtimeByReason(f),
      this.metrics.majorEvents(f, { limit: MAX_LISTED, offset: 0 }),
    ]);
    return {
      ...range(f),
      total_downtime_hours: totals.totalDowntimeHours,
      planned_downtime_hours: totals.plannedDowntimeHours,
      unplanned_downtime_hours: totals.unplannedDowntimeHours,
      downtime_by_reason: byReason.map((r) => ({
        reason: r.reason,
        hours: r.hours,
        events: r.events,
        planned: r.planned,
      })),
      major_events: major.map((e) => ({
        date: e.date,
        machine: e.machine,
        reason: e.reason,
        description: e.description,
        hours: e.durationHours,
      })),
      failures: totals.failures,
      mtbf_hours: totals.mtbfHours,
      mttr_hours: totals.mttrHours,
    };
  }
}

function range(f: MetricsFilter) {
  return {
    start_date: f.startDate,
    end_date: f.endDate,
    machine: f.machine?.name ?? 'all machines',
  };
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
