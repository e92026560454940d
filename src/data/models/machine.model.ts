import { Field, Float, ID, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A machine (work center) of the plant.' })
export class Machine {
  @Field(() => ID, { description: 'Stable id.' })
  id!: number;

  @Field({ description: 'Unique name, e.g. CNC-001.' })
  name!: string;

  @Field({ description: 'Kind of machine, e.g. CNC Machining Center.' })
  type!: string;

  @Field(() => Float, {
    description: 'Ideal cycle time in seconds per part (the basis of Performance).',
  })
  idealCycleTime!: number;
}
