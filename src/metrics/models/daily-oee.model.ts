import { Field, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';
import { OeeFigures } from './oee-figures.model';

@ObjectType({ description: 'OEE of one day, all selected machines together.' })
export class DailyOee extends OeeFigures {
  @Field(() => DateScalar, { description: 'The day.' })
  date!: string;
}
