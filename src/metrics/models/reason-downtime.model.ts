import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';

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

  @Field(() => Float, {
    description: 'Hours of this reason and every one before it, over all of the list (0-1).',
  })
  cumulativeShare!: number;
}
