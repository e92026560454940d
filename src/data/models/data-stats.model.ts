import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';

@ObjectType({ description: 'What data is stored.' })
export class DataStats {
  @Field({ description: 'Whether any production data exists.' })
  exists!: boolean;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'First day with data; null without data.',
  })
  startDate!: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'Last day with data; null without data.',
  })
  endDate!: string | null;

  @Field(() => Int, { description: 'Calendar days from startDate to endDate, both included.' })
  totalDays!: number;

  @Field(() => Int, { description: 'Days that have production records.' })
  daysWithData!: number;

  @Field(() => Int, { description: 'Machines.' })
  totalMachines!: number;

  @Field(() => Int, { description: 'Shifts.' })
  totalShifts!: number;

  @Field(() => Int, { description: 'Machine-days with production records.' })
  totalRecords!: number;
}
