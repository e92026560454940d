import { Query, Resolver } from '@nestjs/graphql';
import { DataStats } from '../../data/models/data-stats.model';
import { DateRange } from '../../data/models/date-range.model';
import { MetricsService } from '../metrics.service';

/** What is stored, counted from the metrics rollup when there is one. */
@Resolver()
export class DatasetResolver {
  constructor(private readonly metrics: MetricsService) {}

  @Query(() => DataStats, { description: 'What data is stored.' })
  stats(): Promise<DataStats> {
    return this.metrics.datasetStats();
  }

  @Query(() => DateRange, {
    nullable: true,
    description: 'The days that have data; null when there is none.',
  })
  async dateRange(): Promise<DateRange | null> {
    const { startDate, endDate, totalDays } = await this.metrics.datasetStats();
    return startDate && endDate ? { startDate, endDate, totalDays } : null;
  }
}
