import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';

@ObjectType({ description: 'Outcome of generating demo data.' })
export class SetupResult {
  @Field({ description: 'What was done, in words.' })
  message!: string;

  @Field(() => Int, { description: 'Days generated.' })
  days!: number;

  @Field(() => DateScalar, { description: 'First day generated.' })
  startDate!: string;

  @Field(() => DateScalar, { description: 'Last day generated.' })
  endDate!: string;

  @Field(() => [String], { description: 'Names of the machines generated.' })
  machines!: string[];
}
