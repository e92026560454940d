import { Field, InputType } from '@nestjs/graphql';
import { MAX_SIGNALS_PER_BATCH } from '../ingest.limits';
import { CountSignalInput } from './count-signal.input';
import { QualitySignalInput } from './quality-signal.input';
import { StateSignalInput } from './state-signal.input';

@InputType({
  description: `Live signals of any kinds, at most ${MAX_SIGNALS_PER_BATCH} in all per call.`,
})
export class IngestInput {
  @Field(() => [CountSignalInput], { defaultValue: [] })
  counts!: CountSignalInput[];

  @Field(() => [StateSignalInput], { defaultValue: [] })
  states!: StateSignalInput[];

  @Field(() => [QualitySignalInput], { defaultValue: [] })
  qualityIssues!: QualitySignalInput[];
}
