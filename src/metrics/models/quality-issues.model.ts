import { Field, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';
import { MetricsFilter } from '../../data/metrics-sums.types';
import { Severity } from './severity.enum';
import { SeverityCount } from './severity-count.model';

@ObjectType({ description: 'Quality issues over a date range (both ends included).' })
export class QualityIssues {
  @Field(() => CountScalar, { description: 'Number of issues.' })
  totalIssues!: number;

  @Field(() => CountScalar, { description: 'Parts affected by all issues.' })
  totalPartsAffected!: number;

  @Field(() => [SeverityCount], {
    description: 'Issue count per severity, High first (0 included).',
  })
  severityBreakdown!: SeverityCount[];

  filter!: MetricsFilter;
  severity!: Severity | null;
}
