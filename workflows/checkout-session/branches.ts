// The workflow's branches (DESIGN.md, "The workflow"), each a function over the session's state: the wait for the
// return (with lost-return recovery), the deadline, finalize, the pending authorization, the cancel and the merchant
// notification. Decisions come from state.ts; the order of what each branch asks Temporal to do is the history.
import { condition, log, sleep } from '@temporalio/workflow';
import type { ConfirmResult, SessionSummary } from '../../activities/amazon-pay/activities';
import type { WebhookEventInput, WebhookEventType } from '../../activities/webhooks/types';
import { confirmActivity, reads, webhooks } from './proxies';
import { failureOf, failureType } from './failures';
import type { CheckoutState, ParsedCheckoutInput } from './input';
import type { CheckoutSession } from './session';
import { nextPollInterval } from './state';
import type { ChargeState, TimelineEventType } from '../../domain/checkout';

/** How the wait for the buyer's return ended. */
export type WaitResult =
  | { kind: 'arrived' } // a return or a cancel
  | { kind: 'deadline' }
  | { kind: 'recover' } // Amazon shows the buyer finished: confirm without the return
  | { kind: 'settled'; summary: SessionSummary }; // a check found the session Completed or Canceled

/** Histories from before lost-return recovery: wait for the return or a cancel until the deadline, nothing else. */
export async function awaitReturn(s: CheckoutSession): Promise<WaitResult> {
  await waitUntil(s.deadlineMs, () => s.arrived());
  return { kind: s.arrived() ? 'arrived' : 'deadline' };
}

/**
 * Waits for the return or a cancel until the deadline, checking Amazon on the recovery schedule meanwhile: after
 * the grace period, then on a doubling interval, the last check shortly before the deadline. Each check is one Get
 * Checkout Session (three history events) and is recorded only when it changes something.
 */
export async function awaitReturnWithRecovery(s: CheckoutSession): Promise<WaitResult> {
  const { recovery } = s;
  const arrived = () => s.arrived();
  const startMs = Date.now();
  const lastCheckAt = s.deadlineMs - recovery.beforeDeadlineMs;
  let interval = Math.max(recovery.graceMs, 100); // doubles from the grace period
  // The first check after the grace period; when the deadline is nearer, one check shortly before it.
  let checkAt = Math.min(startMs + recovery.graceMs, lastCheckAt);
  while (recovery.enabled && checkAt > startMs && checkAt <= lastCheckAt) {
    if (await waitUntil(checkAt, arrived)) return { kind: 'arrived' };
    s.recoveryChecks += 1;
    const read = await s.readSession('recovery');
    // A return or cancel that arrived during the read wins, as it would have without the check.
    if (arrived()) return { kind: 'arrived' };
    if (read && read.sessionState !== 'Open') return { kind: 'settled', summary: read };
    if (read && read.constraints?.length === 0) {
      s.recoveredAt = new Date().toISOString();
      log.info('lost-return recovery: Amazon shows the buyer finished; confirming without the return', { check: s.recoveryChecks });
      await s.record({ type: 'ReturnRecovered', check: s.recoveryChecks }, { recoveredAt: s.recoveredAt });
      return { kind: 'recover' };
    }
    if (checkAt >= lastCheckAt) break;
    interval = Math.min(interval * 2, recovery.maxIntervalMs);
    checkAt = Math.min(checkAt + interval, lastCheckAt);
  }
  if (await waitUntil(s.deadlineMs, arrived)) return { kind: 'arrived' };
  return { kind: 'deadline' };
}

/** The buyer followed the cancel URL before returning. */
export async function cancel(s: CheckoutSession): Promise<void> {
  s.apply({ type: 'BuyerCanceled' });
  s.outcome = { checkoutSessionId: s.id, state: s.state, reasonCode: 'BuyerCanceled' };
  await s.record({ type: 'BuyerCanceled' }, { state: s.state, reasonCode: 'BuyerCanceled', closedAt: new Date().toISOString() });
  s.cancelRecorded = true;
}

/** Timeout branch: one Get Checkout Session decides (DESIGN.md). */
export async function settleAtDeadline(s: CheckoutSession): Promise<void> {
  let summary: SessionSummary | undefined;
  try {
    summary = await reads.readCheckoutSession({ checkoutSessionId: s.id, step: s.step(), purpose: 'deadline' });
  } catch (err) {
    log.warn('Get Checkout Session failed at the deadline', { failure: failureType(err) });
  }
  if (summary) return settleFromRead(s, summary, 'DeadlineReached');
  s.apply({ type: 'DeadlineReached' });
  return s.close('Expired', 'DeadlineReached', 'Amazon Pay could not be read at the deadline');
}

/** A read of a session that no return confirmed: completed elsewhere, canceled, or (at the deadline) expired. */
export async function settleFromRead(s: CheckoutSession, summary: SessionSummary, eventType: TimelineEventType): Promise<void> {
  s.takeIds(summary);
  const r = s.apply(s.sessionRead(summary));
  if (s.is('AuthorizationPending')) return followPendingAuthorization(s);
  if (s.is('Completed')) return s.recordCompletedRead(summary); // completed elsewhere
  return s.close(r.reasonCode ?? 'Expired', eventType, undefined, summary.chargeState);
}

/** Finalize step: same key and body on every attempt; ambiguous results settled by Get Checkout Session. */
export async function finalize(s: CheckoutSession): Promise<void> {
  s.apply({ type: 'BuyerReturned' });
  const body = confirmBody(s.input);
  for (let round = 0; ; round++) {
    s.confirmAttempts += 1;
    let failure: { type: string; reasonCode?: string } | undefined;
    try {
      const r: ConfirmResult = await confirmActivity(s.deadlineMs - Date.now())({
        checkoutSessionId: s.id,
        flow: s.input.flow,
        body,
        step: s.step(),
        ...(s.returnedAt ? { returnedAt: s.returnedAt } : { recoveredAt: s.recoveredAt }),
      });
      s.takeIds(r);
      s.apply({ type: 'Confirmed', pending: r.pending });
      return;
    } catch (err) {
      failure = failureOf(err);
    }
    log.info('complete/finalize did not succeed', { failure: failure.type, reasonCode: failure.reasonCode, round });

    if (failure.type === 'AmazonPayRejected' || failure.type === 'AmazonPayNotFound' || failure.type === 'AmazonPayConfig') {
      if (failure.reasonCode === 'CheckoutSessionCanceled') {
        // Amazon canceled the session (decline or buyer cancel): its reasonCode says which.
        const read = await s.readSession('reconcile');
        if (read && read.sessionState === 'Canceled') {
          const r = s.apply({ type: 'SessionRead', sessionState: 'Canceled', reasonCode: read.reasonCode });
          return s.close(r.reasonCode ?? 'Declined', 'ConfirmRejected');
        }
      }
      const r = s.apply({ type: 'ConfirmRejected', reasonCode: failure.reasonCode ?? failure.type });
      return s.close(r.reasonCode ?? failure.type, 'ConfirmRejected');
    }

    // Ambiguous, or retries ran out at the deadline: Amazon's session state is the truth.
    const read = await s.readSession('reconcile');
    if (read && read.sessionState !== 'Open') {
      s.takeIds(read);
      const r = s.apply(s.sessionRead(read));
      if (s.isFinal() && !s.is('Completed')) return s.close(r.reasonCode ?? 'Declined', 'Reconciled', undefined, read.chargeState);
      if (s.is('Completed')) return s.recordCompletedRead(read);
      return;
    }
    if (Date.now() >= s.deadlineMs) {
      s.apply({ type: 'DeadlineReached' });
      return s.close('Expired', 'DeadlineReached', 'complete/finalize did not succeed before the deadline');
    }
    // Still Open: try again with the same idempotency key after a short, growing pause.
    await sleep(Math.min(1_000 * 2 ** Math.min(round, 5), Math.max(s.deadlineMs - Date.now(), 1)));
  }
}

/** Pending branch (202): wait for an IPN or poll Get Charge on a growing interval, bounded. */
export async function followPendingAuthorization(s: CheckoutSession): Promise<void> {
  void notifyMerchant(s, 'AuthorizationPending');
  const chargeId = s.ids.chargeId;
  const giveUpAt = Date.now() + s.pending.maxWaitMs;
  let interval: number | undefined;
  while (s.is('AuthorizationPending')) {
    const remaining = giveUpAt - Date.now();
    if (chargeId === undefined || remaining <= 0) {
      s.apply({ type: 'PendingTimedOut' });
      return s.close('AuthorizationPendingTimedOut', 'PendingTimedOut');
    }
    interval = nextPollInterval(interval, s.pending.initialPollMs, s.pending.maxPollMs);
    const seen = s.chargeSignals;
    await condition(() => s.chargeSignals > seen, Math.min(interval, remaining));
    let charge: { chargeState: ChargeState; reasonCode?: string | null } | undefined;
    try {
      charge = await reads.readCharge({ chargeId });
    } catch (err) {
      log.warn('Get Charge failed; polling continues', { failure: failureType(err) });
      continue;
    }
    s.ids.chargeState = charge.chargeState;
    const r = s.apply({ type: 'ChargeRead', chargeState: charge.chargeState, reasonCode: charge.reasonCode });
    if (s.is('Completed')) {
      await s.record(
        { type: 'AuthorizationSettled', chargeState: charge.chargeState },
        { state: s.state, chargeState: charge.chargeState, reasonCode: null, settledAt: new Date().toISOString(), closedAt: new Date().toISOString() },
      );
      return;
    }
    if (s.isFinal()) return s.close(r.reasonCode ?? charge.chargeState, 'AuthorizationSettled', undefined, charge.chargeState);
  }
}

const WEBHOOK_TYPES: Partial<Record<CheckoutState, WebhookEventType>> = {
  Completed: 'checkout.completed',
  Declined: 'checkout.declined',
  BuyerCanceled: 'checkout.buyer_canceled',
  Expired: 'checkout.expired',
  Failed: 'checkout.failed',
  AuthorizationPending: 'checkout.authorization_pending',
};

/**
 * Queues the webhook for this state behind any earlier one (so the receiver sees them in order) and returns at
 * once: a delivery never blocks or changes the checkout. Its event ID, `<checkoutSessionId>:<seq>`, names the last
 * recorded step, so every retry and a replay carry the same ID.
 */
export function notifyMerchant(s: CheckoutSession, state: CheckoutState): Promise<void> {
  const type = WEBHOOK_TYPES[state];
  if (!s.notifying || !type) return s.deliveries;
  const { input, ids } = s;
  const event: WebhookEventInput = {
    eventId: `${s.id}:${s.seq}`,
    type,
    checkoutSessionId: s.id,
    state,
    reasonCode: s.outcome?.reasonCode ?? null,
    chargeId: ids.chargeId ?? null,
    chargePermissionId: ids.chargePermissionId ?? null,
    chargeState: ids.chargeState ?? null,
    chargeAmount: input.chargeAmount ?? null,
    totalOrderAmount: input.totalOrderAmount ?? null,
    merchantReferenceId: input.merchantReferenceId ?? null,
    recovered: s.recoveredAt !== undefined,
    occurredAt: new Date().toISOString(),
  };
  s.deliveries = s.deliveries.then(async () => {
    if (s.isFinal()) s.details(`closed; delivering the merchant webhook ${event.eventId}`);
    try {
      const r = await webhooks.deliverMerchantWebhook(event);
      s.webhookNote = r.outcome === 'delivered' ? `webhook ${event.eventId} delivered (attempt ${r.attempts})` : 'no webhook configured';
    } catch (err) {
      const f = failureType(err);
      log.warn('merchant webhook not delivered', { eventId: event.eventId, failure: f });
      s.webhookNote = `webhook ${event.eventId} not delivered (${f})`;
    }
    if (s.isFinal()) s.details(`closed; ${s.webhookNote}`);
  });
  return s.deliveries;
}

/** The request body, built once from input so every attempt sends the same bytes (CONVENTIONS.md 7). */
export function confirmBody(input: ParsedCheckoutInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (input.chargeAmount) body.chargeAmount = input.chargeAmount;
  if (input.totalOrderAmount) body.totalOrderAmount = input.totalOrderAmount;
  if (input.flow === 'finalize') {
    // Absent in the saved-wallet setup, which finalizes with `{}` (seed 000).
    if (input.paymentIntent) body.paymentIntent = input.paymentIntent;
    if (input.canHandlePendingAuthorization !== undefined) body.canHandlePendingAuthorization = input.canHandlePendingAuthorization;
    if (input.shippingAddress) body.shippingAddress = input.shippingAddress;
    if (input.billingAddress) body.billingAddress = input.billingAddress;
    if (input.supplementaryData !== undefined) body.supplementaryData = input.supplementaryData;
  }
  return body;
}

/** Waits for `done` until an absolute instant (no wait when it is past); true when `done` holds. */
export async function waitUntil(atMs: number, done: () => boolean): Promise<boolean> {
  const ms = atMs - Date.now();
  if (ms > 0) await condition(done, ms);
  return done();
}
