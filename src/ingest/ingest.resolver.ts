import { UseGuards } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IngestInput } from './dto/ingest.input';
import { IngestKeyGuard } from './ingest.guard';
import { MAX_SIGNALS_PER_BATCH } from './ingest.limits';
import { IngestService } from './ingest.service';
import { PageArgs } from '../metrics/dto/page.args';
import { CurrentShift } from './models/current-shift.model';
import { DeadLetter } from './models/dead-letter.model';
import { IngestResult } from './models/ingest-result.model';

@Resolver()
export class IngestResolver {
  constructor(private readonly ingestion: IngestService) {}

  @Mutation(() => IngestResult, {
    description: `Live signals from machines (counts, state changes, quality issues; at most ${MAX_SIGNALS_PER_BATCH} per call), answered per signal. Needs Authorization: Bearer <one of INGEST_API_KEYS>.`,
  })
  @UseGuards(IngestKeyGuard)
  async ingest(@Args('input') input: IngestInput): Promise<IngestResult> {
    const { accepted, duplicates, rejected, warnings } = await this.ingestion.ingest(
      [
        ...input.counts.map((raw) => ({ kind: 'count' as const, raw })),
        ...input.states.map((raw) => ({ kind: 'state' as const, raw })),
        ...input.qualityIssues.map((raw) => ({ kind: 'quality' as const, raw })),
      ],
      'graphql',
    );
    return { accepted, duplicates, rejected, warnings };
  }

  @Query(() => [DeadLetter], {
    description:
      'Messages that could not be read or were rejected (MQTT), newest first. Needs Authorization: Bearer <one of INGEST_API_KEYS>.',
  })
  @UseGuards(IngestKeyGuard)
  deadLetters(@Args() page: PageArgs): Promise<DeadLetter[]> {
    return this.ingestion.deadLetters(page);
  }

  @Query(() => CurrentShift, {
    description: "The running shift's figures per machine, from live signals, as of now.",
  })
  currentShift(): Promise<CurrentShift> {
    return this.ingestion.currentShift();
  }
}
