import { Field, Float, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';
import { MetricsFilter } from '../../data/metrics-sums.types';

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
