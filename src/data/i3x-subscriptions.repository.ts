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

/**
 * i3X subscriptions in the database (migration 0009), so that every instance serves the same ones.
 * Each delivery compares the values just read with the last ones delivered, under a lock on the
 * subscription's row, so an object's change is delivered once whichever instance reads it.
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

  async monitor(subscriptionId: string, elementIds: string[], maxDepth: number): Promise<void> {
    if (elementIds.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const elementId of elementIds) {
        await tx
          .insertInto('i3x_monitored')
          .values({ subscription_id: subscriptionId, element_id: elementId, max_depth: maxDepth })
          .onConflict((oc) =>
            oc.columns(['subscription_id', 'element_id']).doUpdateSet({ max_depth: maxDepth }),
          )
          .execute();
      }
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
      for (const table of ['i3x_batches', 'i3x_delivered', 'i3x_monitored'] as const) {
        await tx.deleteFrom(table).where('subscription_id', '=', subscriptionId).execute();
      }
      await tx.deleteFrom('i3x_subscriptions').where('id', '=', subscriptionId).execute();
    });
  }

  async touch(subscriptionId: string, now: number): Promise<void> {
    await this.db
      .updateTable('i3x_subscriptions')
      .set({ touched_at: iso(now) })
      .where('id', '=', subscriptionId)
      .execute();
  }

  /** Marks the subscription as streamed until `until` (null: no longer). */
  async streamUntil(subscriptionId: string, until: number | null, now: number): Promise<void> {
    await this.db
      .updateTable('i3x_subscriptions')
      .set({ streamed_until: until === null ? null : iso(until), touched_at: iso(now) })
      .where('id', '=', subscriptionId)
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

  /**
   * Of `updates` (values just read), the ones that differ from the last delivered (all of those
   * in `force`), recorded as delivered; queued as one batch when `queue` (at most `maxBatches`
   * kept: older ones are dropped and the next sync says so). Returns the changes.
   */
  async deliver(
    subscriptionId: string,
    updates: SubscriptionUpdate[],
    options: { force: Set<string>; queue: boolean; maxBatches: number },
  ): Promise<SubscriptionUpdate[]> {
    if (updates.length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      const locked = await lock(tx, subscriptionId);
      if (!locked) return [];
      const next = locked.nextSequence;
      const delivered = new Map(
        (
          await tx
            .selectFrom('i3x_delivered')
            .select(['element_id', 'value'])
            .where('subscription_id', '=', subscriptionId)
            .where(
              'element_id',
              'in',
              updates.map((u) => u.elementId),
            )
            .execute()
        ).map((r) => [r.element_id, r.value]),
      );
      const changes = updates.filter(
        (u) => options.force.has(u.elementId) || delivered.get(u.elementId) !== content(u),
      );
      for (const u of changes) {
        await tx
          .insertInto('i3x_delivered')
          .values({ subscription_id: subscriptionId, element_id: u.elementId, value: content(u) })
          .onConflict((oc) =>
            oc.columns(['subscription_id', 'element_id']).doUpdateSet({ value: content(u) }),
          )
          .execute();
      }
      if (!options.queue || changes.length === 0) return changes;
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
   * Drops the batches acknowledged (up to `acknowledged`; -1: all; null: none) and returns the
   * rest, oldest first, with whether some were dropped since the last call (then cleared).
   * `take` removes the returned ones too (a stream delivers them).
   */
  async batches(
    subscriptionId: string,
    acknowledged: number | null,
    now: number,
    take = false,
  ): Promise<{ batches: SubscriptionBatch[]; dropped: boolean }> {
    return this.db.transaction().execute(async (tx) => {
      const locked = await lock(tx, subscriptionId);
      if (!locked) return { batches: [], dropped: false };
      if (acknowledged !== null) {
        let done = tx.deleteFrom('i3x_batches').where('subscription_id', '=', subscriptionId);
        if (acknowledged !== -1) done = done.where('sequence_number', '<=', acknowledged);
        await done.execute();
      }
      const rows = await tx
        .selectFrom('i3x_batches')
        .select(['sequence_number', 'updates'])
        .where('subscription_id', '=', subscriptionId)
        .orderBy('sequence_number')
        .execute();
      if (take) {
        await tx.deleteFrom('i3x_batches').where('subscription_id', '=', subscriptionId).execute();
      }
      await tx
        .updateTable('i3x_subscriptions')
        .set({ dropped: 0, touched_at: iso(now) })
        .where('id', '=', subscriptionId)
        .execute();
      return {
        batches: rows.map((r) => ({
          sequenceNumber: Number(r.sequence_number),
          updates: JSON.parse(r.updates) as SubscriptionUpdate[],
        })),
        dropped: locked.dropped,
      };
    });
  }
}

/**
 * Locks the subscription's row for the transaction (a row lock on PostgreSQL, the write lock on
 * SQLite) and returns its next sequence number and overflow flag; null when it was deleted.
 */
async function lock(
  tx: Transaction<Database>,
  subscriptionId: string,
): Promise<{ nextSequence: number; dropped: boolean } | null> {
  await tx
    .updateTable('i3x_subscriptions')
    .set((eb) => ({ next_sequence: eb.ref('next_sequence') }))
    .where('id', '=', subscriptionId)
    .execute();
  const row = await tx
    .selectFrom('i3x_subscriptions')
    .select(['next_sequence', 'dropped'])
    .where('id', '=', subscriptionId)
    .executeTakeFirst();
  return row ? { nextSequence: Number(row.next_sequence), dropped: Boolean(row.dropped) } : null;
}
