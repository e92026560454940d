import { Field, Int, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';
import { DateScalar } from '../../common/graphql/date.scalar';
import { MetricsFilter } from '../metrics.types';
import { Severity } from './severity.enum';

@ObjectType({ description: 'A recorded quality issue (defect) on one machine-day.' })
export class QualityIssue {
  @Field({ description: 'Defect type, e.g. dimensional, surface, assembly, material.' })
  type!: string;

  @Field({ description: 'What was found.' })
  description!: string;

  @Field(() => Int, { description: 'Parts affected.' })
  partsAffected!: number;

  @Field(() => Severity, { description: 'How serious the defect is.' })
  severity!: Severity;

  @Field(() => DateScalar, { description: 'Day it was recorded.' })
  date!: string;

  @Field({ description: 'Machine name.' })
  machine!: string;

  @Field(() => String, { nullable: true, description: 'Shift, when recorded.' })
  shift!: string | null;
}

@ObjectType({ description: 'Number of issues of one severity.' })
export class SeverityCount {
  @Field(() => Severity, { description: 'The severity.' })
  severity!: Severity;

  @Field(() => CountScalar, { description: 'Issues of that severity.' })
  count!: number;
}

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
