import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';
import { MetricsFilter } from '../../data/metrics-sums.types';

@ObjectType({ description: 'Downtime over a date range (both ends included).' })
export class DowntimeAnalysis {
  @Field(() => Float, { description: 'Recorded downtime hours.' })
  totalDowntimeHours!: number;

  @Field(() => Float, {
    description:
      'Planned downtime: per machine-day, min(downtime, hours of planned-reason events).',
  })
  plannedDowntimeHours!: number;

  @Field(() => Float, { description: 'Total minus planned downtime.' })
  unplannedDowntimeHours!: number;

  @Field(() => CountScalar, {
    description: 'Events whose reason is a failure (FAILURE_REASONS).',
  })
  failures!: number;

  @Field(() => Float, { description: 'Hours of failure events.' })
  failureHours!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean time between failures: run hours / failures; null without failures.',
  })
  mtbfHours!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean time to repair: failure hours / failures; null without failures.',
  })
  mttrHours!: number | null;

  filter!: MetricsFilter;
}
