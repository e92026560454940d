import { Field, Float, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';

@ObjectType({ description: 'One downtime event.' })
export class DowntimeEvent {
  @Field(() => DateScalar, { description: 'Day of the event.' })
  date!: string;

  @Field({ description: 'Machine name.' })
  machine!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Shift, when recorded (null when unknown or spanning shifts).',
  })
  shift!: string | null;

  @Field({ description: 'Reason code.' })
  reason!: string;

  @Field({ description: 'What happened.' })
  description!: string;

  @Field(() => Float, { description: 'Duration in hours.' })
  durationHours!: number;
}
