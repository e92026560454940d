import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { AlertRecord, DeliveryRecord } from '../data/alerts.repository';

/** How long a receiver has to answer one attempt. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
const MAX_ERROR_LENGTH = 300;

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/** The JSON body of an alert delivery. */
export function alertBody(alert: AlertRecord): string {
  return JSON.stringify({
    type: 'alert',
    id: alert.id,
    rule: alert.rule,
    machine: alert.machine,
    date: alert.date,
    shift: alert.shift,
    value: alert.value,
    threshold: alert.threshold,
    message: alert.message,
    raisedAt: alert.raisedAt,
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

/** Sends one attempt of a delivery: a signed JSON POST; any 2xx answer is delivered. */
@Injectable()
export class WebhookSender {
  constructor(private readonly config: AppConfig) {}

  async send(delivery: DeliveryRecord, alert: AlertRecord, now: number): Promise<AttemptResult> {
    const body = alertBody(alert);
    const timestamp = String(Math.floor(now / 1000));
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'factory-agent-alerts',
          'x-factory-agent-event': 'alert',
          'x-factory-agent-delivery': delivery.id,
          'x-factory-agent-attempt': String(delivery.attempts + 1),
          'x-factory-agent-timestamp': timestamp,
          'x-factory-agent-signature': signature(this.config.alerts.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      // The answer's body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
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
