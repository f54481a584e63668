// The checkout vocabulary, each term declared once (DESIGN.md, "two shared homes"): our session states and flows,
// and Amazon Pay's session, charge and charge-permission states, payment intents and charge permission types. The
// workflow's input schema, the Amazon Pay client's response schemas and the records all take them from here.
import { z } from 'zod';

export const CheckoutFlow = z.enum(['complete', 'finalize']);
export type CheckoutFlow = z.infer<typeof CheckoutFlow>;

export const ChargePermissionType = z.enum(['OneTime', 'Recurring', 'PaymentMethodOnFile']);
export type ChargePermissionType = z.infer<typeof ChargePermissionType>;

export const PaymentIntent = z.enum(['Confirm', 'Authorize', 'AuthorizeWithCapture']);
export type PaymentIntent = z.infer<typeof PaymentIntent>;

/** Every state a session can be in (ours, not Amazon's); the final ones end the workflow. */
export const CheckoutState = z.enum([
  'AwaitingReturn',
  'Finalizing',
  'AuthorizationPending',
  'Completed',
  'Declined',
  'BuyerCanceled',
  'Expired',
  'Failed',
]);
export type CheckoutState = z.infer<typeof CheckoutState>;
export const FINAL_STATES: readonly CheckoutState[] = ['Completed', 'Declined', 'BuyerCanceled', 'Expired', 'Failed'];
export const isFinalState = (s: CheckoutState): boolean => FINAL_STATES.includes(s);

/** Amazon's checkout session states (reference §5.1). */
export const CheckoutSessionState = z.enum(['Open', 'Completed', 'Canceled']);
export type CheckoutSessionState = z.infer<typeof CheckoutSessionState>;

/** Amazon's charge states (reference §5.2). */
export const ChargeState = z.enum(['AuthorizationInitiated', 'Authorized', 'CaptureInitiated', 'Captured', 'Canceled', 'Declined']);
export type ChargeState = z.infer<typeof ChargeState>;

export const ChargePermissionState = z.enum(['Chargeable', 'NonChargeable', 'Closed']);
export type ChargePermissionState = z.infer<typeof ChargePermissionState>;

/** What a timeline entry in `checkoutSessionEvents` records (DESIGN.md, "Records in MongoDB"). */
export const TimelineEventType = z.enum([
  'Created',
  'ReturnRecovered',
  'RecoveryCheck',
  'AuthorizationPending',
  'Completed',
  'AuthorizationSettled',
  'ConfirmRejected',
  'Reconciled',
  'BuyerCanceled',
  'DeadlineReached',
  'PendingTimedOut',
]);
export type TimelineEventType = z.infer<typeof TimelineEventType>;

/**
 * How an Amazon Pay call failed, closed (activities/amazon-pay/errors.ts classifies; reference §6): Retryable (429,
 * 5xx, transport), Rejected (a 4xx decision), Ambiguous (a lost answer to a call that may have taken effect),
 * NotFound, Config (credentials, signature, TLS or base URL wrong).
 */
export const AmazonPayFailureType = z.enum(['AmazonPayRetryable', 'AmazonPayRejected', 'AmazonPayAmbiguous', 'AmazonPayNotFound', 'AmazonPayConfig']);
export type AmazonPayFailureType = z.infer<typeof AmazonPayFailureType>;
/** The failure types no retry can change: the workflow's activity options list exactly these. */
export const NON_RETRYABLE_AMAZON_PAY_FAILURES = ['AmazonPayRejected', 'AmazonPayAmbiguous', 'AmazonPayNotFound', 'AmazonPayConfig'] as const satisfies readonly AmazonPayFailureType[];
