import { Inject, Injectable } from '@nestjs/common';
import { Kysely, Transaction } from 'kysely';
import { KYSELY } from './database/database.provider';
import { Database } from './database/database.types';

/** An object's value as a subscription delivers it (i3X value, quality, timestamp). */
export interface SubscriptionUpdate {
  elementId: string;
  value: unknown;
  quality: string;
  timestamp: string;
}

export interface SubscriptionBatch {
  sequenceNumber: number;
  updates: SubscriptionUpdate[];
}

export interface StoredSubscription {
  subscriptionId: string;
  clientId: string;
  displayName: string | null;
  /** Until when an instance streams it (ms since epoch), null when nobody does. */
  streamedUntil: number | null;
}

export interface Monitored {
  elementId: string;
  maxDepth: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** What a change is judged by: value and quality, not the time it was read. */
const content = (u: SubscriptionUpdate) => JSON.stringify([u.value, u.quality]);
const CHILD_TABLES = ['i3x_batches', 'i3x_delivered', 'i3x_monitored'] as const;

/**
 * i3X subscriptions in the database (migration 0009), so that every instance serves the same ones.
 * Registering, delivering, answering and deleting first lock the subscription's own row, so a
 * change is delivered once whichever instance reads it, and nothing is written for a deleted
 * subscription. A stream is held by a token (one per open stream) with a lease.
 */
@Injectable()
export class I3xSubscriptionsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<Database>) {}

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('i3x_subscriptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async create(s: Omit<StoredSubscription, 'streamedUntil'>, now: number): Promise<void> {
    await this.db
      .insertInto('i3x_subscriptions')
      .values({
        id: s.subscriptionId,
        client_id: s.clientId,
        display_name: s.displayName,
        next_sequence: 1,
        dropped: 0,
        touched_at: iso(now),
        streamed_by: null,
        streamed_until: null,
      })
      .execute();
  }

  async find(subscriptionId: string): Promise<StoredSubscription | null> {
    const row = await this.db
      .selectFrom('i3x_subscriptions')
      .selectAll()
      .where('id', '=', subscriptionId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      subscriptionId: row.id,
      clientId: row.client_id,
      displayName: row.display_name,
      streamedUntil: row.streamed_until === null ? null : Date.parse(row.streamed_until),
    };
  }

  monitored(subscriptionId: string): Promise<Monitored[]> {
    return this.db
      .selectFrom('i3x_monitored')
      .select(['element_id as elementId', 'max_depth as maxDepth'])
      .where('subscription_id', '=', subscriptionId)
      .orderBy('element_id')
      .execute();
  }

  async monitoredCount(subscriptionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('i3x_monitored')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('subscription_id', '=', subscriptionId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Adds monitored objects; false when the subscription is gone. */
  async monitor(
    subscriptionId: string,
    elementIds: string[],
    maxDepth: number,
    now: number,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      if (!(await lock(tx, subscriptionId, now))) return false;
      for (const elementId of elementIds) {
        await tx
          .insertInto('i3x_monitored')
          .values({ subscription_id: subscriptionId, element_id: elementId, max_depth: maxDepth })
          .onConflict((oc) =>
            oc.columns(['subscription_id', 'element_id']).doUpdateSet({ max_depth: maxDepth }),
          )
          .execute();
      }
      return true;
    });
  }

  async unmonitor(subscriptionId: string, elementId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('i3x_monitored')
      .where('subscription_id', '=', subscriptionId)
      .where('element_id', '=', elementId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async delete(subscriptionId: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await lock(tx, subscriptionId, Date.now());
      for (const table of CHILD_TABLES) {
        await tx.deleteFrom(table).where('subscription_id', '=', subscriptionId).execute();
      }
      await tx.deleteFrom('i3x_subscriptions').where('id', '=', subscriptionId).execute();
    });
  }

  /** Marks the subscription as streamed by `holder` until `until`; false when it is gone. */
  async claimStream(
    subscriptionId: string,
    holder: string,
    until: number,
    now: number,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('i3x_subscriptions')
      .set({ streamed_by: holder, streamed_until: iso(until), touched_at: iso(now) })
      .where('id', '=', subscriptionId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Extends `holder`'s stream; false when another stream took it over or it was deleted. */
  async renewStream(
    subscriptionId: string,
    holder: string,
    until: number,
    now: number,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('i3x_subscriptions')
      .set({ streamed_until: iso(until), touched_at: iso(now) })
      .where('id', '=', subscriptionId)
      .where('streamed_by', '=', holder)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Ends `holder`'s stream (not one that took it over). */
  async releaseStream(subscriptionId: string, holder: string, now: number): Promise<void> {
    await this.db
      .updateTable('i3x_subscriptions')
      .set({ streamed_by: null, streamed_until: null, touched_at: iso(now) })
      .where('id', '=', subscriptionId)
      .where('streamed_by', '=', holder)
      .execute();
  }

  /** Subscriptions untouched since `before` that nobody streams, deleted; returns their ids. */
  async expire(before: number, now: number): Promise<string[]> {
    const stale = await this.db
      .selectFrom('i3x_subscriptions')
      .select('id')
      .where('touched_at', '<', iso(before))
      .where((eb) => eb.or([eb('streamed_until', 'is', null), eb('streamed_until', '<', iso(now))]))
      .execute();
    for (const { id } of stale) await this.delete(id);
    return stale.map((s) => s.id);
  }

  /** Drops the batches the client acknowledged: up to `acknowledged`, or all with -1. */
  async acknowledge(subscriptionId: string, acknowledged: number): Promise<void> {
    let done = this.db.deleteFrom('i3x_batches').where('subscription_id', '=', subscriptionId);
    if (acknowledged !== -1) done = done.where('sequence_number', '<=', acknowledged);
    await done.execute();
  }

  /**
   * Of `updates` (values read at `readAt`), the ones that differ from the last delivered (all of
   * those in `force`), recorded as delivered; queued as one batch when `queue` (at most
   * `maxBatches` kept: older ones are dropped and the next sync says so). A value read before the
   * one last delivered is left out: it is older news. For a stream (`holder`), null when that
   * stream no longer holds the subscription. Returns the changes.
   */
  async deliver(
    subscriptionId: string,
    updates: SubscriptionUpdate[],
    options: {
      readAt: number;
      force: Set<string>;
      queue: boolean;
      maxBatches: number;
      holder?: string;
    },
  ): Promise<SubscriptionUpdate[] | null> {
    if (updates.length === 0) return [];
    const readAt = iso(options.readAt);
    const changed = (
      delivered: Map<string, { value: string; read_at: string }>,
    ): SubscriptionUpdate[] =>
      updates.filter((u) => {
        const last = delivered.get(u.elementId);
        if (last && last.read_at > readAt) return false;
        return options.force.has(u.elementId) || last?.value !== content(u);
      });
    const read = async (db: Kysely<Database>) =>
      new Map(
        (
          await db
            .selectFrom('i3x_delivered')
            .select(['element_id', 'value', 'read_at'])
            .where('subscription_id', '=', subscriptionId)
            .where(
              'element_id',
              'in',
              updates.map((u) => u.elementId),
            )
            .execute()
        ).map((r) => [r.element_id, r]),
      );
    // Nothing new (the usual poll): no write, no lock.
    if (changed(await read(this.db)).length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      const locked = await lock(tx, subscriptionId, options.readAt);
      if (!locked) return options.holder === undefined ? [] : null;
      if (options.holder !== undefined && locked.streamedBy !== options.holder) return null;
      const changes = changed(await read(tx));
      for (const u of changes) {
        const row = { value: content(u), read_at: readAt };
        await tx
          .insertInto('i3x_delivered')
          .values({ subscription_id: subscriptionId, element_id: u.elementId, ...row })
          .onConflict((oc) => oc.columns(['subscription_id', 'element_id']).doUpdateSet(row))
          .execute();
      }
      if (!options.queue || changes.length === 0) return changes;
      const next = locked.nextSequence;
      await tx
        .insertInto('i3x_batches')
        .values({
          subscription_id: subscriptionId,
          sequence_number: next,
          updates: JSON.stringify(changes),
        })
        .execute();
      const overflow = await tx
        .deleteFrom('i3x_batches')
        .where('subscription_id', '=', subscriptionId)
        .where('sequence_number', '<=', next - options.maxBatches)
        .executeTakeFirst();
      await tx
        .updateTable('i3x_subscriptions')
        .set((eb) => ({
          next_sequence: next + 1,
          dropped: Number(overflow.numDeletedRows) > 0 ? 1 : eb.ref('dropped'),
        }))
        .where('id', '=', subscriptionId)
        .execute();
      return changes;
    });
  }

  /**
   * The queued batches, oldest first, and whether some were dropped since the last sync (then
   * cleared). `take` removes them (a stream delivers them) and leaves the overflow mark for the
   * next sync.
   */
  async batches(
    subscriptionId: string,
    now: number,
    take = false,
  ): Promise<{ batches: SubscriptionBatch[]; dropped: boolean }> {
    return this.db.transaction().execute(async (tx) => {
      const locked = await lock(tx, subscriptionId, now);
      if (!locked) return { batches: [], dropped: false };
      const rows = await tx
        .selectFrom('i3x_batches')
        .select(['sequence_number', 'updates'])
        .where('subscription_id', '=', subscriptionId)
        .orderBy('sequence_number')
        .execute();
      if (take) {
        await tx.deleteFrom('i3x_batches').where('subscription_id', '=', subscriptionId).execute();
      } else if (locked.dropped) {
        await tx
          .updateTable('i3x_subscriptions')
          .set({ dropped: 0 })
          .where('id', '=', subscriptionId)
          .execute();
      }
      return {
        batches: rows.map((r) => ({
          sequenceNumber: Number(r.sequence_number),
          updates: JSON.parse(r.updates) as SubscriptionUpdate[],
        })),
        dropped: !take && locked.dropped,
      };
    });
  }
}

/**
 * Locks the subscription's row for the transaction (a row lock on PostgreSQL, the write lock on
 * SQLite), marking it used at `now`; returns its next sequence number, overflow mark and stream
 * holder, null when it was deleted.
 */
async function lock(
  tx: Transaction<Database>,
  subscriptionId: string,
  now: number,
): Promise<{ nextSequence: number; dropped: boolean; streamedBy: string | null } | null> {
  await tx
    .updateTable('i3x_subscriptions')
    .set({ touched_at: iso(now) })
    .where('id', '=', subscriptionId)
    .execute();
  const row = await tx
    .selectFrom('i3x_subscriptions')
    .select(['next_sequence', 'dropped', 'streamed_by'])
    .where('id', '=', subscriptionId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    nextSequence: Number(row.next_sequence),
    dropped: Boolean(row.dropped),
    streamedBy: row.streamed_by,
  };
}
