// Activities come from a factory that receives their dependencies (CONVENTIONS.md 3).
import type { AmazonPayClient } from './amazon-pay/client';
import { amazonPayActivities } from './amazon-pay/activities';
import type { CheckoutRecords } from '../records/checkout-sessions';
import { recordActivities } from './records/activities';
import { WEBHOOKS_NOT_CONFIGURED, webhookActivities } from './webhooks/activities';
import type { WebhookConfig } from './webhooks/types';

export interface ActivityDeps {
  amazonPay: AmazonPayClient;
  records: CheckoutRecords;
  /** Merchant webhooks; default: not configured (each event is recorded as such, nothing is sent). */
  webhooks?: WebhookConfig;
}

export const createActivities = (d: ActivityDeps) => ({
  ...amazonPayActivities(d),
  ...recordActivities(d.records),
  ...webhookActivities({ records: d.records, config: d.webhooks ?? WEBHOOKS_NOT_CONFIGURED }),
});

export type Activities = ReturnType<typeof createActivities>;
