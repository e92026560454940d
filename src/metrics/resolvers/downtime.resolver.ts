import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MetricsArgs } from '../dto/metrics.args';
import { EventPageArgs } from '../dto/page.args';
import { MetricsService } from '../metrics.service';
import { DowntimeAnalysis } from '../models/downtime-analysis.model';
import { DowntimeEvent } from '../models/downtime-event.model';
import { ReasonDowntime } from '../models/reason-downtime.model';
import { MachineDowntime, ShiftDowntime } from '../models/pareto.model';

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

  @ResolveField(() => [MachineDowntime], {
    description: 'Recorded downtime per machine, most unplanned hours first (a Pareto).',
  })
  async byMachine(@Parent() parent: DowntimeAnalysis): Promise<MachineDowntime[]> {
    const rows = await this.metrics.downtimeByMachine(parent.filter);
    return rows.map(({ key, ...row }) => ({ machine: key, ...row }));
  }

  @ResolveField(() => [ShiftDowntime], {
    description: 'Recorded downtime per shift, most unplanned hours first (a Pareto).',
  })
  async byShift(@Parent() parent: DowntimeAnalysis): Promise<ShiftDowntime[]> {
    const rows = await this.metrics.downtimeByShift(parent.filter);
    return rows.map(({ key, ...row }) => ({ shift: key, ...row }));
  }

  @ResolveField(() => [DowntimeEvent], {
    description: 'Events longer than MAJOR_DOWNTIME_HOURS (default 2), longest first.',
  })
  majorEvents(
    @Parent() parent: DowntimeAnalysis,
    @Args() { reason, ...page }: EventPageArgs,
  ): Promise<DowntimeEvent[]> {
    return this.metrics.majorEvents(parent.filter, page, reason?.trim() || null);
  }
}
