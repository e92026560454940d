import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A production shift.' })
export class Shift {
  @Field(() => ID, { description: 'Stable id.' })
  id!: number;

  @Field({ description: 'Name, e.g. Day.' })
  name!: string;

  @Field(() => Int, { description: 'Hour the shift starts (0-24).' })
  startHour!: number;

  @Field(() => Int, { description: 'Hour the shift ends (0-24).' })
  endHour!: number;
}
