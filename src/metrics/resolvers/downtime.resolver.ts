import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MetricsArgs } from '../dto/metrics.args';
import { PageArgs } from '../dto/page.args';
import { MetricsService } from '../metrics.service';
import { DowntimeAnalysis } from '../models/downtime-analysis.model';
import { DowntimeEvent } from '../models/downtime-event.model';
import { ReasonDowntime } from '../models/reason-downtime.model';

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
