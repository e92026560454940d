import { ArgsType, Field } from '@nestjs/graphql';
import { Severity } from '../models/severity.enum';
import { MetricsArgs } from './metrics.args';

@ArgsType()
export class QualityIssuesArgs extends MetricsArgs {
  @Field(() => Severity, { nullable: true, description: 'Only issues of this severity.' })
  severity?: Severity | null;
}
