import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A signal that was not written, and why.' })
export class RejectedSignal {
  @Field({ description: 'Its eventId as sent (empty when missing).' })
  eventId!: string;

  @Field({ description: 'Its machine as sent (empty when missing).' })
  machine!: string;

  @Field({ description: 'Why it was rejected; the other signals of the call are unaffected.' })
  reason!: string;
}
