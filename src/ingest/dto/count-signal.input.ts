import { Field, InputType, Int } from '@nestjs/graphql';
import { MAX_PARTS } from '../signal-parser';
import { SignalFields } from './signal-fields';

@InputType({ description: 'Parts a machine produced since its previous count.' })
export class CountSignalInput extends SignalFields {
  @Field(() => Int, { description: `Parts produced (0-${MAX_PARTS}), good and scrap.` })
  parts!: number;

  @Field(() => Int, { defaultValue: 0, description: 'How many of them are scrap (at most parts).' })
  scrap!: number;
}
