// Activities come from a factory that receives their dependencies (CONVENTIONS.md 3).
import type { AmazonPayClient } from './amazon-pay/client';
import { amazonPayActivities } from './amazon-pay/activities';
import type { CheckoutRecords } from '../records/checkout-sessions';
import { recordActivities } from './records/activities';
import { WEBHOOKS_NOT_CONFIGURED, webhookActivities } from './webhooks/activities';
import type { WebhookConfig } from './webhooks/types';
import { meteredRecords, type CheckoutMetrics } from './metrics';

export interface ActivityDeps {
  amazonPay: AmazonPayClient;
  records: CheckoutRecords;
  /** Merchant webhooks; default: not configured (each event is recorded as such, nothing is sent). */
  webhooks?: WebhookConfig;
  /** Business metrics (worker/metrics.ts); none in tests that do not look at them. */
  metrics?: CheckoutMetrics;
}

export const createActivities = (deps: ActivityDeps) => {
  // Every applied step is counted where it is written (activities/metrics.ts), never in workflow code.
  const d = deps.metrics ? { ...deps, records: meteredRecords(deps.records, deps.metrics) } : deps;
  return {
    ...amazonPayActivities(d),
    ...recordActivities(d.records),
    ...webhookActivities({ records: d.records, config: d.webhooks ?? WEBHOOKS_NOT_CONFIGURED, metrics: d.metrics }),
  };
};

export type Activities = ReturnType<typeof createActivities>;
