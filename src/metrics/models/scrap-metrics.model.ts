import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';
import { DateScalar } from '../../common/graphql/date.scalar';
import { MetricsFilter } from '../metrics.types';

@ObjectType({ isAbstract: true })
abstract class ScrapFigures {
  @Field(() => CountScalar, { description: 'Defective parts.' })
  scrapParts!: number;

  @Field(() => CountScalar, { description: 'Parts produced.' })
  totalParts!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Scrap rate in percent (100 x scrap / parts, 2 decimals); null without parts.',
  })
  scrapRate!: number | null;
}

@ObjectType({ description: 'Scrap of one machine over the range.' })
export class MachineScrap extends ScrapFigures {
  @Field({ description: 'Machine name.' })
  machine!: string;
}

@ObjectType({ description: 'Scrap of one day, all selected machines together.' })
export class DailyScrap extends ScrapFigures {
  @Field(() => DateScalar, { description: 'The day.' })
  date!: string;
}

@ObjectType({ description: 'Scrap over a date range (both ends included).' })
export class ScrapMetrics {
  @Field(() => CountScalar, { description: 'Defective parts.' })
  totalScrap!: number;

  @Field(() => CountScalar, { description: 'Parts produced.' })
  totalParts!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Scrap rate in percent (100 x scrap / parts, 2 decimals); null without parts.',
  })
  scrapRate!: number | null;

  filter!: MetricsFilter;
}
