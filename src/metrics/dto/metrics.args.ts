import { ArgsType, Field } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';
import { MAX_RANGE_DAYS } from '../metrics.limits';

@ArgsType()
export class MetricsArgs {
  @Field(() => DateScalar, { description: 'First day, included.' })
  startDate!: string;

  @Field(() => DateScalar, {
    description: `Last day, included (at most ${MAX_RANGE_DAYS} days after startDate).`,
  })
  endDate!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Machine name (case-insensitive); all machines when omitted.',
  })
  machine?: string | null;
}
