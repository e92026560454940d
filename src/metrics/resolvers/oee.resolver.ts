import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MetricsArgs } from '../dto/metrics.args';
import { MetricsService } from '../metrics.service';
import { DailyOee } from '../models/daily-oee.model';
import { MachineOee } from '../models/machine-oee.model';
import { OeeMetrics } from '../models/oee-metrics.model';
import { ShiftOee } from '../models/shift-oee.model';

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
      'Data problems: a machine whose performance is above 100% (its ideal cycle time is wrong), or that reported parts outside every shift of SHIFTS (in none of the figures).',
  })
  warnings(@Parent() parent: OeeMetrics): Promise<string[]> {
    return this.metrics.oeeWarnings(parent.filter);
  }
}
