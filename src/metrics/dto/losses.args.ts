import { ArgsType, Field } from '@nestjs/graphql';
import { MetricsArgs } from './metrics.args';

@ArgsType()
export class LossesArgs extends MetricsArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Shift name (case-insensitive); every shift when omitted.',
  })
  shift?: string | null;
}
