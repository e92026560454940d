import { Field, ObjectType } from '@nestjs/graphql';
import { CountScalar } from '../../common/graphql/count.scalar';
import { Severity } from './severity.enum';

@ObjectType({ description: 'Number of issues of one severity.' })
export class SeverityCount {
  @Field(() => Severity, { description: 'The severity.' })
  severity!: Severity;

  @Field(() => CountScalar, { description: 'Issues of that severity.' })
  count!: number;
}
