import { ArgsType, Field, Int } from '@nestjs/graphql';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../metrics.limits';

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    defaultValue: DEFAULT_LIST_LIMIT,
    description: `At most this many items (0-${MAX_LIST_LIMIT}).`,
  })
  limit!: number;

  @Field(() => Int, { defaultValue: 0, description: 'Items to skip.' })
  offset!: number;
}

@ArgsType()
export class IssuePageArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Only issues of this defect type (any letter case).',
  })
  type?: string | null;
}

@ArgsType()
export class EventPageArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Only events of this downtime reason (any letter case).',
  })
  reason?: string | null;
}
