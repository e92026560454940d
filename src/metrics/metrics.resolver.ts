import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MetricsArgs, PageArgs, QualityIssuesArgs } from './dto/metrics.args';
import { MetricsService } from './metrics.service';
import { DowntimeAnalysis, DowntimeEvent, ReasonDowntime } from './models/downtime-analysis.model';
import { DailyOee, MachineOee, OeeMetrics, ShiftOee } from './models/oee-metrics.model';
import { QualityIssue, QualityIssues } from './models/quality-issues.model';
import { DailyScrap, MachineScrap, ScrapMetrics } from './models/scrap-metrics.model';
import { toSeverity } from './models/severity.enum';

/** Thin resolvers: validate via MetricsService.resolveFilter, call one service method, return. */
@Resolver(() => OeeMetrics)
export class OeeResolver {
  constructor(private readonly metrics: MetricsService) {}

  @Query(() => OeeMetrics, {
    description: 'OEE = Availability x Performance x Quality over a date range.',
  })
  async oee(@Args() args: MetricsArgs): Promise<OeeMetrics> {
    const filter = await this.metrics.resolveFilter(args.startDate, args.endDate, args.machine);
    return { ...(await this.metrics.oee(filter)), filter };
  }

  @ResolveField(() => [MachineOee], { description: 'Per machine, in machine order.' })
  byMachine(@Parent() parent: OeeMetrics): Promise<MachineOee[]> {
    return this.metrics.oeeByMachine(parent.filter);
  }

  @ResolveField(() => [ShiftOee], { description: 'Per shift, in shift order.' })
  byShift(@Parent() parent: OeeMetrics): Promise<ShiftOee[]> {
    return this.metrics.oeeByShift(parent.filter);
  }

  @ResolveField(() => [DailyOee], { description: 'Per day with production, oldest first.' })
  daily(@Parent() parent: OeeMetrics): Promise<DailyOee[]> {
    return this.metrics.oeeDaily(parent.filter);
  }

  @ResolveField(() => [String], {
    description:
      'Data problems, e.g. a machine whose performance is above 100% (its ideal cycle time is wrong).',
  })
  warnings(@Parent() parent: OeeMetrics): Promise<string[]> {
    return this.metrics.performanceWarnings(parent.filter);
  }
}

@Resolver(() => ScrapMetrics)
export class ScrapResolver {
  constructor(private readonly metrics: MetricsService) {}

  @Query(() => ScrapMetrics, { description: 'Scrap parts and scrap rate over a date range.' })
  async scrap(@Args() args: MetricsArgs): Promise<ScrapMetrics> {
    const filter = await this.metrics.resolveFilter(args.startDate, args.endDate, args.machine);
    const totals = await this.metrics.scrap(filter);
    return {
      totalScrap: totals.scrapParts,
      totalParts: totals.totalParts,
      scrapRate: totals.scrapRate,
      filter,
    };
  }

  @ResolveField(() => [MachineScrap], {
    nullable: true,
    description:
      'Per machine; null when the query is filtered to one machine (as in the original API).',
  })
  async scrapByMachine(@Parent() parent: ScrapMetrics): Promise<MachineScrap[] | null> {
    return parent.filter.machine ? null : this.metrics.scrapByMachine(parent.filter);
  }

  @ResolveField(() => [DailyScrap], { description: 'Per day with production, oldest first.' })
  daily(@Parent() parent: ScrapMetrics): Promise<DailyScrap[]> {
    return this.metrics.scrapDaily(parent.filter);
  }
}

@Resolver(() => QualityIssues)
export class QualityResolver {
  constructor(private readonly metrics: MetricsService) {}

  @Query(() => QualityIssues, { description: 'Quality issues (defects) over a date range.' })
  async qualityIssues(@Args() args: QualityIssuesArgs): Promise<QualityIssues> {
    const filter = await this.metrics.resolveFilter(args.startDate, args.endDate, args.machine);
    const severity = args.severity ?? null;
    const summary = await this.metrics.qualitySummary(filter, severity);
    return {
      ...summary,
      severityBreakdown: summary.severityBreakdown.map((s) => ({
        ...s,
        severity: toSeverity(s.severity),
      })),
      filter,
      severity,
    };
  }

  @ResolveField(() => [QualityIssue], { description: 'The issues, newest first.' })
  async issues(@Parent() parent: QualityIssues, @Args() page: PageArgs): Promise<QualityIssue[]> {
    const rows = await this.metrics.qualityIssues(parent.filter, parent.severity, page);
    return rows.map((row) => ({ ...row, severity: toSeverity(row.severity) }));
  }
}

@Resolver(() => DowntimeAnalysis)
export class DowntimeResolver {
  constructor(private readonly metrics: MetricsService) {}

  @Query(() => DowntimeAnalysis, {
    description: 'Downtime, its reasons, major events, MTBF and MTTR.',
  })
  async downtime(@Args() args: MetricsArgs): Promise<DowntimeAnalysis> {
    const filter = await this.metrics.resolveFilter(args.startDate, args.endDate, args.machine);
    return { ...(await this.metrics.downtime(filter)), filter };
  }

  @ResolveField(() => [ReasonDowntime], {
    description: 'Event hours per reason, most first (a Pareto).',
  })
  downtimeByReason(@Parent() parent: DowntimeAnalysis): Promise<ReasonDowntime[]> {
    return this.metrics.downtimeByReason(parent.filter);
  }

  @ResolveField(() => [DowntimeEvent], {
    description: 'Events longer than MAJOR_DOWNTIME_HOURS (default 2), longest first.',
  })
  majorEvents(
    @Parent() parent: DowntimeAnalysis,
    @Args() page: PageArgs,
  ): Promise<DowntimeEvent[]> {
    return this.metrics.majorEvents(parent.filter, page);
  }
}
