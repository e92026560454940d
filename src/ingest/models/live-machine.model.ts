import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';

@ObjectType({ description: "A machine's state now and its figures in the running shift so far." })
export class LiveMachine {
  @Field()
  machine!: string;

  @Field(() => String, {
    nullable: true,
    description: 'RUNNING or STOPPED; null when the machine has sent no state signal yet.',
  })
  state!: string | null;

  @Field(() => String, { nullable: true, description: 'Since when (ISO 8601, UTC).' })
  since!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it is stopped (null when running).' })
  reason!: string | null;

  @Field(() => CountScalar, { description: 'Parts produced in the shift so far.' })
  parts!: number;

  @Field(() => CountScalar, { description: 'Scrap parts in the shift so far.' })
  scrap!: number;

  @Field(() => Float, { nullable: true, description: 'OEE of the shift up to now (0-1).' })
  oee!: number | null;

  @Field(() => Float, { nullable: true, description: 'Availability up to now (0-1).' })
  availability!: number | null;

  @Field(() => Float, { nullable: true, description: 'Performance up to now (may exceed 1).' })
  performance!: number | null;

  @Field(() => Float, { nullable: true, description: 'Quality up to now (0-1).' })
  quality!: number | null;
}
