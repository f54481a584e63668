// One durable workflow per checkout session (DESIGN.md, "The workflow"). Setup first — input, handlers,
// visibility — then the main path: wait for the return (or cancel, or the deadline), confirm with Amazon Pay,
// follow a pending authorization, record the final state. Decisions come from state.ts.
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../../activities';
import type { ConfirmResult, SessionSummary } from '../../activities/amazon-pay/activities';
import type { SessionFields, StepContext, TimelineEvent } from '../../activities/records/types';
import type { WebhookEventInput, WebhookEventType } from '../../activities/webhooks/types';
import { checkoutWorkflowId } from './ids';
import {
  CheckoutInput,
  PendingTiming,
  RecoveryTiming,
  isFinalState,
  type CheckoutOutcome,
  type CheckoutState,
  type ParsedCheckoutInput,
} from './input';
import { buyerCanceled, buyerReturned, buyerReturnedSignal, cancelCheckout, chargeStateChanged, status } from './messages';
import { CheckoutStateKey } from './search-attributes';
import { nextPollInterval, transition, waitingOn, type CheckoutEvent } from './state';

/**
 * Reads of a Completed session also weigh its charge's state (a pending authorization may have settled, Declined
 * included, before the read), and the workflow then records the outcome itself: a retried read activity may have
 * recorded an older view under the same step. Histories from before this change replay without it.
 */
const CHARGE_AWARE_SESSION_READS = 'charge-aware-session-reads';

/**
 * Lost-return recovery and merchant notifications: while awaiting the return, Get Checkout Session after a grace
 * period and on a growing schedule (an Open session without constraints is confirmed as a return would be); every
 * final state, and entering AuthorizationPending, is delivered to the merchant's webhook. Older histories wait
 * passively and notify nobody.
 */
const RECOVERY_AND_NOTIFICATIONS = 'recovery-and-notifications';

/** Failure types raised by the Amazon Pay activities (activities/amazon-pay/errors.ts), by name. */
const NON_RETRYABLE = ['AmazonPayRejected', 'AmazonPayAmbiguous', 'AmazonPayNotFound', 'AmazonPayConfig'];

/** Reads of Amazon state: retried with backoff for a bounded time, independent of the session's deadline. */
const reads = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '15m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Record writes are idempotent (seq-guarded), short and local: they cost one marker event, not three. */
const records = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/**
 * Merchant webhooks: retried with backoff until the worker's delivery window (MERCHANT_WEBHOOK_MAX_DELIVERY_MS,
 * default 3 days) runs out, which the activity enforces; this timeout is only the outer bound.
 */
const webhooks = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '30 days',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '30m', nonRetryableErrorTypes: ['WebhookRejected', 'WebhookExpired'] },
});

const WEBHOOK_TYPES: Partial<Record<CheckoutState, WebhookEventType>> = {
  Completed: 'checkout.completed',
  Declined: 'checkout.declined',
  BuyerCanceled: 'checkout.buyer_canceled',
  Expired: 'checkout.expired',
  Failed: 'checkout.failed',
  AuthorizationPending: 'checkout.authorization_pending',
};

/** Complete/finalize may retry only until Amazon's deadline (CONVENTIONS.md 4): the window is set per call. */
function confirmActivity(untilDeadlineMs: number) {
  return proxyActivities<Activities>({
    // Short enough that a worker dying mid-call is noticed fast; longer than the client's request timeout.
    startToCloseTimeout: '15s',
    scheduleToCloseTimeout: Math.max(untilDeadlineMs, 1_000),
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE },
  }).confirmCheckoutSession;
}

export async function checkoutSession(rawInput: CheckoutInput): Promise<CheckoutOutcome> {
  const input = parseInput(rawInput);
  const id = input.checkoutSessionId;
  const info = workflowInfo();
  const deadlineMs = Date.parse(input.deadline);
  const pending = input.pending ?? PendingTiming.parse({});
  const recovery = input.recovery ?? RecoveryTiming.parse({});

  // Cast so TypeScript does not narrow it: handlers and apply() change it between awaits.
  let state = 'AwaitingReturn' as CheckoutState;
  let returnedAt: string | undefined;
  let cancelRequested = false;
  /** The cancel branch recorded BuyerCanceled, or the main path is done: cancelCheckout may answer. */
  let cancelRecorded = false;
  let mainDone = false;
  let chargeSignals = 0;
  let confirmAttempts = 0;
  let recoveryChecks = 0;
  /** Set when recovery, not the buyer's return, started the confirmation. */
  let recoveredAt: string | undefined;
  /** Webhook deliveries in order; awaited before the workflow completes. */
  let deliveries: Promise<void> = Promise.resolve();
  let webhookNote = '';
  let seq = 0;
  let outcome: CheckoutOutcome | undefined;
  const ids: { chargeId?: string; chargePermissionId?: string; chargeState?: string } = {};

  const current = (): CheckoutState => state;
  const snapshot = (): CheckoutOutcome => ({
    checkoutSessionId: id,
    state,
    ...(outcome?.reasonCode ? { reasonCode: outcome.reasonCode } : {}),
    ...(ids.chargeId ? { chargeId: ids.chargeId } : {}),
    ...(ids.chargePermissionId ? { chargePermissionId: ids.chargePermissionId } : {}),
    ...(ids.chargeState ? { chargeState: ids.chargeState } : {}),
    ...(outcome?.message ? { message: outcome.message } : {}),
    ...(recoveredAt ? { recovered: true } : {}),
  });

  const showState = () => {
    upsertSearchAttributes([{ key: CheckoutStateKey, value: state }]);
    setCurrentDetails(`**${state}** — waiting on ${waitingOn(state)}`);
  };

  /** Applies an event; returns the reason code when it moved to a final state. */
  const apply = (e: CheckoutEvent): { moved: boolean; reasonCode?: string } => {
    const t = transition(state, e);
    if ('rejected' in t) {
      log.debug('event ignored', { event: e.type, reason: t.rejected });
      return { moved: false };
    }
    const moved = t.next !== state;
    state = t.next;
    if (moved) showState();
    return { moved, reasonCode: t.reasonCode };
  };

  const step = (): StepContext => ({ seq: ++seq, workflowId: info.workflowId, runId: info.runId, at: new Date().toISOString() });
  const record = (event: TimelineEvent, set: SessionFields) => records.recordStep({ checkoutSessionId: id, step: step(), event, set });

  const markReturned = () => {
    if (returnedAt === undefined && state === 'AwaitingReturn') returnedAt = new Date().toISOString();
  };

  setHandler(status, () => ({
    checkoutSessionId: id,
    state,
    waitingOn: waitingOn(state),
    returned: returnedAt !== undefined,
    deadline: input.deadline,
    confirmAttempts,
    recoveryChecks,
    ...(recoveredAt ? { recovered: true } : {}),
    ...(isFinalState(state) ? { outcome: snapshot() } : {}),
  }));
  setHandler(
    buyerReturned,
    async () => {
      markReturned();
      // Resolves as soon as the outcome is known; a pending authorization is an answer too.
      await condition(() => isFinalState(state) || state === 'AuthorizationPending');
      return snapshot();
    },
    { validator: (r) => validateSessionMessage(r, id) },
  );
  setHandler(buyerReturnedSignal, (r) => {
    if (r?.checkoutSessionId === id) markReturned();
  });
  setHandler(buyerCanceled, (c) => {
    if (c?.checkoutSessionId === id && returnedAt === undefined) cancelRequested = true;
  });
  setHandler(
    cancelCheckout,
    async () => {
      if (returnedAt === undefined && state === 'AwaitingReturn') cancelRequested = true;
      // Answers with what became true: the cancel applied and recorded, or the state that won (a return, the end).
      await condition(() => cancelRecorded || mainDone || (state !== 'AwaitingReturn' && state !== 'BuyerCanceled'));
      return snapshot();
    },
    { validator: (c) => validateSessionMessage(c, id) },
  );
  setHandler(chargeStateChanged, () => {
    chargeSignals += 1;
  });

  setCurrentDetails(`**${state}** — waiting on ${waitingOn(state)}`);
  await record(
    { type: 'Created', flow: input.flow },
    {
      state,
      flow: input.flow,
      chargePermissionType: input.chargePermissionType,
      paymentIntent: input.paymentIntent ?? null,
      chargeAmount: input.chargeAmount ?? null,
      totalOrderAmount: input.totalOrderAmount ?? null,
      merchantReferenceId: input.merchantReferenceId ?? null,
      deadline: input.deadline,
    },
  );

  const arrived = () => returnedAt !== undefined || cancelRequested;
  const notifying = patched(RECOVERY_AND_NOTIFICATIONS);
  const waited: WaitResult = notifying ? await awaitReturnWithRecovery() : await awaitReturn();

  if (returnedAt === undefined && cancelRequested) {
    apply({ type: 'BuyerCanceled' });
    outcome = { checkoutSessionId: id, state, reasonCode: 'BuyerCanceled' };
    await record({ type: 'BuyerCanceled' }, { state, reasonCode: 'BuyerCanceled', closedAt: new Date().toISOString() });
    cancelRecorded = true;
  } else if (waited.kind === 'settled') {
    await settleFromRead(waited.summary, 'RecoveryCheck');
  } else if (returnedAt === undefined && waited.kind !== 'recover') {
    await settleAtDeadline();
  } else {
    await finalize();
    if (state === 'AuthorizationPending') await followPendingAuthorization();
  }

  // The checkout's outcome is settled (update callers already have it); the merchant's systems learn it now.
  mainDone = true;
  if (notifying) await notifyMerchant(state);
  await deliveries;
  await condition(allHandlersFinished);
  return snapshot();

  // --- branches -------------------------------------------------------------------------------------------

  /**
   * Queues the webhook for this state behind any earlier one (so the receiver sees them in order) and returns at
   * once: a delivery never blocks or changes the checkout. Its event ID, `<checkoutSessionId>:<seq>`, names the
   * last recorded step, so every retry and a replay carry the same ID.
   */
  function notifyMerchant(s: CheckoutState): Promise<void> {
    const type = WEBHOOK_TYPES[s];
    if (!notifying || !type) return deliveries;
    const event: WebhookEventInput = {
      eventId: `${id}:${seq}`,
      type,
      checkoutSessionId: id,
      state: s,
      reasonCode: outcome?.reasonCode ?? null,
      chargeId: ids.chargeId ?? null,
      chargePermissionId: ids.chargePermissionId ?? null,
      chargeState: ids.chargeState ?? null,
      chargeAmount: input.chargeAmount ?? null,
      totalOrderAmount: input.totalOrderAmount ?? null,
      merchantReferenceId: input.merchantReferenceId ?? null,
      recovered: recoveredAt !== undefined,
      occurredAt: new Date().toISOString(),
    };
    deliveries = deliveries.then(async () => {
      if (isFinalState(state)) setCurrentDetails(`**${state}** — closed; delivering the merchant webhook ${event.eventId}`);
      try {
        const r = await webhooks.deliverMerchantWebhook(event);
        webhookNote = r.outcome === 'delivered' ? `webhook ${event.eventId} delivered (attempt ${r.attempts})` : 'no webhook configured';
      } catch (err) {
        const f = failureType(err);
        log.warn('merchant webhook not delivered', { eventId: event.eventId, failure: f });
        webhookNote = `webhook ${event.eventId} not delivered (${f})`;
      }
      if (isFinalState(state)) setCurrentDetails(`**${state}** — closed; ${webhookNote}`);
    });
    return deliveries;
  }

  /** Histories from before lost-return recovery: wait for the return or a cancel until the deadline, nothing else. */
  async function awaitReturn(): Promise<WaitResult> {
    await untilDeadline(deadlineMs, arrived);
    return { kind: arrived() ? 'arrived' : 'deadline' };
  }

  /**
   * Waits for the return or a cancel until the deadline, checking Amazon on the recovery schedule meanwhile. Each
   * check is one Get Checkout Session (three history events) and is recorded only when it changes something.
   */
  async function awaitReturnWithRecovery(): Promise<WaitResult> {
    const startMs = Date.now();
    const lastCheckAt = deadlineMs - recovery.beforeDeadlineMs;
    let interval = Math.max(recovery.graceMs, 100); // doubles from the grace period
    // The first check after the grace period; when the deadline is nearer, one check shortly before it.
    let checkAt = Math.min(startMs + recovery.graceMs, lastCheckAt);
    while (recovery.enabled && checkAt > startMs && checkAt <= lastCheckAt) {
      if (await waitUntil(checkAt, arrived)) return { kind: 'arrived' };
      recoveryChecks += 1;
      const s = await readSession('recovery');
      // A return or cancel that arrived during the read wins, as it would have without the check.
      if (arrived()) return { kind: 'arrived' };
      if (s && s.sessionState !== 'Open') return { kind: 'settled', summary: s };
      if (s && s.constraints?.length === 0) {
        recoveredAt = new Date().toISOString();
        log.info('lost-return recovery: Amazon shows the buyer finished; confirming without the return', { check: recoveryChecks });
        await record({ type: 'ReturnRecovered', check: recoveryChecks }, { recoveredAt });
        return { kind: 'recover' };
      }
      if (checkAt >= lastCheckAt) break;
      interval = Math.min(interval * 2, recovery.maxIntervalMs);
      checkAt = Math.min(checkAt + interval, lastCheckAt);
    }
    if (await waitUntil(deadlineMs, arrived)) return { kind: 'arrived' };
    return { kind: 'deadline' };
  }

  /** Timeout branch: one Get Checkout Session decides (DESIGN.md). */
  async function settleAtDeadline(): Promise<void> {
    let summary: SessionSummary | undefined;
    try {
      summary = await reads.readCheckoutSession({ checkoutSessionId: id, step: step(), purpose: 'deadline' });
    } catch (err) {
      log.warn('Get Checkout Session failed at the deadline', { failure: failureType(err) });
    }
    if (summary) return settleFromRead(summary, 'DeadlineReached');
    apply({ type: 'DeadlineReached' });
    return close('Expired', 'DeadlineReached', 'Amazon Pay could not be read at the deadline');
  }

  /** A read of a session that no return confirmed: completed elsewhere, canceled, or (at the deadline) expired. */
  async function settleFromRead(summary: SessionSummary, eventType: string): Promise<void> {
    takeIds(summary);
    const r = apply(sessionRead(summary));
    if (state === 'AuthorizationPending') return followPendingAuthorization();
    if (state === 'Completed') return recordCompletedRead(summary); // completed elsewhere
    return close(r.reasonCode ?? 'Expired', eventType, undefined, summary.chargeState);
  }

  /** Finalize step: same key and body on every attempt; ambiguous results settled by Get Checkout Session. */
  async function finalize(): Promise<void> {
    apply({ type: 'BuyerReturned' });
    const body = confirmBody(input);
    for (let round = 0; ; round++) {
      confirmAttempts += 1;
      let failure: { type: string; reasonCode?: string } | undefined;
      try {
        const r: ConfirmResult = await confirmActivity(deadlineMs - Date.now())({
          checkoutSessionId: id,
          flow: input.flow,
          body,
          step: step(),
          ...(returnedAt ? { returnedAt } : { recoveredAt }),
        });
        takeIds(r);
        apply({ type: 'Confirmed', pending: r.pending });
        return;
      } catch (err) {
        failure = failureOf(err);
      }
      log.info('complete/finalize did not succeed', { failure: failure.type, reasonCode: failure.reasonCode, round });

      if (failure.type === 'AmazonPayRejected' || failure.type === 'AmazonPayNotFound' || failure.type === 'AmazonPayConfig') {
        if (failure.reasonCode === 'CheckoutSessionCanceled') {
          // Amazon canceled the session (decline or buyer cancel): its reasonCode says which.
          const s = await readSession('reconcile');
          if (s && s.sessionState === 'Canceled') {
            const r = apply({ type: 'SessionRead', sessionState: 'Canceled', reasonCode: s.reasonCode });
            return close(r.reasonCode ?? 'Declined', 'ConfirmRejected');
          }
        }
        const r = apply({ type: 'ConfirmRejected', reasonCode: failure.reasonCode ?? failure.type });
        return close(r.reasonCode ?? failure.type, 'ConfirmRejected');
      }

      // Ambiguous, or retries ran out at the deadline: Amazon's session state is the truth.
      const s = await readSession('reconcile');
      if (s && s.sessionState !== 'Open') {
        takeIds(s);
        const r = apply(sessionRead(s));
        if (isFinalState(state) && state !== 'Completed') return close(r.reasonCode ?? 'Declined', 'Reconciled', undefined, s.chargeState);
        if (state === 'Completed') return recordCompletedRead(s);
        return;
      }
      if (Date.now() >= deadlineMs) {
        apply({ type: 'DeadlineReached' });
        return close('Expired', 'DeadlineReached', 'complete/finalize did not succeed before the deadline');
      }
      // Still Open: try again with the same idempotency key after a short, growing pause.
      await sleep(Math.min(1_000 * 2 ** Math.min(round, 5), Math.max(deadlineMs - Date.now(), 1)));
    }
  }

  /** Pending branch (202): wait for an IPN or poll Get Charge on a growing interval, bounded. */
  async function followPendingAuthorization(): Promise<void> {
    void notifyMerchant('AuthorizationPending');
    const chargeId = ids.chargeId;
    const giveUpAt = Date.now() + pending.maxWaitMs;
    let interval: number | undefined;
    while (state === 'AuthorizationPending') {
      const remaining = giveUpAt - Date.now();
      if (chargeId === undefined || remaining <= 0) {
        apply({ type: 'PendingTimedOut' });
        return close('AuthorizationPendingTimedOut', 'PendingTimedOut');
      }
      interval = nextPollInterval(interval, pending.initialPollMs, pending.maxPollMs);
      const seen = chargeSignals;
      await condition(() => chargeSignals > seen, Math.min(interval, remaining));
      let charge: { chargeState: string; reasonCode?: string | null } | undefined;
      try {
        charge = await reads.readCharge({ chargeId });
      } catch (err) {
        log.warn('Get Charge failed; polling continues', { failure: failureType(err) });
        continue;
      }
      ids.chargeState = charge.chargeState;
      const r = apply({ type: 'ChargeRead', chargeState: charge.chargeState, reasonCode: charge.reasonCode });
      if (current() === 'Completed') {
        await record(
          { type: 'AuthorizationSettled', chargeState: charge.chargeState },
          { state, chargeState: charge.chargeState, reasonCode: null, settledAt: new Date().toISOString(), closedAt: new Date().toISOString() },
        );
        return;
      }
      if (isFinalState(state)) return close(r.reasonCode ?? charge.chargeState, 'AuthorizationSettled', undefined, charge.chargeState);
    }
  }

  function chargeAware(s: SessionSummary): boolean {
    return s.sessionState === 'Completed' && patched(CHARGE_AWARE_SESSION_READS);
  }

  function sessionRead(s: SessionSummary): CheckoutEvent {
    return {
      type: 'SessionRead',
      sessionState: s.sessionState,
      reasonCode: s.reasonCode,
      chargePending: s.chargePending,
      ...(s.chargeState && chargeAware(s) ? { chargeState: s.chargeState } : {}),
    };
  }

  /** The read activity recorded what it saw; the workflow's own, later step makes the record match its decision. */
  async function recordCompletedRead(s: SessionSummary): Promise<void> {
    if (!chargeAware(s)) return;
    const now = new Date().toISOString();
    await record(
      { type: 'Completed', via: 'GetCheckoutSession', chargeState: s.chargeState ?? null },
      { state, reasonCode: null, chargeState: s.chargeState ?? null, closedAt: now },
    );
  }

  async function readSession(purpose: 'reconcile' | 'deadline' | 'recovery'): Promise<SessionSummary | undefined> {
    try {
      return await reads.readCheckoutSession({ checkoutSessionId: id, step: step(), purpose });
    } catch (err) {
      log.warn('Get Checkout Session failed', { failure: failureType(err), purpose });
      return undefined;
    }
  }

  function takeIds(r: { chargeId?: string | null; chargePermissionId?: string | null; chargeState?: string | null }) {
    if (r.chargeId) ids.chargeId = r.chargeId;
    if (r.chargePermissionId) ids.chargePermissionId = r.chargePermissionId;
    if (r.chargeState) ids.chargeState = r.chargeState;
  }

  /** Records a final state other than a confirmed success (those are recorded by the activity that saw them). */
  async function close(reasonCode: string, eventType: string, message?: string, chargeState?: string): Promise<void> {
    outcome = { checkoutSessionId: id, state, reasonCode, ...(message ? { message } : {}) };
    const now = new Date().toISOString();
    await record(
      { type: eventType, state, reasonCode, ...(message ? { message } : {}) },
      { state, reasonCode, closedAt: now, ...(chargeState ? { chargeState, settledAt: now } : {}) },
    );
  }
}

function parseInput(raw: unknown): ParsedCheckoutInput {
  const r = CheckoutInput.safeParse(raw);
  if (!r.success) {
    throw ApplicationFailure.create({ type: 'InvalidCheckoutInput', nonRetryable: true, message: z.prettifyError(r.error) });
  }
  const expected = checkoutWorkflowId(r.data.checkoutSessionId);
  if (workflowInfo().workflowId !== expected) {
    throw ApplicationFailure.create({
      type: 'InvalidCheckoutInput',
      nonRetryable: true,
      message: `workflow ID must be ${expected} for this checkoutSessionId`,
    });
  }
  return r.data;
}

function validateSessionMessage(r: unknown, id: string): void {
  const got = (r as { checkoutSessionId?: unknown } | undefined)?.checkoutSessionId;
  if (got !== id) throw new Error(`checkoutSessionId ${JSON.stringify(got)} does not belong to this workflow`);
}

/** Waits for `done` until the absolute deadline; a deadline already past means no wait at all. */
async function untilDeadline(deadlineMs: number, done: () => boolean): Promise<void> {
  const ms = deadlineMs - Date.now();
  if (ms > 0) await condition(done, ms);
}

/** Waits for `done` until an absolute instant; true when `done` holds. */
async function waitUntil(atMs: number, done: () => boolean): Promise<boolean> {
  const ms = atMs - Date.now();
  if (ms > 0) await condition(done, ms);
  return done();
}

/** How the wait for the buyer's return ended. */
type WaitResult =
  | { kind: 'arrived' } // a return or a cancel
  | { kind: 'deadline' }
  | { kind: 'recover' } // Amazon shows the buyer finished: confirm without the return
  | { kind: 'settled'; summary: SessionSummary }; // a check found the session Completed or Canceled

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

function failureOf(err: unknown): { type: string; reasonCode?: string } {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const d = (cause.details?.[0] ?? {}) as { reasonCode?: string };
      return { type: cause.type ?? 'ApplicationFailure', reasonCode: d.reasonCode };
    }
    if (cause instanceof TimeoutFailure) return { type: 'Timeout' };
  }
  return { type: 'Unknown' };
}

function failureType(err: unknown): string {
  return failureOf(err).type;
}
