import { Field, Int, ObjectType } from '@nestjs/graphql';
import { RejectedSignal } from './rejected-signal.model';

@ObjectType({ description: 'What became of each signal of an ingest call.' })
export class IngestResult {
  @Field(() => Int, { description: 'Signals written (seen by every query from now on).' })
  accepted!: number;

  @Field(() => Int, {
    description: 'Signals whose eventId was seen before: acknowledged, ignored.',
  })
  duplicates!: number;

  @Field(() => [RejectedSignal], { description: 'Signals not written, each with its reason.' })
  rejected!: RejectedSignal[];

  @Field(() => [String], {
    description:
      'Accepted, with a remark: a machine created for its first signal, parts counted outside every shift.',
  })
  warnings!: string[];
}
