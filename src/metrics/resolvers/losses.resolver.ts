import { Args, Query, Resolver } from '@nestjs/graphql';
import { addDays, todayIn } from '../../common/dates';
import { DateScalar } from '../../common/graphql/date.scalar';
import { AppConfig } from '../../config/app-config.service';
import { LossesArgs } from '../dto/losses.args';
import { MetricsArgs } from '../dto/metrics.args';
import { MetricsService } from '../metrics.service';
import { OeeLosses } from '../models/losses.model';
import { PeriodComparison } from '../models/period-comparison.model';
import { ShiftReport } from '../models/shift-report.model';

@Resolver()
export class LossesResolver {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Query(() => OeeLosses, {
    description:
      'Where planned busy time went (OEE losses in hours, by reason and as the six big losses), for a range, machine and shift.',
  })
  async losses(@Args() args: LossesArgs): Promise<OeeLosses> {
    const filter = await this.metrics.resolveFilter(args.startDate, args.endDate, args.machine);
    const shift =
      args.shift === undefined || args.shift === null
        ? null
        : await this.metrics.resolveShift(args.shift);
    return this.metrics.losses(filter, shift);
  }

  @Query(() => PeriodComparison, {
    description:
      'OEE, A, P, Q, scrap rate and downtime of a range against the previous range of the same length, with the change.',
  })
  async comparison(@Args() args: MetricsArgs): Promise<PeriodComparison> {
    const filter = await this.metrics.resolveFilter(args.startDate, args.endDate, args.machine);
    return this.metrics.comparison(filter);
  }

  @Query(() => ShiftReport, {
    description:
      "A date's shifts: figures in total and per machine, largest losses, major events. Default date: yesterday in FACTORY_TIMEZONE.",
  })
  shiftReport(
    @Args('date', { type: () => DateScalar, nullable: true }) date?: string | null,
  ): Promise<ShiftReport> {
    return this.metrics.shiftReport(date ?? addDays(todayIn(this.config.timeZone), -1));
  }
}
