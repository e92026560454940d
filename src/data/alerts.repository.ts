import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Kysely, Selectable } from 'kysely';
import { KYSELY } from './database/database.provider';
import { AlertDeliveriesTable, AlertsTable, Database } from './database/database.types';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One occurrence of an alert rule. */
export interface AlertRecord {
  id: string;
  rule: string;
  machine: string;
  date: string;
  shift: string | null;
  value: number;
  threshold: number;
  message: string;
  /** ISO 8601 UTC. */
  raisedAt: string;
}

/** An occurrence found by a rule; `key` names it, so the same occurrence is raised once. */
export type AlertFinding = Omit<AlertRecord, 'id' | 'raisedAt'> & { key: string };

export interface DeliveryRecord {
  id: string;
  alertId: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due (pending only), ISO 8601 UTC. */
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  updatedAt: string;
}

/** A delivery that is due, with its alert. */
export interface DueDelivery {
  delivery: DeliveryRecord;
  alert: AlertRecord;
}

const iso = (ms: number) => new Date(ms).toISOString();

function alertOf(row: Selectable<AlertsTable>): AlertRecord {
  return {
    id: row.id,
    rule: row.rule,
    machine: row.machine,
    date: row.date,
    shift: row.shift,
    value: Number(row.value),
    threshold: Number(row.threshold),
    message: row.message,
    raisedAt: row.raised_at,
  };
}

function deliveryOf(row: Selectable<AlertDeliveriesTable>): DeliveryRecord {
  return {
    id: row.id,
    alertId: row.alert_id,
    url: row.url,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    updatedAt: row.updated_at,
  };
}

/**
 * The alert log and the webhook delivery queue. Raising is idempotent by the finding's key, and an
 * attempt is claimed by one writer only, so several instances evaluating and delivering at once
 * raise each occurrence once and send each delivery once per attempt.
 */
@Injectable()
export class AlertsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<Database>) {}

  /**
   * Stores the findings not raised before, each with a pending delivery per URL due now; returns
   * the alerts raised by this call.
   */
  async raise(findings: AlertFinding[], urls: string[], now: number): Promise<AlertRecord[]> {
    if (findings.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const raised: AlertRecord[] = [];
      for (const { key, ...finding } of findings) {
        const row = await trx
          .insertInto('alerts')
          .values({ id: randomUUID(), key, ...finding, raised_at: iso(now) })
          .onConflict((oc) => oc.column('key').doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!row) continue;
        raised.push(alertOf(row));
        for (const url of urls) {
          await trx
            .insertInto('alert_deliveries')
            .values({
              id: randomUUID(),
              alert_id: row.id,
              url,
              status: 'pending',
              attempts: 0,
              next_attempt_at: iso(now),
              last_status_code: null,
              last_error: null,
              updated_at: iso(now),
            })
            .execute();
        }
      }
      return raised;
    });
  }

  /** Pending deliveries due at `now`, oldest first, with their alerts. */
  async due(
    now: number,
    limit: number,
  ): Promise<{ delivery: DeliveryRecord; alert: AlertRecord }[]> {
    const rows = await this.db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', iso(now))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    const alerts = await this.db
      .selectFrom('alerts')
      .selectAll()
      .where(
        'id',
        'in',
        rows.map((r) => r.alert_id),
      )
      .execute();
    const byId = new Map(alerts.map((a) => [a.id, alertOf(a)]));
    return rows.flatMap((row) => {
      const alert = byId.get(row.alert_id);
      return alert ? [{ delivery: deliveryOf(row), alert }] : [];
    });
  }

  /**
   * Takes the next attempt of a delivery for this caller: counts it and holds the delivery until
   * `leaseUntil` (when an attempt whose sender died is retried). False when another took it first.
   */
  async claim(delivery: DeliveryRecord, now: number, leaseUntil: number): Promise<boolean> {
    const result = await this.db
      .updateTable('alert_deliveries')
      .set({
        attempts: delivery.attempts + 1,
        next_attempt_at: iso(leaseUntil),
        updated_at: iso(now),
      })
      .where('id', '=', delivery.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', delivery.attempts)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Records an attempt's outcome: delivered, failed for good, or pending until `nextAttemptAt`. */
  async settle(
    id: string,
    outcome: {
      status: DeliveryStatus;
      statusCode: number | null;
      error: string | null;
      nextAttemptAt: number | null;
    },
    now: number,
  ): Promise<void> {
    await this.db
      .updateTable('alert_deliveries')
      .set({
        status: outcome.status,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        next_attempt_at: outcome.nextAttemptAt === null ? null : iso(outcome.nextAttemptAt),
        updated_at: iso(now),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Alerts, newest first, optionally of one machine or rule, with the total that match. */
  async alerts(
    filter: { machine: string | null; rule: string | null },
    page: { limit: number; offset: number },
  ): Promise<{ total: number; alerts: AlertRecord[] }> {
    let query = this.db.selectFrom('alerts');
    if (filter.machine !== null) query = query.where('machine', '=', filter.machine);
    if (filter.rule !== null) query = query.where('rule', '=', filter.rule);
    const [{ total }, rows] = await Promise.all([
      query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow(),
      query
        .selectAll()
        .orderBy('raised_at', 'desc')
        .orderBy('date', 'desc')
        .orderBy('machine')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
    ]);
    return { total: Number(total), alerts: rows.map(alertOf) };
  }

  /** The deliveries of these alerts. */
  async deliveriesOf(alertIds: string[]): Promise<DeliveryRecord[]> {
    if (alertIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('alert_id', 'in', alertIds)
      .orderBy('url')
      .execute();
    return rows.map(deliveryOf);
  }

  /** The delivery log, most recently updated first, optionally of one status. */
  async deliveries(
    status: DeliveryStatus | null,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; deliveries: DeliveryRecord[] }> {
    let query = this.db.selectFrom('alert_deliveries');
    if (status !== null) query = query.where('status', '=', status);
    const [{ total }, rows] = await Promise.all([
      query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow(),
      query
        .selectAll()
        .orderBy('updated_at', 'desc')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
    ]);
    return { total: Number(total), deliveries: rows.map(deliveryOf) };
  }
}
