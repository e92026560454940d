import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A production shift.' })
export class Shift {
  @Field(() => ID, { description: 'Stable id.' })
  id!: number;

  @Field({ description: 'Name, e.g. Day.' })
  name!: string;

  @Field(() => Int, { description: 'Hour the shift starts (0-23); see startTime for the minutes.' })
  startHour!: number;

  @Field(() => Int, { description: 'Hour the shift ends (0-24); see endTime for the minutes.' })
  endHour!: number;

  @Field({ description: 'Local time the shift starts, HH:MM, e.g. 05:45.' })
  startTime!: string;

  @Field({
    description:
      'Local time the shift ends, HH:MM (24:00 is midnight); at or before startTime: the next day.',
  })
  endTime!: string;
}
