// The merchant webhook's vocabulary, types only: the workflow imports it with `import type` (CONVENTIONS.md 1).

export type WebhookEventType =
  | 'checkout.completed'
  | 'checkout.declined'
  | 'checkout.buyer_canceled'
  | 'checkout.expired'
  | 'checkout.failed'
  | 'checkout.authorization_pending';

/** What the workflow passes to `deliverMerchantWebhook`: IDs and states only, never buyer data. */
export interface WebhookEventInput {
  /** `${checkoutSessionId}:${seq}`: stable across retries, so the receiver can drop duplicates. */
  eventId: string;
  type: WebhookEventType;
  checkoutSessionId: string;
  /** CheckoutState */
  state: string;
  reasonCode: string | null;
  chargeId: string | null;
  chargePermissionId: string | null;
  chargeState: string | null;
  chargeAmount: { amount: string; currencyCode: string } | null;
  totalOrderAmount: { amount: string; currencyCode: string } | null;
  merchantReferenceId: string | null;
  /** Completed by lost-return recovery, not by the buyer's return. */
  recovered: boolean;
  /** ISO instant, workflow time. */
  occurredAt: string;
}

export interface WebhookDeliveryResult {
  outcome: 'delivered' | 'not-configured';
  attempts: number;
  httpStatus?: number;
}

/** Where and how the worker delivers webhooks; parsed from the environment by `webhookConfigFromEnv`. */
export interface WebhookConfig {
  /** http(s) URL of the merchant's receiver; unset = webhooks not configured. */
  url?: string;
  /** Signing secrets, current first; a second one while rotating (both sign every delivery). */
  secrets: readonly string[];
  /** Give up (WebhookExpired) once the first attempt was scheduled this long ago. */
  maxDeliveryMs: number;
  /** Add the buyer's name, email and addresses (read from MongoDB) to the body. */
  includeBuyer: boolean;
  /** Timeout of one HTTP attempt. */
  timeoutMs: number;
}

/** The failure types `deliverMerchantWebhook` throws (CONVENTIONS.md 5). */
export type WebhookFailureType = 'WebhookFailed' | 'WebhookRejected' | 'WebhookExpired';
