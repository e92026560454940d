import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';
import { DateScalar } from '../../common/graphql/date.scalar';
import { MetricsFilter } from '../metrics.types';

@ObjectType({ description: 'Downtime hours of one reason.' })
export class ReasonDowntime {
  @Field({ description: 'Reason code, e.g. mechanical, maintenance.' })
  reason!: string;

  @Field(() => Float, { description: 'Hours of events with this reason.' })
  hours!: number;

  @Field(() => CountScalar, { description: 'Number of events.' })
  events!: number;

  @Field({ description: 'Whether the reason is planned (PLANNED_DOWNTIME_REASONS).' })
  planned!: boolean;
}

@ObjectType({ description: 'One downtime event.' })
export class DowntimeEvent {
  @Field(() => DateScalar, { description: 'Day of the event.' })
  date!: string;

  @Field({ description: 'Machine name.' })
  machine!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Shift, when recorded (null when unknown or spanning shifts).',
  })
  shift!: string | null;

  @Field({ description: 'Reason code.' })
  reason!: string;

  @Field({ description: 'What happened.' })
  description!: string;

  @Field(() => Float, { description: 'Duration in hours.' })
  durationHours!: number;
}

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
