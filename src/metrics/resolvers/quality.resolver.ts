import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { IssuePageArgs } from '../dto/page.args';
import { QualityIssuesArgs } from '../dto/quality-issues.args';
import { MetricsService } from '../metrics.service';
import { QualityIssue } from '../models/quality-issue.model';
import { QualityIssues } from '../models/quality-issues.model';
import { DefectType, MachineDefects } from '../models/pareto.model';

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
      filter,
      severity,
    };
  }

  @ResolveField(() => [DefectType], {
    description: 'Issues and parts affected by defect type, most parts affected first (a Pareto).',
  })
  async byType(@Parent() parent: QualityIssues): Promise<DefectType[]> {
    const rows = await this.metrics.defects(parent.filter, parent.severity, 'type');
    return rows.map(({ key, ...row }) => ({ type: key, ...row }));
  }

  @ResolveField(() => [MachineDefects], {
    description: 'Issues and parts affected by machine, most parts affected first (a Pareto).',
  })
  async byMachine(@Parent() parent: QualityIssues): Promise<MachineDefects[]> {
    const rows = await this.metrics.defects(parent.filter, parent.severity, 'machine');
    return rows.map(({ key, ...row }) => ({ machine: key, ...row }));
  }

  @ResolveField(() => [QualityIssue], { description: 'The issues, newest first.' })
  async issues(
    @Parent() parent: QualityIssues,
    @Args() { type, ...page }: IssuePageArgs,
  ): Promise<QualityIssue[]> {
    return this.metrics.qualityIssues(parent.filter, parent.severity, page, type?.trim() || null);
  }
}
