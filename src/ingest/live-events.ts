import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config.service';
import type { LiveMachineFigures } from './ingest.service';

/** A machine's figures in the running shift, pushed when they change. */
export interface LiveMachineUpdate extends LiveMachineFigures {
  date: string;
  shift: string;
}

export interface MachineStateChange {
  machine: string;
  state: string;
  since: string | null;
  reason: string | null;
}

type LiveEvent =
  { type: 'figures'; update: LiveMachineUpdate } | { type: 'state'; change: MachineStateChange };

const CHANNEL = 'live';

/**
 * Live updates for subscriptions. An instance that writes live data publishes what changed; with
 * REDIS_URL every instance receives it through Redis pub/sub (so a subscriber connected to one
 * instance sees signals written through another), else the instance's own subscribers do.
 */
@Injectable()
export class LiveEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveEvents.name);
  private readonly local = new EventEmitter();
  private readonly instance = randomUUID();
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;

  constructor(private readonly config: AppConfig) {
    // One listener per subscription: many clients are expected, not a leak.
    this.local.setMaxListeners(0);
  }

  async onModuleInit(): Promise<void> {
    const url = this.config.redisUrl;
    if (!url) return;
    const options = {
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 5_000),
    };
    this.publisher = new Redis(url, options);
    this.subscriber = new Redis(url, options);
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error) => this.logger.warn(`Redis (live updates): ${error.message}`));
    }
    const channel = this.channel();
    this.subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const { instance, event } = JSON.parse(message) as { instance: string; event: LiveEvent };
      if (instance !== this.instance) this.local.emit('event', event);
    });
    await this.subscriber.subscribe(channel).catch((error: Error) => {
      this.logger.warn(
        `Live updates from other instances are off until Redis answers: ${error.message}`,
      );
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.publisher?.disconnect();
    this.subscriber?.disconnect();
    this.local.removeAllListeners();
    await Promise.resolve();
  }

  /** Whether anyone may be listening: a subscriber here, or other instances (Redis). */
  get wanted(): boolean {
    return this.publisher !== null || this.local.listenerCount('event') > 0;
  }

  publishFigures(update: LiveMachineUpdate): void {
    this.publish({ type: 'figures', update });
  }

  publishState(change: MachineStateChange): void {
    this.publish({ type: 'state', change });
  }

  /** Figures as they change, for one machine (any letter case) or all. */
  figures(machine: string | null): AsyncIterableIterator<LiveMachineUpdate> {
    return this.stream(machine, (event) => (event.type === 'figures' ? event.update : null));
  }

  /** State changes, for one machine or all. */
  stateChanges(machine: string | null): AsyncIterableIterator<MachineStateChange> {
    return this.stream(machine, (event) => (event.type === 'state' ? event.change : null));
  }

  /**
   * Calls `listener` with the machine of every live update (figures or state change), from this
   * instance or, with Redis, any other; returns the function that stops it.
   */
  onMachineUpdate(listener: (machine: string) => void): () => void {
    const handler = (event: LiveEvent) =>
      listener(event.type === 'figures' ? event.update.machine : event.change.machine);
    this.local.on('event', handler);
    return () => this.local.off('event', handler);
  }

  private publish(event: LiveEvent): void {
    this.local.emit('event', event);
    this.publisher
      ?.publish(this.channel(), JSON.stringify({ instance: this.instance, event }))
      .catch((error: Error) => this.logger.warn(`Live update not shared: ${error.message}`));
  }

  private async *stream<T extends { machine: string }>(
    machine: string | null,
    pick: (event: LiveEvent) => T | null,
  ): AsyncIterableIterator<T> {
    const wanted = machine?.toLowerCase() ?? null;
    for await (const [event] of on(this.local, 'event') as AsyncIterableIterator<[LiveEvent]>) {
      const value = pick(event);
      if (value && (wanted === null || value.machine.toLowerCase() === wanted)) yield value;
    }
  }

  private channel(): string {
    return `${this.config.redisKeyPrefix}${CHANNEL}`;
  }
}
