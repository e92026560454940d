import { ObjectType } from '@nestjs/graphql';
import { MetricsFilter } from '../../data/metrics-sums.types';
import { OeeFigures } from './oee-figures.model';

@ObjectType({
  description:
    'Overall Equipment Effectiveness over a date range (both ends included), from sums of production rows.',
})
export class OeeMetrics extends OeeFigures {
  /** The request these figures answer; read by the breakdown field resolvers, not exposed. */
  filter!: MetricsFilter;
}
