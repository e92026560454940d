import { ArgsType, Field, Int } from '@nestjs/graphql';
import { DEMO_DEFAULTS, DEMO_LIMITS } from '../generator/demo-generator';

const { days, machines } = DEMO_LIMITS;

@ArgsType()
export class SetupArgs {
  @Field(() => Int, {
    defaultValue: DEMO_DEFAULTS.days,
    description: `Days of data, ${days.min}-${days.max}, ending today.`,
  })
  days!: number;

  @Field(() => Int, {
    defaultValue: DEMO_DEFAULTS.machines,
    description: `Machines, ${machines.min}-${machines.max} (the first four are the named ones).`,
  })
  machines!: number;

  @Field(() => Int, { nullable: true, description: 'Random seed (default: DEMO_SEED).' })
  seed?: number | null;
}
