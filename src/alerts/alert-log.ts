import { Injectable } from '@nestjs/common';
import { BadInputError } from '../common/errors';
import { quoted } from '../common/text';
import { ALERT_RULE_NAMES } from '../config/env';
import {
  AlertRecord,
  AlertsRepository,
  DeliveryRecord,
  DeliveryStatus,
} from '../data/alerts.repository';
import { assertPage } from '../metrics/metrics.limits';
import { MetricsService } from '../metrics/metrics.service';
import { displayUrl } from './webhook-url';

const STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed'];

export type AlertWithDeliveries = AlertRecord & { deliveries: DeliveryRecord[] };

/** Reads the alert log and the delivery log for GraphQL and the CLI, arguments validated. */
@Injectable()
export class AlertLog {
  constructor(
    private readonly repository: AlertsRepository,
    private readonly metrics: MetricsService,
  ) {}

  async alerts(
    filter: { machine?: string | null; rule?: string | null },
    page: { limit: number; offset: number },
  ): Promise<{ total: number; alerts: AlertWithDeliveries[] }> {
    assertPage(page);
    const rule = filter.rule?.trim().toLowerCase() || null;
    if (rule !== null && !(ALERT_RULE_NAMES as readonly string[]).includes(rule)) {
      throw new BadInputError(
        `rule must be one of ${ALERT_RULE_NAMES.join(', ')}, got ${quoted(filter.rule)}`,
      );
    }
    const machine = filter.machine
      ? (await this.metrics.resolveMachine(filter.machine)).name
      : null;
    const { total, alerts } = await this.repository.alerts({ machine, rule }, page);
    const deliveries = await this.repository.deliveriesOf(alerts.map((a) => a.id));
    return {
      total,
      alerts: alerts.map((alert) => ({
        ...alert,
        deliveries: deliveries.filter((d) => d.alertId === alert.id).map(shown),
      })),
    };
  }

  async deliveries(
    status: string | null | undefined,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; deliveries: DeliveryRecord[] }> {
    assertPage(page);
    const wanted = status?.trim().toLowerCase() || null;
    if (wanted !== null && !STATUSES.includes(wanted as DeliveryStatus)) {
      throw new BadInputError(
        `status must be one of ${STATUSES.join(', ')}, got ${quoted(status)}`,
      );
    }
    const { total, deliveries } = await this.repository.deliveries(
      wanted as DeliveryStatus | null,
      page,
    );
    return { total, deliveries: deliveries.map(shown) };
  }
}

/** A delivery as shown: its URL without credentials or query string. */
function shown(delivery: DeliveryRecord): DeliveryRecord {
  return { ...delivery, url: displayUrl(delivery.url) };
}
