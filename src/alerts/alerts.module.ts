import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DataModule } from '../data/data.module';
import { MetricsModule } from '../metrics/metrics.module';
import { AlertLog } from './alert-log';
import { AlertRules } from './alert-rules';
import { AlertsResolver } from './alerts.resolver';
import { AlertsService } from './alerts.service';
import { WebhookSender } from './webhook-sender';

/** The alert log and delivery log, for GraphQL and the CLI. */
@Module({
  imports: [DataModule, MetricsModule],
  providers: [AlertLog, AlertsResolver],
  exports: [AlertLog],
})
export class AlertsModule {}

/** The server's alert rules and webhook deliveries, run on a schedule (not in CLI commands). */
@Module({
  imports: [DataModule, MetricsModule],
  providers: [Clock, AlertRules, WebhookSender, AlertsService],
})
export class AlertWatchModule {}
