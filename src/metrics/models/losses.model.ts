import { Field, Float, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';
import type { LossCategory } from '../metrics.types';

export enum LossCategoryEnum {
  availability = 'availability',
  performance = 'performance',
  quality = 'quality',
}
registerEnumType(LossCategoryEnum, {
  name: 'LossCategory',
  description: 'The OEE factor a loss lowers.',
});

@ObjectType({ description: 'Downtime hours of one reason, with its share of the Pareto.' })
export class LossReason {
  @Field({ description: 'Reason code, e.g. mechanical.' })
  reason!: string;

  @Field(() => Float, { description: 'Hours of events with this reason.' })
  hours!: number;

  @Field(() => CountScalar, { description: 'Number of events.' })
  events!: number;

  @Field(() => Float, {
    description: 'Hours of this reason and every one before it, over all of the list (0-1).',
  })
  cumulativeShare!: number;
}

@ObjectType({ description: 'One of the six big losses (and the rest of the availability loss).' })
export class BigLoss {
  @Field({ description: 'e.g. Breakdowns, Setup and adjustments, Small stops, Reduced speed.' })
  loss!: string;

  @Field(() => LossCategoryEnum)
  category!: LossCategory;

  @Field(() => Float, {
    nullable: true,
    description: 'Hours; null when the data cannot tell this loss apart (see note).',
  })
  hours!: number | null;

  @Field(() => String, { nullable: true, description: 'What is counted here, and what is not.' })
  note!: string | null;
}

@ObjectType({
  description:
    'Where planned busy time went, in hours: valuableOperatingHours + availabilityLossHours + performanceLossHours + qualityLossHours = plannedBusyHours.',
})
export class OeeLosses {
  @Field(() => Float, { description: 'Planned production time.' })
  plannedHours!: number;

  @Field(() => Float, { description: 'Planned downtime (not a loss).' })
  plannedDowntimeHours!: number;

  @Field(() => Float, { description: 'Planned hours - planned downtime.' })
  plannedBusyHours!: number;

  @Field(() => Float, {
    description: 'OEE x planned busy hours: the ideal time of the good parts.',
  })
  valuableOperatingHours!: number;

  @Field(() => Float, { description: 'Planned busy hours - run hours (unplanned downtime).' })
  availabilityLossHours!: number;

  @Field(() => Float, {
    description:
      'Run hours - ideal time of the parts made; negative when parts were made faster than the ideal cycle time allows.',
  })
  performanceLossHours!: number;

  @Field(() => Float, { description: 'Ideal time of the scrap parts.' })
  qualityLossHours!: number;

  @Field(() => [LossReason], {
    description: 'Unplanned downtime events by reason, most hours first (a Pareto).',
  })
  availabilityLossByReason!: LossReason[];

  @Field(() => [LossReason], {
    description: 'Planned downtime events by reason (PLANNED_DOWNTIME_REASONS), most hours first.',
  })
  plannedDowntimeByReason!: LossReason[];

  @Field(() => [BigLoss], {
    description:
      'The six big losses: breakdowns, setup and adjustments, small stops and other stops add up to availabilityLossHours; reduced speed is the performance loss; process defects the quality loss; reduced yield is not told apart.',
  })
  sixBigLosses!: BigLoss[];

  @Field(() => [String], { description: 'Data problems, e.g. a negative performance loss.' })
  warnings!: string[];
}
