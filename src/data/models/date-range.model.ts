import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';

@ObjectType({ description: 'The range of days that have data.' })
export class DateRange {
  @Field(() => DateScalar, { description: 'First day with data.' })
  startDate!: string;

  @Field(() => DateScalar, { description: 'Last day with data.' })
  endDate!: string;

  @Field(() => Int, { description: 'Calendar days in the range, both ends included.' })
  totalDays!: number;
}
