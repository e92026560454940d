import { Field, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';

@ObjectType({ description: 'The plant this server reports on.' })
export class Factory {
  @Field({ description: 'Display name (FACTORY_NAME).' })
  name!: string;

  @Field({ description: 'IANA time zone of the plant (FACTORY_TIMEZONE).' })
  timeZone!: string;

  @Field(() => DateScalar, { description: "Today's date in the plant's time zone." })
  today!: string;
}
