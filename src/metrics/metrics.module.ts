import { Module } from '@nestjs/common';
import { DataModule } from '../data/data.module';
import { MetricsRollupCache } from './metrics-rollup';
import { DatasetResolver } from './resolvers/dataset.resolver';
import { DowntimeResolver } from './resolvers/downtime.resolver';
import { LossesResolver } from './resolvers/losses.resolver';
import {
  MachineScrapTargetResolver,
  MachineTargetResolver,
  OeeTargetResolver,
  ScrapTargetResolver,
  TargetsResolver,
} from './resolvers/targets.resolver';
import { OeeResolver } from './resolvers/oee.resolver';
import { QualityResolver } from './resolvers/quality.resolver';
import { ScrapResolver } from './resolvers/scrap.resolver';
import { MetricsService } from './metrics.service';

/** The metric formulas (MetricsService) and their GraphQL queries. */
@Module({
  imports: [DataModule],
  providers: [
    MetricsRollupCache,
    MetricsService,
    OeeResolver,
    DatasetResolver,
    ScrapResolver,
    QualityResolver,
    DowntimeResolver,
    LossesResolver,
    OeeTargetResolver,
    MachineTargetResolver,
    ScrapTargetResolver,
    MachineScrapTargetResolver,
    TargetsResolver,
  ],
  exports: [MetricsService, MetricsRollupCache],
})
export class MetricsModule {}
