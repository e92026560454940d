import { Module } from '@nestjs/common';
import { DataModule } from '../data/data.module';
import { MetricsRollupCache } from './metrics-rollup';
import { MetricsQueries } from './metrics.queries';
import { DowntimeResolver, OeeResolver, QualityResolver, ScrapResolver } from './metrics.resolver';
import { MetricsService } from './metrics.service';

/** The metric formulas (MetricsService) and their GraphQL queries. */
@Module({
  imports: [DataModule],
  providers: [
    MetricsQueries,
    MetricsRollupCache,
    MetricsService,
    OeeResolver,
    ScrapResolver,
    QualityResolver,
    DowntimeResolver,
  ],
  exports: [MetricsService],
})
export class MetricsModule {}
