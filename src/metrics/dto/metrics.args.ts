import { ArgsType, Field, Int } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';
import { Severity } from '../models/severity.enum';

@ArgsType()
export class MetricsArgs {
  @Field(() => DateScalar, { description: 'First day, included.' })
  startDate!: string;

  @Field(() => DateScalar, {
    description: 'Last day, included (at most 3660 days after startDate).',
  })
  endDate!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Machine name (case-insensitive); all machines when omitted.',
  })
  machine?: string | null;
}

@ArgsType()
export class QualityIssuesArgs extends MetricsArgs {
  @Field(() => Severity, { nullable: true, description: 'Only issues of this severity.' })
  severity?: Severity | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 100, description: 'At most this many items (0-1000).' })
  limit!: number;

  @Field(() => Int, { defaultValue: 0, description: 'Items to skip.' })
  offset!: number;
}
