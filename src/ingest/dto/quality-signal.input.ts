import { Field, InputType, Int } from '@nestjs/graphql';
import { SEVERITY_CHOICES } from '../../common/severity';
import { SignalFields } from './signal-fields';

@InputType({ description: 'A quality issue found on a machine.' })
export class QualitySignalInput extends SignalFields {
  @Field({ description: 'Defect type, e.g. dimensional.' })
  type!: string;

  @Field({ description: `${SEVERITY_CHOICES}.` })
  severity!: string;

  @Field(() => Int, { description: 'Parts affected.' })
  partsAffected!: number;

  @Field(() => String, { nullable: true, description: 'What was found, in words.' })
  description?: string | null;
}
