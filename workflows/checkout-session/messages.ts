// Message definitions: clients import this file, never workflow internals (CONVENTIONS.md 8).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BuyerCancel, BuyerReturn, ChargeStateChanged, CheckoutOutcome, CheckoutStatus } from './input';

/** The buyer is back (return URL or onCompleteCheckout). Resolves with the outcome, or AuthorizationPending. */
export const buyerReturned = defineUpdate<CheckoutOutcome, [BuyerReturn]>('buyerReturned');
/** The same fact for fire-and-forget callers. */
export const buyerReturnedSignal = defineSignal<[BuyerReturn]>('buyerReturnedSignal');
/** The buyer followed checkoutCancelUrl. */
export const buyerCanceled = defineSignal<[BuyerCancel]>('buyerCanceled');
/** An IPN said a charge changed; it carries IDs only and the workflow re-reads Amazon. */
export const chargeStateChanged = defineSignal<[ChargeStateChanged]>('chargeStateChanged');
export const status = defineQuery<CheckoutStatus>('status');
