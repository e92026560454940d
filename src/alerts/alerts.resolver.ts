import { Args, Query, Resolver } from '@nestjs/graphql';
import { AlertLog } from './alert-log';
import { AlertDeliveriesArgs, AlertsArgs } from './alerts.args';
import { AlertDeliveryPage, AlertPage } from './models/alert.model';

@Resolver()
export class AlertsResolver {
  constructor(private readonly log: AlertLog) {}

  @Query(() => AlertPage, {
    description:
      'Alerts raised by the alert rules (ALERT_RULES), newest first, with their deliveries.',
  })
  alerts(@Args() args: AlertsArgs): Promise<AlertPage> {
    const { limit, offset, ...filter } = args;
    return this.log.alerts(filter, { limit, offset });
  }

  @Query(() => AlertDeliveryPage, {
    description: 'The webhook delivery log (ALERT_WEBHOOK_URLS), most recently updated first.',
  })
  alertDeliveries(@Args() args: AlertDeliveriesArgs): Promise<AlertDeliveryPage> {
    return this.log.deliveries(args.status, { limit: args.limit, offset: args.offset });
  }
}
