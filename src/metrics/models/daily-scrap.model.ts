import { Field, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';
import { ScrapFigures } from './scrap-figures.model';

@ObjectType({ description: 'Scrap of one day, all selected machines together.' })
export class DailyScrap extends ScrapFigures {
  @Field(() => DateScalar, { description: 'The day.' })
  date!: string;
}
