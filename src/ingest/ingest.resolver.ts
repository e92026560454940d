import { UseGuards } from '@nestjs/common';
import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { SkipThrottle } from '@nestjs/throttler';
import { IngestInput } from './dto/ingest.input';
import { IngestKeyGuard } from './ingest.guard';
import { MAX_SIGNALS_PER_BATCH } from './ingest.limits';
import { IngestService } from './ingest.service';
import { PageArgs } from '../metrics/dto/page.args';
import { CurrentShift } from './models/current-shift.model';
import { DeadLetter } from './models/dead-letter.model';
import { LiveMachineUpdate } from './models/live-machine-update.model';
import { MachineStateChange } from './models/machine-state-change.model';
import { LiveEvents } from './live-events';
import { IngestResult } from './models/ingest-result.model';

@Resolver()
export class IngestResolver {
  constructor(
    private readonly ingestion: IngestService,
    private readonly events: LiveEvents,
  ) {}

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

  // A subscription is one long-lived connection, not a stream of requests: rate limits count
  // requests, so they do not apply to it.
  @Subscription(() => LiveMachineUpdate, {
    description:
      "Each machine's figures in the running shift (as currentShift answers them), pushed when they change, at most once a second per machine; `machine` limits it to one.",
    resolve: (update: LiveMachineUpdate) => update,
  })
  @SkipThrottle({ default: true, setup: true, chat: true })
  currentShiftUpdated(
    @Args('machine', { type: () => String, nullable: true }) machine: string | null,
  ): AsyncIterableIterator<LiveMachineUpdate> {
    return this.events.figures(machine);
  }

  @Subscription(() => MachineStateChange, {
    description: 'Machines starting or stopping, as they happen; `machine` limits it to one.',
    resolve: (change: MachineStateChange) => change,
  })
  @SkipThrottle({ default: true, setup: true, chat: true })
  machineStateChanged(
    @Args('machine', { type: () => String, nullable: true }) machine: string | null,
  ): AsyncIterableIterator<MachineStateChange> {
    return this.events.stateChanges(machine);
  }
}
