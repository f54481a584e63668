// Activities come from a factory that receives their dependencies (CONVENTIONS.md 3).
import type { AmazonPayClient } from './amazon-pay/client';
import { amazonPayActivities } from './amazon-pay/activities';
import type { CheckoutRecords } from './records/checkout-sessions';
import { recordActivities } from './records/activities';

export interface ActivityDeps {
  amazonPay: AmazonPayClient;
  records: CheckoutRecords;
}

export const createActivities = (d: ActivityDeps) => ({
  ...amazonPayActivities(d),
  ...recordActivities(d.records),
});

export type Activities = ReturnType<typeof createActivities>;
