import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Response } from 'express';
import {
  I3xSubscriptionsRepository,
  StoredSubscription,
  SubscriptionUpdate,
} from '../data/i3x-subscriptions.repository';
import { withOwnResources } from '../common/request-context';
import { LiveEvents } from '../ingest/live-events';
import { I3xModel, I3xNode } from './i3x-model';
import { I3xError } from './i3x.types';

/** A subscription without a sync, a registration or an open stream for this long is deleted. */
const TTL_MS = 10 * 60_000;
/** Batches kept per subscription; older ones are dropped (the next sync says so with 206). */
const MAX_BATCHES = 1000;
/** Objects one subscription monitors at most (each machine brings up to three components). */
const MAX_MONITORED = 1000;
/** Subscriptions the deployment keeps at most. */
const MAX_SUBSCRIPTIONS = 1000;
/** A comment on open streams this often, so that proxies keep them open; it renews the lease. */
const KEEP_ALIVE_MS = 15_000;
/** How long a stream's lease lasts: an instance that dies stops renewing it. */
const LEASE_MS = 3 * KEEP_ALIVE_MS;
/** Open streams are read again this often: figures move with time and with imports too. */
const STREAM_POLL_MS = 5_000;

interface LocalStream {
  res: Response;
  /** Holds the subscription in the database while this stream is its stream. */
  holder: string;
  running: boolean;
  /** Machines whose objects to read again next ('all': every monitored object). */
  pending: Set<string> | 'all' | null;
}

/**
 * i3X subscriptions. They live in the database, so a client may create, register and sync through
 * any instance. A sync drops the acknowledged batches, reads the monitored objects (and their
 * components, by maxDepth) and queues those whose value or quality changed since last delivered,
 * then answers the unacknowledged batches. A stream is held by the instance the client connected
 * to, under a lease it renews: it sends what was queued, then the changes, read again when a
 * machine's live signals arrive (LiveEvents, from every instance with Redis) and every
 * STREAM_POLL_MS. A stream opened on another instance takes the subscription over: this one ends
 * its own at the next renewal.
 */
@Injectable()
export class I3xSubscriptions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('I3xSubscriptions');
  private readonly streams = new Map<string, LocalStream>();
  private stopListening: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly model: I3xModel,
    private readonly store: I3xSubscriptionsRepository,
    private readonly events: LiveEvents,
  ) {}

  onModuleInit(): void {
    const every = (ms: number, task: () => Promise<unknown>) =>
      this.timers.push(
        setInterval(() => {
          task().catch((error: Error) => this.logger.warn(error.message));
        }, ms).unref(),
      );
    every(60_000, () => this.store.expire(Date.now() - TTL_MS, Date.now()));
    every(KEEP_ALIVE_MS, async () => {
      for (const [id, stream] of [...this.streams]) {
        const now = Date.now();
        if (await this.store.renewStream(id, stream.holder, now + LEASE_MS, now)) {
          if (writable(stream.res)) stream.res.write(': keep-alive\n\n');
        } else {
          // Streamed elsewhere now, or deleted: this stream ends.
          this.end(id, stream);
        }
      }
    });
    every(STREAM_POLL_MS, () => {
      for (const id of this.streams.keys()) this.push(id, null);
      return Promise.resolve();
    });
  }

  async onModuleDestroy(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.stopListening?.();
    for (const [id, stream] of [...this.streams]) {
      this.end(id, stream);
      await this.store.releaseStream(id, stream.holder, Date.now()).catch(() => undefined);
    }
  }

  async create(clientId: string, displayName: string | null) {
    if ((await this.store.count()) >= MAX_SUBSCRIPTIONS) {
      throw new I3xError(
        503,
        `The server holds ${MAX_SUBSCRIPTIONS} subscriptions; delete unused ones first`,
      );
    }
    const subscriptionId = randomBytes(24).toString('base64url');
    await this.store.create({ subscriptionId, clientId, displayName }, Date.now());
    return { clientId, subscriptionId, displayName };
  }

  /** A subscription of this client; another client's is as unknown as a missing one. */
  async find(clientId: string, subscriptionId: string): Promise<StoredSubscription | null> {
    const found = await this.store.find(subscriptionId);
    return found && found.clientId === clientId ? found : null;
  }

  async get(clientId: string, subscriptionId: string): Promise<StoredSubscription> {
    const found = await this.find(clientId, subscriptionId);
    if (!found) throw new I3xError(404, `Subscription not found: ${subscriptionId}`);
    return found;
  }

  async detail(s: StoredSubscription) {
    return {
      subscriptionId: s.subscriptionId,
      displayName: s.displayName,
      monitoredObjects: await this.store.monitored(s.subscriptionId),
    };
  }

  async delete(s: StoredSubscription): Promise<void> {
    const stream = this.streams.get(s.subscriptionId);
    if (stream) this.end(s.subscriptionId, stream);
    await this.store.delete(s.subscriptionId);
  }

  /**
   * Registers objects (known ones only: the caller checks; at most MAX_MONITORED) and delivers
   * their current values: queued for sync, or on the stream when this instance streams the
   * subscription. An instance that streams it elsewhere sends new objects with its next reading
   * (objects registered again, only when they changed).
   */
  async register(s: StoredSubscription, nodes: I3xNode[], maxDepth: number): Promise<void> {
    const id = s.subscriptionId;
    const ids = nodes.map((n) => n.elementId);
    if ((await this.store.monitoredCount(id)) + ids.length > MAX_MONITORED) {
      throw new I3xError(
        400,
        `A subscription monitors at most ${MAX_MONITORED} objects: unregister some first`,
      );
    }
    if (!(await this.store.monitor(id, ids, maxDepth, Date.now()))) {
      throw new I3xError(404, `Subscription not found: ${id}`);
    }
    const stream = this.streams.get(id);
    if (!stream && streamedElsewhere(s)) return;
    const force = new Set(nodes.map((n) => n.elementId));
    const changes = await this.collect(id, { force, queue: !stream, only: force, stream });
    if (stream && changes) send(stream.res, changes);
  }

  async unregister(s: StoredSubscription, elementId: string): Promise<boolean> {
    return this.store.unmonitor(s.subscriptionId, elementId);
  }

  /**
   * Drops the batches the client acknowledged (-1: all), queues what changed since last delivered
   * and returns the batches, oldest first; a queue that overflowed since the last sync is reported.
   */
  async sync(s: StoredSubscription, lastSequenceNumber: number | null) {
    if (this.streams.has(s.subscriptionId) || streamedElsewhere(s)) {
      throw new I3xError(
        400,
        'A stream is open for this subscription: close it before calling sync',
      );
    }
    if (lastSequenceNumber !== null) {
      await this.store.acknowledge(s.subscriptionId, lastSequenceNumber);
    }
    await this.collect(s.subscriptionId, { queue: true });
    return this.store.batches(s.subscriptionId, Date.now());
  }

  /**
   * Sends queued batches, then every change, as server-sent events on `res`: the subscription's
   * one stream, taking it over from any other (here at once, elsewhere at that one's next renewal).
   */
  async stream(s: StoredSubscription, res: Response): Promise<void> {
    const id = s.subscriptionId;
    const holder = randomUUID();
    const now = Date.now();
    if (!(await this.store.claimStream(id, holder, now + LEASE_MS, now))) {
      throw new I3xError(404, `Subscription not found: ${id}`);
    }
    const previous = this.streams.get(id);
    if (previous) this.end(id, previous);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    const stream: LocalStream = { res, holder, running: false, pending: null };
    this.streams.set(id, stream);
    const release = () => {
      this.end(id, stream);
      this.store
        .releaseStream(id, holder, Date.now())
        .catch((error: Error) => this.logger.warn(`Stream end not recorded: ${error.message}`));
    };
    res.on('close', release);
    this.listenWhileNeeded();
    // A client gone already leaves the queued batches for its next sync or stream.
    if (res.destroyed) return release();
    const { batches } = await this.store.batches(id, now, true);
    for (const batch of batches) send(res, batch.updates);
    this.push(id, null);
  }

  /** Ends a stream of this instance (once). */
  private end(subscriptionId: string, stream: LocalStream): void {
    if (this.streams.get(subscriptionId) === stream) this.streams.delete(subscriptionId);
    if (writable(stream.res)) stream.res.end();
    this.listenWhileNeeded();
  }

  /**
   * Reads the monitored objects (those `only` names, with their components) and delivers what
   * changed (and all of `force`): queued as a batch when `queue`, else for `stream`. Returns the
   * changes; null when `stream` no longer holds the subscription (taken over, or deleted).
   */
  private async collect(
    subscriptionId: string,
    options: {
      queue: boolean;
      force?: Set<string>;
      only?: Set<string> | ((id: string) => boolean);
      stream?: LocalStream;
    },
  ): Promise<SubscriptionUpdate[] | null> {
    const only = options.only;
    const wanted = (await this.store.monitored(subscriptionId)).filter(
      (m) => !only || (typeof only === 'function' ? only(m.elementId) : only.has(m.elementId)),
    );
    if (wanted.length === 0) return [];
    const force = new Set(options.force);
    const readAt = Date.now();
    // A read snapshot of its own, released at once: not the request's, which a stream would hold
    // (and freeze) for as long as it is open.
    const updates = await withOwnResources(async () => {
      const nodes = new Map((await this.model.nodes()).map((n) => [n.elementId, n]));
      // By elementId: an object registered itself and as a component is read once.
      const read = new Map<string, SubscriptionUpdate>();
      const add = async (node: I3xNode) => {
        if (read.has(node.elementId)) return;
        read.set(node.elementId, { elementId: node.elementId, ...(await this.model.value(node)) });
      };
      for (const { elementId, maxDepth } of wanted) {
        const node = nodes.get(elementId);
        if (!node) continue;
        await add(node);
        // A composition registered deeper than itself brings its components' values too.
        if (node.isComposition && maxDepth !== 1) {
          for (const part of node.relationships.HasComponent ?? []) {
            const component = nodes.get(part);
            if (!component) continue;
            await add(component);
            if (force.has(elementId)) force.add(part);
          }
        }
      }
      return [...read.values()];
    });
    return this.store.deliver(subscriptionId, updates, {
      readAt,
      force,
      queue: options.queue,
      maxBatches: MAX_BATCHES,
      holder: options.stream?.holder,
    });
  }

  /** Reads a locally streamed subscription again (a machine's objects, or all with null). */
  private push(subscriptionId: string, machine: string | null): void {
    const stream = this.streams.get(subscriptionId);
    if (!stream) return;
    if (machine === null || stream.pending === 'all') stream.pending = 'all';
    else stream.pending = new Set([...(stream.pending ?? []), machine]);
    if (stream.running) return;
    stream.running = true;
    void (async () => {
      while (stream.pending !== null && this.streams.get(subscriptionId) === stream) {
        const pending = stream.pending;
        stream.pending = null;
        const only =
          pending === 'all'
            ? undefined
            : (id: string) => [...pending].some((m) => belongsTo(id, m));
        const changes = await this.collect(subscriptionId, { queue: false, only, stream });
        if (changes === null) this.end(subscriptionId, stream);
        else send(stream.res, changes);
      }
    })()
      .catch((error: Error) => this.logger.warn(`Subscription update failed: ${error.message}`))
      .finally(() => (stream.running = false));
  }

  /** Live updates are listened to only while this instance streams a subscription. */
  private listenWhileNeeded(): void {
    const needed = this.streams.size > 0;
    if (needed && !this.stopListening) {
      this.stopListening = this.events.onMachineUpdate((machine) => {
        for (const id of this.streams.keys()) this.push(id, machine);
      });
    } else if (!needed && this.stopListening) {
      this.stopListening();
      this.stopListening = null;
    }
  }
}

/** Whether a stream's response can still be written (its client may have gone). */
function writable(res: Response): boolean {
  return !res.writableEnded && !res.destroyed;
}

function send(res: Response, updates: SubscriptionUpdate[]): void {
  if (updates.length > 0 && writable(res)) res.write(`data: ${JSON.stringify(updates)}\n\n`);
}

function streamedElsewhere(s: StoredSubscription): boolean {
  return s.streamedUntil !== null && s.streamedUntil > Date.now();
}

/** Whether an object is a machine's or one of its figures. */
function belongsTo(elementId: string, machine: string): boolean {
  const prefix = `machine:${machine}`;
  return elementId === prefix || elementId.startsWith(`${prefix}:`);
}
