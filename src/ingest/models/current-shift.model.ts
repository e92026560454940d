import { Field, ObjectType } from '@nestjs/graphql';
import { LiveMachine } from './live-machine.model';

@ObjectType({
  description:
    'The running shift (between shifts: the last one), with every machine as of now. A stop still open counts up to now.',
})
export class CurrentShift {
  @Field({
    description: 'The date the shift belongs to (the date it starts, in FACTORY_TIMEZONE).',
  })
  date!: string;

  @Field({ description: 'Shift name, from SHIFTS.' })
  shift!: string;

  @Field({ description: 'When it starts (ISO 8601, UTC).' })
  startsAt!: string;

  @Field({ description: 'When it ends (ISO 8601, UTC).' })
  endsAt!: string;

  @Field(() => [LiveMachine], { description: 'Every machine, in id order.' })
  machines!: LiveMachine[];
}
