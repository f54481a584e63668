// The pure state machine of a checkout session (DESIGN.md, "States"; CONVENTIONS.md 2). No Temporal import:
// workflow.ts feeds it events and acts on the result, and every transition is unit-tested without a server.
import type { ChargeState, CheckoutSessionState } from '../../domain/checkout';
import { isFinalState, type CheckoutState } from './input';

/** Amazon's view of a checkout session or charge, reduced to what decides our state. */
export type CheckoutEvent =
  | { type: 'BuyerReturned' }
  | { type: 'BuyerCanceled' }
  | { type: 'DeadlineReached' }
  /** Complete/finalize answered 200 (done) or 202 (authorization pending). */
  | { type: 'Confirmed'; pending: boolean }
  /** Amazon refused: a decline, the buyer's cancel, or a request it will never accept. */
  | { type: 'ConfirmRejected'; reasonCode: string }
  /** Get Checkout Session, read to settle an ambiguous result or at the deadline. */
  | {
      type: 'SessionRead';
      sessionState: CheckoutSessionState;
      reasonCode?: string | null;
      chargePending?: boolean;
      /** The charge's state when the session is Completed: a Completed session's charge may be Declined since. */
      chargeState?: ChargeState;
    }
  | { type: 'ChargeRead'; chargeState: ChargeState; reasonCode?: string | null }
  | { type: 'PendingTimedOut' };

export type Transition = { next: CheckoutState; reasonCode?: string } | { rejected: string };

/** Reason codes that mean the buyer's payment was refused, as opposed to a mistake in our request. */
const DECLINE_REASONS = new Set([
  'Declined',
  'HardDeclined',
  'SoftDeclined',
  'AmazonRejected',
  'ProcessingFailure',
  'TransactionTimedOut',
  'MFAFailed',
  'MFANotCompleted',
  'PaymentMethodNotAllowed',
  'CheckoutSessionCanceled',
]);

/** A canceled session's reasonCode → our final state (reference §5.1). */
export function stateForCanceledSession(reasonCode: string | null | undefined): { next: CheckoutState; reasonCode: string } {
  switch (reasonCode) {
    case 'BuyerCanceled':
      return { next: 'BuyerCanceled', reasonCode };
    case 'Expired':
      return { next: 'Expired', reasonCode };
    case 'Declined':
      return { next: 'Declined', reasonCode };
    default:
      return { next: 'Declined', reasonCode: reasonCode ?? 'AmazonCanceled' };
  }
}

export function transition(s: CheckoutState, e: CheckoutEvent): Transition {
  if (isFinalState(s)) return { rejected: `session is already ${s}` };
  switch (e.type) {
    case 'BuyerReturned':
      return s === 'AwaitingReturn' ? { next: 'Finalizing' } : { rejected: `buyer already returned (${s})` };
    case 'BuyerCanceled':
      return s === 'AwaitingReturn' ? { next: 'BuyerCanceled', reasonCode: 'BuyerCanceled' } : { rejected: `cancel after return (${s})` };
    case 'DeadlineReached':
      return s === 'AwaitingReturn' || s === 'Finalizing' ? { next: 'Expired', reasonCode: 'Expired' } : { rejected: `deadline in ${s}` };
    case 'Confirmed':
      if (s !== 'Finalizing') return { rejected: `confirmation in ${s}` };
      return { next: e.pending ? 'AuthorizationPending' : 'Completed' };
    case 'ConfirmRejected':
      if (s !== 'Finalizing') return { rejected: `rejection in ${s}` };
      return DECLINE_REASONS.has(e.reasonCode)
        ? { next: 'Declined', reasonCode: e.reasonCode }
        : { next: 'Failed', reasonCode: e.reasonCode };
    case 'SessionRead':
      if (s !== 'Finalizing' && s !== 'AwaitingReturn') return { rejected: `session read in ${s}` };
      if (e.sessionState === 'Completed') {
        // A pending authorization may have settled before the read: its charge decides, as in the pending branch.
        if (e.chargeState === 'Declined' || e.chargeState === 'Canceled') return { next: 'Declined', reasonCode: e.chargeState };
        return { next: e.chargePending ? 'AuthorizationPending' : 'Completed' };
      }
      if (e.sessionState === 'Canceled') return stateForCanceledSession(e.reasonCode);
      // Open: in Finalizing the caller tries again with the same key; at the deadline it means expired.
      return s === 'AwaitingReturn' ? { next: 'Expired', reasonCode: 'Expired' } : { next: 'Finalizing' };
    case 'ChargeRead':
      if (s !== 'AuthorizationPending') return { rejected: `charge read in ${s}` };
      switch (e.chargeState) {
        case 'Authorized':
        case 'Captured':
        case 'CaptureInitiated':
          return { next: 'Completed' };
        case 'Declined':
          return { next: 'Declined', reasonCode: e.reasonCode ?? 'Declined' };
        case 'Canceled':
          return { next: 'Declined', reasonCode: e.reasonCode ?? 'Canceled' };
        default:
          return { next: 'AuthorizationPending' };
      }
    case 'PendingTimedOut':
      return s === 'AuthorizationPending' ? { next: 'Failed', reasonCode: 'AuthorizationPendingTimedOut' } : { rejected: `pending timeout in ${s}` };
  }
}

/** Polling interval for the pending branch: doubles from `initialMs` up to `maxMs` (no fixed loop for a day). */
export function nextPollInterval(previousMs: number | undefined, initialMs: number, maxMs: number): number {
  return previousMs === undefined ? Math.min(initialMs, maxMs) : Math.min(previousMs * 2, maxMs);
}

/** The words shown in the Temporal UI's current details and the status query. */
export function waitingOn(s: CheckoutState): string {
  switch (s) {
    case 'AwaitingReturn':
      return 'the buyer’s return from Amazon Pay (or the deadline)';
    case 'Finalizing':
      return 'Amazon Pay’s answer to complete/finalize';
    case 'AuthorizationPending':
      return 'the charge’s authorization (IPN or Get Charge poll)';
    default:
      return 'nothing: the session is closed';
  }
}
