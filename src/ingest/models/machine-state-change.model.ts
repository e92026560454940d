import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A machine started running or stopped.' })
export class MachineStateChange {
  @Field()
  machine!: string;

  @Field({ description: 'RUNNING or STOPPED.' })
  state!: string;

  @Field(() => String, { nullable: true, description: 'Since when (ISO 8601, UTC).' })
  since!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it stopped (null when running).' })
  reason!: string | null;
}
