import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: "An alert's delivery to one webhook (ALERT_WEBHOOK_URLS)." })
export class AlertDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  alertId!: string;

  @Field({ description: 'The webhook, without credentials or query string.' })
  url!: string;

  @Field({
    description:
      'pending (an attempt is due or running), delivered or failed (every attempt failed).',
  })
  status!: string;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => String, {
    nullable: true,
    description: 'When the next attempt is due (pending only), ISO 8601 UTC.',
  })
  nextAttemptAt!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "The receiver's HTTP status at the last attempt.",
  })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;

  @Field({ description: 'ISO 8601 UTC.' })
  updatedAt!: string;
}

@ObjectType({ description: 'One occurrence of an alert rule (ALERT_RULES), raised once.' })
export class Alert {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'shift-oee, long-downtime or scrap-rate.' })
  rule!: string;

  @Field()
  machine!: string;

  @Field({ description: 'The production date (plant time zone).' })
  date!: string;

  @Field(() => String, { nullable: true })
  shift!: string | null;

  @Field(() => Float, {
    description:
      'The figure: OEE as a ratio (shift-oee), hours (long-downtime), percent (scrap-rate).',
  })
  value!: number;

  @Field(() => Float, { description: 'The target or limit it crossed, in the same unit.' })
  threshold!: number;

  @Field()
  message!: string;

  @Field({ description: 'When it was raised, ISO 8601 UTC.' })
  raisedAt!: string;

  @Field(() => [AlertDelivery], { description: 'Its deliveries, one per webhook.' })
  deliveries!: AlertDelivery[];
}

@ObjectType()
export class AlertPage {
  @Field(() => Int, { description: 'Alerts that match, in all pages.' })
  total!: number;

  @Field(() => [Alert], { description: 'Newest first.' })
  alerts!: Alert[];
}

@ObjectType()
export class AlertDeliveryPage {
  @Field(() => Int)
  total!: number;

  @Field(() => [AlertDelivery], { description: 'Most recently updated first.' })
  deliveries!: AlertDelivery[];
}
