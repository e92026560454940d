import { ArgsType, Field } from '@nestjs/graphql';
import { PageArgs } from '../metrics/dto/page.args';

@ArgsType()
export class AlertsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only this machine (any letter case).' })
  machine?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only this rule: shift-oee, long-downtime or scrap-rate.',
  })
  rule?: string | null;
}

@ArgsType()
export class AlertDeliveriesArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Only this status: pending, delivered or failed.',
  })
  status?: string | null;
}
