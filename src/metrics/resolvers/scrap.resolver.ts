import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MetricsArgs } from '../dto/metrics.args';
import { MetricsService } from '../metrics.service';
import { DailyScrap } from '../models/daily-scrap.model';
import { MachineScrap } from '../models/machine-scrap.model';
import { ScrapMetrics } from '../models/scrap-metrics.model';

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
