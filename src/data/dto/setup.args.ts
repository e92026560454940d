import { ArgsType, Field, Int } from '@nestjs/graphql';

@ArgsType()
export class SetupArgs {
  @Field(() => Int, { defaultValue: 30, description: 'Days of data, 1-3650, ending today.' })
  days!: number;

  @Field(() => Int, {
    defaultValue: 4,
    description: 'Machines, 1-1000 (the first four are the named ones).',
  })
  machines!: number;

  @Field(() => Int, { nullable: true, description: 'Random seed (default: DEMO_SEED).' })
  seed?: number | null;
}
