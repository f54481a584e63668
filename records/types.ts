import type { ChargePermissionType, ChargeState, CheckoutFlow, CheckoutState, PaymentIntent, TimelineEventType } from '../domain/checkout';

// The record shapes shared by the records module, the activities and (as types) the workflow.
// DESIGN.md, "Records in MongoDB".

/** Identifies one write of one session: the workflow's step number makes every write idempotent and ordered. */
export interface StepContext {
  seq: number;
  workflowId: string;
  runId: string;
  /** Workflow time of the step (ISO), so a retried write stores the same instant. */
  at: string;
}

export interface StoredMoney {
  amount: string;
  currencyCode: string;
  /** Integer minor units (JPY has none). */
  minor: number;
}

export interface MoneyInput {
  amount: string;
  currencyCode: string;
}

/** Fields the workflow itself sets; buyer data is only ever set by the Amazon Pay activities. */
export interface SessionFields {
  state?: CheckoutState;
  reasonCode?: string | null;
  flow?: CheckoutFlow;
  chargePermissionType?: ChargePermissionType;
  paymentIntent?: PaymentIntent | null;
  chargeAmount?: MoneyInput | null;
  totalOrderAmount?: MoneyInput | null;
  merchantReferenceId?: string | null;
  deadline?: string;
  chargeId?: string | null;
  chargePermissionId?: string | null;
  chargeState?: ChargeState | null;
  returnedAt?: string;
  /** Set when lost-return recovery, not the buyer's return, confirmed the session. */
  recoveredAt?: string;
  finalizedAt?: string;
  settledAt?: string;
  closedAt?: string;
}

export interface TimelineEvent {
  type: TimelineEventType;
  [detail: string]: unknown;
}

export interface RecordStepRequest {
  checkoutSessionId: string;
  step: StepContext;
  event: TimelineEvent;
  set: SessionFields;
}

/**
 * How the session's latest merchant webhook fared: `retrying` while Temporal retries it, `delivered`, `rejected`
 * (4xx), `expired` (not delivered within MERCHANT_WEBHOOK_MAX_DELIVERY_MS), `failed` (a manual resend got no 2xx;
 * nothing retries it), `not-configured` (no MERCHANT_WEBHOOK_URL).
 */
export type WebhookDeliveryState = 'not-configured' | 'retrying' | 'delivered' | 'rejected' | 'expired' | 'failed';

/** The session document's `webhook` field, written whole by `setWebhookDelivery`. Holds no buyer data. */
export interface WebhookDelivery {
  state: WebhookDeliveryState;
  lastEventId: string;
  lastEventType: string;
  /** The event as sent, without buyer data: what `checkout resend-webhook` sends again. */
  lastEvent: Record<string, unknown>;
  /** HTTP attempts made for this event (the activity's attempt number; a resend adds one). */
  attempts: number;
  lastHttpStatus?: number | null;
  /** Status line or transport error of the last failed attempt, bounded; never the response body. */
  lastError?: string | null;
  deliveredAt?: Date;
  /** Set by `checkout resend-webhook`. */
  resentAt?: Date;
  updatedAt: Date;
}
