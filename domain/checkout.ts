// The checkout vocabulary, each term declared once (DESIGN.md, "two shared homes"): our session states and flows,
// and Amazon Pay's session, charge and charge-permission states, payment intents and charge permission types. The
// workflow's input schema, the Amazon Pay client's response schemas and the records all take them from here.
// The schemas are built once per worker thread, not once per workflow run (domain/built-once.ts).
import { z } from 'zod';
import { builtOnce } from './built-once';

const vocabulary = builtOnce('domain/checkout', () => ({
  CheckoutFlow: z.enum(['complete', 'finalize']),
  ChargePermissionType: z.enum(['OneTime', 'Recurring', 'PaymentMethodOnFile']),
  PaymentIntent: z.enum(['Confirm', 'Authorize', 'AuthorizeWithCapture']),
  /** Every state a session can be in (ours, not Amazon's); the final ones end the workflow. */
  CheckoutState: z.enum(['AwaitingReturn', 'Finalizing', 'AuthorizationPending', 'Completed', 'Declined', 'BuyerCanceled', 'Expired', 'Failed']),
  /** Amazon's checkout session states (reference §5.1). */
  CheckoutSessionState: z.enum(['Open', 'Completed', 'Canceled']),
  /** Amazon's charge states (reference §5.2). */
  ChargeState: z.enum(['AuthorizationInitiated', 'Authorized', 'CaptureInitiated', 'Captured', 'Canceled', 'Declined']),
  ChargePermissionState: z.enum(['Chargeable', 'NonChargeable', 'Closed']),
  /** What a timeline entry in `checkoutSessionEvents` records (DESIGN.md, "Records in MongoDB"). */
  TimelineEventType: z.enum([
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
  ]),
  /**
   * How an Amazon Pay call failed, closed (activities/amazon-pay/errors.ts classifies; reference §6): Retryable (429,
   * 5xx, transport), Rejected (a 4xx decision), Ambiguous (a lost answer to a call that may have taken effect),
   * NotFound, Config (credentials, signature, TLS or base URL wrong).
   */
  AmazonPayFailureType: z.enum(['AmazonPayRetryable', 'AmazonPayRejected', 'AmazonPayAmbiguous', 'AmazonPayNotFound', 'AmazonPayConfig']),
}));

export const {
  CheckoutFlow,
  ChargePermissionType,
  PaymentIntent,
  CheckoutState,
  CheckoutSessionState,
  ChargeState,
  ChargePermissionState,
  TimelineEventType,
  AmazonPayFailureType,
} = vocabulary;
export type CheckoutFlow = z.infer<typeof CheckoutFlow>;
export type ChargePermissionType = z.infer<typeof ChargePermissionType>;
export type PaymentIntent = z.infer<typeof PaymentIntent>;
export type CheckoutState = z.infer<typeof CheckoutState>;
export type CheckoutSessionState = z.infer<typeof CheckoutSessionState>;
export type ChargeState = z.infer<typeof ChargeState>;
export type ChargePermissionState = z.infer<typeof ChargePermissionState>;
export type TimelineEventType = z.infer<typeof TimelineEventType>;
export type AmazonPayFailureType = z.infer<typeof AmazonPayFailureType>;

export const FINAL_STATES: readonly CheckoutState[] = ['Completed', 'Declined', 'BuyerCanceled', 'Expired', 'Failed'];
export const isFinalState = (s: CheckoutState): boolean => FINAL_STATES.includes(s);

/** The failure types no retry can change: the workflow's activity options list exactly these. */
export const NON_RETRYABLE_AMAZON_PAY_FAILURES = ['AmazonPayRejected', 'AmazonPayAmbiguous', 'AmazonPayNotFound', 'AmazonPayConfig'] as const satisfies readonly AmazonPayFailureType[];
