import { Field, InputType } from '@nestjs/graphql';
import { TimestampScalar } from '../../common/graphql/timestamp.scalar';

/** What every signal carries. Values are checked per signal (signal-parser.ts), not here. */
@InputType({ isAbstract: true })
export abstract class SignalFields {
  @Field({ description: 'The machine, by name.' })
  machine!: string;

  @Field({
    description:
      'Chosen by the sender, unique per machine: a signal sent again with the same eventId is acknowledged and ignored.',
  })
  eventId!: string;

  @Field(() => TimestampScalar, {
    description: 'When it happened: ISO 8601 with an offset, or epoch milliseconds.',
  })
  at!: string | number;
}
