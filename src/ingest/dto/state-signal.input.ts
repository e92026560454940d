import { Field, InputType } from '@nestjs/graphql';
import { SignalFields } from './signal-fields';

@InputType({ description: 'A machine started running or stopped.' })
export class StateSignalInput extends SignalFields {
  @Field({ description: 'RUNNING or STOPPED.' })
  state!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Why it stopped (required for STOPPED; stored lower-case). PLANNED_DOWNTIME_REASONS decides which are planned.',
  })
  reason?: string | null;

  @Field(() => String, { nullable: true, description: 'What happened, in words.' })
  description?: string | null;
}
