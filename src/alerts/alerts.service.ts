import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config.service';
import { AlertRecord, AlertsRepository, DueDelivery } from '../data/alerts.repository';
import { DataService } from '../data/data.service';
import { AlertRules } from './alert-rules';
import { ATTEMPT_TIMEOUT_MS, AttemptResult, WebhookSender } from './webhook-sender';
import { displayUrl } from './webhook-url';

/** How often due deliveries are looked for (retries are due at whole seconds at the soonest). */
const DELIVERY_POLL_MS = 1_000;
/** Deliveries looked at per poll at most. */
const DUE_PER_POLL = 500;
/** Alerts one POST carries at most. */
const ALERTS_PER_POST = 100;
/** Alerts logged one by one per evaluation; more are summed up in one line. */
const LOGGED_ALERTS = 10;
/** The longest wait between two attempts. */
const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Evaluates the alert rules when the data changes (a new data version, from any process), when a
 * machine's targets change and when a shift or a day ends, every ALERT_CHECK_SECONDS; raises each occurrence once and delivers it to
 * every ALERT_WEBHOOK_URLS, retrying with doubling delays up to ALERT_WEBHOOK_ATTEMPTS attempts.
 * Raised alerts and deliveries are stored first, so a restart loses none.
 */
@Injectable()
export class AlertsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Alerts');
  private checkTimer: NodeJS.Timeout | null = null;
  private deliveryTimer: NodeJS.Timeout | null = null;
  private evaluated: { version: number; mark: string } | null = null;
  private checking: Promise<unknown> = Promise.resolve();
  private delivering: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly rules: AlertRules,
    private readonly repository: AlertsRepository,
    private readonly data: DataService,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const { rules, webhookUrls } = this.config.alerts;
    if (rules.length > 0) this.scheduleCheck(0);
    // Without webhooks one pass still runs: it fails the deliveries left for webhooks no longer
    // configured, rather than leaving them pending for ever.
    this.scheduleDeliveries(webhookUrls.length > 0 ? DELIVERY_POLL_MS : 0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.checkTimer) clearTimeout(this.checkTimer);
    if (this.deliveryTimer) clearTimeout(this.deliveryTimer);
    await Promise.all([this.checking, this.delivering]);
  }

  /**
   * Evaluates the rules if the data or the ended periods changed since the last evaluation; returns
   * the alerts raised.
   */
  async check(): Promise<AlertRecord[]> {
    const version = await this.data.dataVersion();
    // Targets are not data: a changed one moves the mark instead of the version.
    const targets = [await this.data.machineTargets(), await this.data.plantTargetsNow()];
    const mark = `${this.rules.periodMark()}|${JSON.stringify(targets)}`;
    if (this.evaluated?.version === version && this.evaluated.mark === mark) return [];
    const findings = await this.rules.findings();
    const raised = await this.repository.raise(
      findings,
      this.config.alerts.webhookUrls,
      this.clock.now(),
    );
    this.evaluated = { version, mark };
    for (const alert of raised.slice(0, LOGGED_ALERTS)) {
      this.logger.warn(`Alert (${alert.rule}): ${alert.message}`);
    }
    if (raised.length > LOGGED_ALERTS) {
      this.logger.warn(
        `... and ${raised.length - LOGGED_ALERTS} more alerts (query alerts or run factory-agent alerts)`,
      );
    }
    return raised;
  }

  /**
   * Sends the deliveries that are due, grouped: one POST per webhook carries up to
   * ALERTS_PER_POST alerts, so a burst of alerts (a first start over a plant below its targets)
   * is a few requests, not a storm. Returns the POSTs made.
   */
  async deliverDue(): Promise<number> {
    const due = await this.repository.due(this.clock.now(), DUE_PER_POLL);
    const byUrl = new Map<string, DueDelivery[]>();
    for (const item of due) {
      byUrl.set(item.delivery.url, [...(byUrl.get(item.delivery.url) ?? []), item]);
    }
    let posts = 0;
    const configured = new Set(this.config.alerts.webhookUrls);
    // Webhooks are served side by side: one that hangs delays only its own deliveries.
    await Promise.all(
      [...byUrl].map(async ([url, items]) => {
        if (!configured.has(url)) return this.abandon(url, items);
        posts += await this.deliverTo(url, items);
      }),
    );
    return posts;
  }

  /** Deliveries for a webhook that ALERT_WEBHOOK_URLS no longer lists: failed, and said so. */
  private async abandon(url: string, items: DueDelivery[]): Promise<void> {
    const now = this.clock.now();
    for (const { delivery } of items) {
      await this.repository.settle(
        delivery.id,
        {
          status: 'failed',
          statusCode: null,
          error: 'ALERT_WEBHOOK_URLS no longer lists this webhook',
          nextAttemptAt: null,
        },
        now,
      );
    }
    this.logger.warn(
      `${items.length} delivery(ies) to ${displayUrl(url)} failed: ALERT_WEBHOOK_URLS no longer lists it`,
    );
  }

  /** The due deliveries of one webhook, up to ALERTS_PER_POST alerts per POST; the POSTs made. */
  private async deliverTo(url: string, items: DueDelivery[]): Promise<number> {
    let posts = 0;
    for (let start = 0; start < items.length; start += ALERTS_PER_POST) {
      const now = this.clock.now();
      const claimed: DueDelivery[] = [];
      // Held while the attempt runs; a sender that dies leaves them due again after the lease.
      for (const item of items.slice(start, start + ALERTS_PER_POST)) {
        if (await this.repository.claim(item.delivery, now, now + 3 * ATTEMPT_TIMEOUT_MS)) {
          claimed.push(item);
        }
      }
      if (claimed.length === 0) continue;
      posts++;
      const result = await this.sender.send(url, claimed, now);
      await this.settle(url, claimed, result);
    }
    return posts;
  }

  /** Records an attempt for each delivery it carried: delivered, retried later, or failed. */
  private async settle(url: string, sent: DueDelivery[], result: AttemptResult): Promise<void> {
    const { attempts: maxAttempts, retryMs } = this.config.alerts;
    const done = this.clock.now();
    let failedForGood = 0;
    let nextDelay = 0;
    for (const { delivery } of sent) {
      const attempt = delivery.attempts + 1;
      const final = !result.ok && attempt >= maxAttempts;
      const delay = Math.min(retryMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
      if (final) failedForGood++;
      else nextDelay = Math.max(nextDelay, delay);
      await this.repository.settle(
        delivery.id,
        {
          ...result,
          status: result.ok ? 'delivered' : final ? 'failed' : 'pending',
          nextAttemptAt: result.ok || final ? null : done + delay,
        },
        done,
      );
    }
    if (result.ok) return;
    const where = `${sent.length} alert(s) to ${displayUrl(url)}`;
    if (failedForGood > 0) {
      this.logger.error(
        `Delivery of ${where} failed (${result.error}); ${failedForGood} of them after their last attempt (ALERT_WEBHOOK_ATTEMPTS=${maxAttempts}): failed for good`,
      );
    }
    if (failedForGood < sent.length) {
      this.logger.warn(
        `Delivery of ${where} failed (${result.error}); trying again within ${Math.round(nextDelay / 1000)} s`,
      );
    }
  }

  private scheduleCheck(delayMs: number): void {
    if (this.stopped) return;
    this.checkTimer = setTimeout(() => {
      this.checking = this.check()
        .catch((error: Error) =>
          this.logger.error(`Alert rules could not be evaluated: ${error.message}`),
        )
        .finally(() => this.scheduleCheck(this.config.alerts.checkMs));
    }, delayMs);
    this.checkTimer.unref();
  }

  private scheduleDeliveries(delayMs: number): void {
    if (this.stopped) return;
    this.deliveryTimer = setTimeout(() => {
      this.delivering = this.deliverDue()
        .catch((error: Error) => this.logger.error(`Alert deliveries: ${error.message}`))
        .finally(() => {
          if (this.config.alerts.webhookUrls.length > 0) this.scheduleDeliveries(DELIVERY_POLL_MS);
        });
    }, delayMs);
    this.deliveryTimer.unref();
  }
}
