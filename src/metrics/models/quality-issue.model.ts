import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../common/graphql/date.scalar';
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
