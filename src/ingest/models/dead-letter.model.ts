import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description: 'A message that could not be read or was rejected, kept for inspection.',
})
export class DeadLetter {
  @Field({ description: 'When it arrived (ISO 8601, UTC).' })
  receivedAt!: string;

  @Field({ description: 'The transport it came by: mqtt.' })
  source!: string;

  @Field({ description: 'The MQTT topic it was published on.' })
  topic!: string;

  @Field({ description: 'The payload as received (cut at 64 KiB).' })
  payload!: string;

  @Field({ description: 'Why it was not written.' })
  reason!: string;
}
