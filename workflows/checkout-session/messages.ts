// Message definitions: clients import this file, never workflow internals (CONVENTIONS.md 8).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BuyerCancel, BuyerReturn, ChargeStateChanged, CheckoutOutcome, CheckoutStatus } from './input';

/** The buyer is back (return URL or onCompleteCheckout). Resolves with the outcome, or AuthorizationPending. */
export const buyerReturned = defineUpdate<CheckoutOutcome, [BuyerReturn]>('buyerReturned');
/** The same fact for fire-and-forget callers. */
export const buyerReturnedSignal = defineSignal<[BuyerReturn]>('buyerReturnedSignal');
/** The buyer followed checkoutCancelUrl (fire-and-forget; kept for callers that want no answer). */
export const buyerCanceled = defineSignal<[BuyerCancel]>('buyerCanceled');
/**
 * The same, answered with the session's state once the cancel has taken effect or lost: `BuyerCanceled` when it was
 * applied (and recorded); any other state when the buyer had already returned or the session had ended.
 */
export const cancelCheckout = defineUpdate<CheckoutOutcome, [BuyerCancel]>('cancelCheckout');
/** An IPN said a charge changed; it carries IDs only and the workflow re-reads Amazon. */
export const chargeStateChanged = defineSignal<[ChargeStateChanged]>('chargeStateChanged');
export const status = defineQuery<CheckoutStatus>('status');
