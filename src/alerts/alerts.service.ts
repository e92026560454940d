import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config.service';
import { AlertRecord, AlertsRepository } from '../data/alerts.repository';
import { DataService } from '../data/data.service';
import { AlertRules } from './alert-rules';
import { ATTEMPT_TIMEOUT_MS, WebhookSender } from './webhook-sender';
import { displayUrl } from './webhook-url';

/** How often due deliveries are looked for (retries are due at whole seconds at the soonest). */
const DELIVERY_POLL_MS = 1_000;
/** Deliveries sent per poll at most. */
const DELIVERY_BATCH = 20;
/** The longest wait between two attempts. */
const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Evaluates the alert rules when the data changes (a new data version, from any process) and when a
 * shift or a day ends, every ALERT_CHECK_SECONDS; raises each occurrence once and delivers it to
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
    if (webhookUrls.length > 0) this.scheduleDeliveries(DELIVERY_POLL_MS);
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
    const mark = this.rules.periodMark();
    if (this.evaluated?.version === version && this.evaluated.mark === mark) return [];
    const findings = await this.rules.findings();
    const raised = await this.repository.raise(
      findings,
      this.config.alerts.webhookUrls,
      this.clock.now(),
    );
    this.evaluated = { version, mark };
    for (const alert of raised) this.logger.warn(`Alert (${alert.rule}): ${alert.message}`);
    return raised;
  }

  /** Sends the deliveries that are due; returns how many attempts were made. */
  async deliverDue(): Promise<number> {
    const { attempts: maxAttempts, retryMs } = this.config.alerts;
    let made = 0;
    for (const { delivery, alert } of await this.repository.due(this.clock.now(), DELIVERY_BATCH)) {
      const now = this.clock.now();
      // Held while the attempt runs; a sender that dies leaves it due again after the lease.
      if (!(await this.repository.claim(delivery, now, now + 3 * ATTEMPT_TIMEOUT_MS))) continue;
      made++;
      const result = await this.sender.send(delivery, alert, now);
      const attempt = delivery.attempts + 1;
      const done = this.clock.now();
      if (result.ok) {
        await this.repository.settle(
          delivery.id,
          { ...result, status: 'delivered', nextAttemptAt: null },
          done,
        );
        continue;
      }
      const final = attempt >= maxAttempts;
      const delay = Math.min(retryMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
      await this.repository.settle(
        delivery.id,
        {
          ...result,
          status: final ? 'failed' : 'pending',
          nextAttemptAt: final ? null : done + delay,
        },
        done,
      );
      const where = `alert ${alert.id} to ${displayUrl(delivery.url)}`;
      if (final) {
        this.logger.error(
          `Delivery of ${where} failed for good after ${attempt} attempts: ${result.error}`,
        );
      } else {
        this.logger.warn(
          `Delivery of ${where} failed (attempt ${attempt} of ${maxAttempts}: ${result.error}); next in ${Math.round(delay / 1000)} s`,
        );
      }
    }
    return made;
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
        .finally(() => this.scheduleDeliveries(DELIVERY_POLL_MS));
    }, delayMs);
    this.deliveryTimer.unref();
  }
}
