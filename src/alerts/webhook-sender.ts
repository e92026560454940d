import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { DueDelivery } from '../data/alerts.repository';

/** How long a receiver has to answer one attempt. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
const MAX_ERROR_LENGTH = 300;

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/**
 * The JSON body of a POST: the alerts it carries, each with its delivery id (the same in every
 * attempt, for the receiver to deduplicate on) and attempt number.
 */
export function alertsBody(items: DueDelivery[]): string {
  return JSON.stringify({
    type: 'alerts',
    alerts: items.map(({ delivery, alert }) => ({
      deliveryId: delivery.id,
      attempt: delivery.attempts + 1,
      id: alert.id,
      rule: alert.rule,
      machine: alert.machine,
      date: alert.date,
      shift: alert.shift,
      value: alert.value,
      threshold: alert.threshold,
      message: alert.message,
      raisedAt: alert.raisedAt,
    })),
  });
}

/**
 * The signature a receiver checks: HMAC-SHA256 with ALERT_WEBHOOK_SECRET over
 * `<timestamp>.<body>`, hex, as `sha256=<hex>`. The timestamp (Unix seconds) is signed too, so that
 * a receiver can refuse old deliveries replayed.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Sends one attempt of some deliveries to one webhook: a signed JSON POST; a 2xx answer delivers them. */
@Injectable()
export class WebhookSender {
  constructor(private readonly config: AppConfig) {}

  async send(url: string, items: DueDelivery[], now: number): Promise<AttemptResult> {
    const body = alertsBody(items);
    const timestamp = String(Math.floor(now / 1000));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'factory-agent-alerts',
          'x-factory-agent-event': 'alerts',
          'x-factory-agent-timestamp': timestamp,
          'x-factory-agent-signature': signature(this.config.alerts.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      // The answer's body is not needed: cancelled, not read (a receiver could send without end).
      await response.body?.cancel().catch(() => undefined);
      return response.ok
        ? { ok: true, statusCode: response.status, error: null }
        : { ok: false, statusCode: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      const message =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`
          : `${(error as Error).message}${cause ? `: ${cause}` : ''}`;
      return { ok: false, statusCode: null, error: message.slice(0, MAX_ERROR_LENGTH) };
    }
  }
}
