import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Response } from 'express';
import { LiveEvents } from '../ingest/live-events';
import { I3xModel, I3xNode } from './i3x-model';
import { I3xError, Vqt } from './i3x.types';

/** A subscription without a sync or an open stream for this long is deleted. */
const TTL_MS = 10 * 60_000;
/** Batches kept per subscription; older ones are dropped (the next sync says so with 206). */
const MAX_BATCHES = 1000;
/** Subscriptions one server keeps at most. */
const MAX_SUBSCRIPTIONS = 1000;
/** A comment on open streams this often, so that proxies keep them open. */
const KEEP_ALIVE_MS = 15_000;

export type SyncUpdate = { elementId: string } & Vqt;

interface Subscription {
  subscriptionId: string;
  clientId: string;
  displayName: string | null;
  /** Registered elementId -> maxDepth. */
  monitored: Map<string, number>;
  batches: { sequenceNumber: number; updates: SyncUpdate[] }[];
  nextSequence: number;
  dropped: boolean;
  stream: Response | null;
  touchedAt: number;
}

/**
 * i3X subscriptions, held by this server: clients register objects, then collect their changes by
 * sync (acknowledging sequence numbers) or receive them on an SSE stream. Changes come from the
 * same live updates as the GraphQL subscriptions (LiveEvents, across instances with Redis): when a
 * machine's signals arrive, the registered objects of that machine are read again and queued.
 * Registering queues the objects' current values first.
 */
@Injectable()
export class I3xSubscriptions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('I3xSubscriptions');
  private readonly subscriptions = new Map<string, Subscription>();
  private stopListening: (() => void) | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private keepAlive: NodeJS.Timeout | null = null;

  constructor(
    private readonly model: I3xModel,
    private readonly events: LiveEvents,
  ) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => this.expire(), 60_000).unref();
    this.keepAlive = setInterval(() => {
      for (const s of this.subscriptions.values()) s.stream?.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS).unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.keepAlive) clearInterval(this.keepAlive);
    for (const s of this.subscriptions.values()) s.stream?.end();
    this.stopListening?.();
  }

  create(clientId: string, displayName: string | null) {
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      throw new I3xError(
        503,
        `This server holds ${MAX_SUBSCRIPTIONS} subscriptions; delete unused ones first`,
      );
    }
    const subscription: Subscription = {
      subscriptionId: randomBytes(24).toString('base64url'),
      clientId,
      displayName,
      monitored: new Map(),
      batches: [],
      nextSequence: 1,
      dropped: false,
      stream: null,
      touchedAt: Date.now(),
    };
    this.subscriptions.set(subscription.subscriptionId, subscription);
    return { clientId, subscriptionId: subscription.subscriptionId, displayName };
  }

  /** A subscription of this client; another client's is as unknown as a missing one. */
  find(clientId: string, subscriptionId: string): Subscription | null {
    const found = this.subscriptions.get(subscriptionId);
    return found && found.clientId === clientId ? found : null;
  }

  get(clientId: string, subscriptionId: string): Subscription {
    const found = this.find(clientId, subscriptionId);
    if (!found) throw new I3xError(404, `Subscription not found: ${subscriptionId}`);
    return found;
  }

  detail(s: Subscription) {
    return {
      subscriptionId: s.subscriptionId,
      displayName: s.displayName,
      monitoredObjects: [...s.monitored].map(([elementId, maxDepth]) => ({ elementId, maxDepth })),
    };
  }

  delete(s: Subscription): void {
    s.stream?.end();
    this.subscriptions.delete(s.subscriptionId);
    this.listenWhileNeeded();
  }

  /** Registers objects (known ones only: the caller checks) and queues their current values. */
  async register(s: Subscription, nodes: I3xNode[], maxDepth: number): Promise<void> {
    for (const node of nodes) s.monitored.set(node.elementId, maxDepth);
    this.listenWhileNeeded();
    await this.capture(
      s,
      nodes.map((n) => n.elementId),
    );
  }

  unregister(s: Subscription, elementId: string): boolean {
    const removed = s.monitored.delete(elementId);
    this.listenWhileNeeded();
    return removed;
  }

  /**
   * Drops the batches the client acknowledged (-1: all) and returns the rest, oldest first; a
   * queue that overflowed since the last sync is reported (206).
   */
  sync(s: Subscription, lastSequenceNumber: number | null) {
    if (s.stream) {
      throw new I3xError(
        400,
        'A stream is open for this subscription: close it before calling sync',
      );
    }
    s.touchedAt = Date.now();
    if (lastSequenceNumber === -1) s.batches = [];
    else if (lastSequenceNumber !== null) {
      s.batches = s.batches.filter((b) => b.sequenceNumber > lastSequenceNumber);
    }
    const dropped = s.dropped;
    s.dropped = false;
    return { batches: s.batches, dropped };
  }

  /** Sends queued batches, then every new one, as server-sent events on `res` (one stream each). */
  stream(s: Subscription, res: Response): void {
    s.stream?.end();
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    s.stream = res;
    s.touchedAt = Date.now();
    for (const batch of s.batches) res.write(`data: ${JSON.stringify(batch.updates)}\n\n`);
    s.batches = [];
    res.on('close', () => {
      if (s.stream === res) s.stream = null;
      s.touchedAt = Date.now();
    });
  }

  /** Reads the objects again and queues (or streams) their values as one batch. */
  private async capture(s: Subscription, elementIds: string[]): Promise<void> {
    const nodes = new Map((await this.model.nodes()).map((n) => [n.elementId, n]));
    const updates: SyncUpdate[] = [];
    for (const id of elementIds) {
      const node = nodes.get(id);
      if (!node) continue;
      updates.push({ elementId: id, ...(await this.model.value(node)) });
      // A composition registered deeper than itself brings its components' values too.
      if (node.isComposition && s.monitored.get(id) !== 1) {
        for (const part of node.relationships.HasComponent ?? []) {
          const component = nodes.get(part);
          if (component) updates.push({ elementId: part, ...(await this.model.value(component)) });
        }
      }
    }
    if (updates.length === 0) return;
    if (s.stream) {
      s.stream.write(`data: ${JSON.stringify(updates)}\n\n`);
      return;
    }
    s.batches.push({ sequenceNumber: s.nextSequence++, updates });
    if (s.batches.length > MAX_BATCHES) {
      s.batches.shift();
      s.dropped = true;
    }
  }

  /** A live update of a machine: its registered objects (the machine and its figures) again. */
  private machineUpdated(machine: string): void {
    const prefix = `machine:${machine}`;
    for (const s of this.subscriptions.values()) {
      const ids = [...s.monitored.keys()].filter(
        (id) => id === prefix || id.startsWith(`${prefix}:`),
      );
      if (ids.length === 0) continue;
      this.capture(s, ids).catch((error: Error) =>
        this.logger.warn(`Subscription update failed: ${error.message}`),
      );
    }
  }

  /** Live updates are asked for only while some subscription has registered objects. */
  private listenWhileNeeded(): void {
    const needed = [...this.subscriptions.values()].some((s) => s.monitored.size > 0);
    if (needed && !this.stopListening) {
      this.stopListening = this.events.onMachineUpdate((machine) => this.machineUpdated(machine));
    } else if (!needed && this.stopListening) {
      this.stopListening();
      this.stopListening = null;
    }
  }

  private expire(): void {
    const limit = Date.now() - TTL_MS;
    for (const s of [...this.subscriptions.values()]) {
      if (!s.stream && s.touchedAt < limit) this.delete(s);
    }
  }
}
