// One test per workflow branch on the real stack with the emulator as Amazon Pay: the workflow's result, the
// MongoDB record and timeline, and the emulator's effect counters (CONVENTIONS.md 14).
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import {
  deliverCancel,
  deliverReturn,
  notifyChargeChanged,
  queryStatus,
  recordingStart,
  startCheckout,
} from '../../../client/temporal/checkout';
import { checkoutWorkflowId, type CheckoutInput, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { buyerAddress, createHarness, deadlineIn, eventually, type Harness } from '../../helpers/checkout-harness';
import { maybeSaveHistory } from '../../helpers/histories';

jest.setTimeout(90_000);

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const usd = (amount: string) => ({ amount, currencyCode: 'USD' });

async function start(input: Partial<CheckoutInput> & { checkoutSessionId: string }): Promise<string> {
  const full = { flow: 'complete', chargeAmount: usd('14.00'), deadline: deadlineIn(60_000), merchantReferenceId: `order-${randomUUID().slice(0, 8)}`, ...input };
  const r = await startCheckout(h.client, full, h.taskQueue);
  expect(r.created).toBe(true);
  return r.workflowId;
}

async function returned(id: string): Promise<CheckoutOutcome> {
  const r = await deliverReturn(h.client, id, 30_000);
  if (r.kind !== 'outcome') throw new Error(`expected an outcome, got ${r.kind}`);
  return r.outcome;
}

const result = (id: string) => h.client.workflow.getHandle(checkoutWorkflowId(id)).result() as Promise<CheckoutOutcome>;

describe('checkout-session workflow branches', () => {
  it('complete: happy path records the charge, the permission and the buyer; one effect at Amazon', async () => {
    const id = await h.createSession();
    const wf = await start({ checkoutSessionId: id });
    await h.buyer(id, 'approve');
    const outcome = await returned(id);
    expect(outcome).toMatchObject({ checkoutSessionId: id, state: 'Completed' });
    expect(outcome.chargeId).toMatch(/^S01-/);
    expect(outcome.chargePermissionId).toMatch(/^S01-/);
    expect(await result(id)).toEqual(outcome);

    const doc = await h.records.get(id);
    expect(doc).toMatchObject({
      state: 'Completed',
      flow: 'complete',
      chargeId: outcome.chargeId,
      chargePermissionId: outcome.chargePermissionId,
      chargeAmount: { amount: '14.00', currencyCode: 'USD', minor: 1400 },
      buyer: expect.objectContaining({ email: 'susie@example.com' }),
      workflowId: wf,
    });
    expect(doc?.returnedAt).toBeInstanceOf(Date);
    expect(doc?.finalizedAt).toBeInstanceOf(Date);
    const timeline = await h.records.timeline(id);
    expect(timeline.map((e) => e.type)).toEqual(['Created', 'Completed']);
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
    await maybeSaveHistory(h.client, wf, 'complete-happy-path');
  });

  it('a start whose starter recorded the Created step: the workflow writes no Created step of its own', async () => {
    const id = await h.createSession();
    const input = { checkoutSessionId: id, flow: 'complete' as const, chargeAmount: usd('14.00'), deadline: deadlineIn(60_000) };
    const r = await startCheckout(h.client, input, h.taskQueue, recordingStart(h.records));
    expect(r.created).toBe(true);
    await h.buyer(id, 'approve');
    expect((await returned(id)).state).toBe('Completed');
    const timeline = await eventually(async () => {
      const t = await h.records.timeline(id);
      return t.length === 2 ? t : undefined;
    });
    expect(timeline.map((e) => [e.type, e.seq])).toEqual([
      ['Created', 0],
      ['Completed', 1],
    ]);
    expect(await h.records.get(id)).toMatchObject({ state: 'Completed', flow: 'complete', chargeAmount: { amount: '14.00', minor: 1400 }, seq: 1 });
    expect((await result(id)).state).toBe('Completed');
    const history = await h.client.workflow.getHandle(r.workflowId).fetchHistory();
    expect(history.events?.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toBe(false);
    await maybeSaveHistory(h.client, r.workflowId, 'start-recorded-happy-path');
  });

  it('finalize (Buy Now, PayAndShip): repeats amounts and the shipping address; AuthorizeWithCapture stores the charge', async () => {
    const id = await h.createSession({ productType: 'PayAndShip', paymentIntent: 'AuthorizeWithCapture' });
    await h.buyer(id, 'approve');
    const wf = await start({
      checkoutSessionId: id,
      flow: 'finalize',
      paymentIntent: 'AuthorizeWithCapture',
      canHandlePendingAuthorization: false,
      shippingAddress: buyerAddress,
    });
    const outcome = await returned(id);
    expect(outcome).toMatchObject({ state: 'Completed' });
    expect(outcome.chargeId).toBeTruthy();
    const doc = await h.records.get(id);
    expect(doc).toMatchObject({ state: 'Completed', flow: 'finalize', paymentIntent: 'AuthorizeWithCapture', chargeId: outcome.chargeId });
    expect(await h.counters(id)).toMatchObject({ finalizeCalls: 1, finalizeEffects: 1, completeEffects: 0 });
    await maybeSaveHistory(h.client, wf, 'finalize');
  });

  it('saved wallet: completes with an empty body and stores buyer and billing address, no charge', async () => {
    const id = await h.createSession({ chargePermissionType: 'PaymentMethodOnFile', chargeAmount: undefined, paymentIntent: undefined });
    await h.buyer(id, 'approve');
    const wf = await start({ checkoutSessionId: id, chargePermissionType: 'PaymentMethodOnFile', chargeAmount: undefined });
    const outcome = await returned(id);
    expect(outcome.state).toBe('Completed');
    expect(outcome.chargeId).toBeUndefined();
    expect(outcome.chargePermissionId).toBeTruthy();
    const doc = await h.records.get(id);
    expect(doc).toMatchObject({ state: 'Completed', chargePermissionType: 'PaymentMethodOnFile', chargeAmount: null });
    expect(doc?.billingAddress).toMatchObject({ city: 'Chicago' });
    expect(doc?.buyer).toMatchObject({ name: 'Susie Smith' });
    expect(await h.counters(id)).toMatchObject({ completeEffects: 1 });
    await maybeSaveHistory(h.client, wf, 'saved-wallet');
  });

  it('saved wallet from the Mobile SDK (seed 000): finalizes with {} and stores permission, buyer, descriptor, billing', async () => {
    const id = await h.createSession({ chargePermissionType: 'PaymentMethodOnFile', chargeAmount: undefined, paymentIntent: undefined, productType: 'PayAndShip' });
    await h.buyer(id, 'approve');
    const wf = await start({ checkoutSessionId: id, flow: 'finalize', chargePermissionType: 'PaymentMethodOnFile', chargeAmount: undefined });
    const outcome = await returned(id);
    expect(outcome).toMatchObject({ checkoutSessionId: id, state: 'Completed', chargePermissionId: expect.stringMatching(/^S01-/) });
    expect(outcome.chargeId).toBeUndefined();
    const doc = await h.records.get(id);
    expect(doc).toMatchObject({
      state: 'Completed',
      flow: 'finalize',
      chargePermissionType: 'PaymentMethodOnFile',
      chargePermissionId: outcome.chargePermissionId,
      chargeId: null,
      chargeAmount: null,
      paymentIntent: null,
      buyer: expect.objectContaining({ name: 'Susie Smith', email: 'susie@example.com' }),
      billingAddress: expect.objectContaining({ city: 'Chicago' }),
      paymentDescriptor: expect.stringMatching(/\S/),
    });
    // Amazon saw Finalize with the body {} once, and no charge was made.
    expect(await h.counters(id)).toMatchObject({ finalizeCalls: 1, finalizeEffects: 1, completeCalls: 0 });
    const session = await h.amazonPay.getCheckoutSession(id);
    expect(session.body.statusDetails?.state).toBe('Completed');
    expect(session.body.chargeId ?? null).toBeNull();
    await maybeSaveHistory(h.client, wf, 'saved-wallet-finalize');
  });

  it('pending → Authorized via the chargeStateChanged signal (IPN), no polling needed', async () => {
    const id = await h.createSession({ canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
    await h.buyer(id, 'approve-pending', { settleTo: 'Authorized', settleAfterMs: 24 * 3600_000 });
    const wf = await start({ checkoutSessionId: id, pending: { maxWaitMs: 60_000, initialPollMs: 50_000, maxPollMs: 50_000 } });
    const first = await returned(id);
    expect(first).toMatchObject({ state: 'AuthorizationPending', chargeState: 'AuthorizationInitiated' });
    expect((await h.records.get(id))?.state).toBe('AuthorizationPending');
    expect((await queryStatus(h.client, id))?.waitingOn).toMatch(/authorization/);

    await h.admin('POST', `/charges/${first.chargeId}/settle`, { to: 'Authorized' });
    expect(await notifyChargeChanged(h.client, id, first.chargeId!)).toBe(true);
    const outcome = await result(id);
    expect(outcome).toMatchObject({ state: 'Completed', chargeId: first.chargeId, chargeState: 'Authorized' });
    const doc = await h.records.get(id);
    expect(doc).toMatchObject({ state: 'Completed', chargeState: 'Authorized' });
    expect(doc?.settledAt).toBeInstanceOf(Date);
    expect((await h.records.timeline(id)).map((e) => e.type)).toEqual(['Created', 'AuthorizationPending', 'AuthorizationSettled']);
    await maybeSaveHistory(h.client, wf, 'pending-authorized-by-signal');
  });

  it('pending → Declined found by polling Get Charge on a growing interval', async () => {
    const id = await h.createSession({ canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
    await h.buyer(id, 'approve-pending', { settleTo: 'Declined', settleAfterMs: 24 * 3600_000 });
    const wf = await start({ checkoutSessionId: id, pending: { maxWaitMs: 60_000, initialPollMs: 300, maxPollMs: 1_000 } });
    const first = await returned(id);
    expect(first.state).toBe('AuthorizationPending');
    await h.admin('POST', `/charges/${first.chargeId}/settle`, { to: 'Declined' });
    const outcome = await result(id);
    expect(outcome).toMatchObject({ state: 'Declined', chargeId: first.chargeId });
    expect(await h.records.get(id)).toMatchObject({ state: 'Declined', chargeState: 'Declined' });
    await maybeSaveHistory(h.client, wf, 'pending-declined-by-polling');
  });

  it('503s then success: retried with the same key and body, one effect', async () => {
    const id = await h.createSession();
    await h.buyer(id, 'approve');
    await h.admin('POST', '/faults', {
      match: { method: 'POST', pathRegex: `${id}/complete` },
      action: { type: 'status', status: 503, reasonCode: 'ServiceUnavailable' },
      count: 2,
    });
    const wf = await start({ checkoutSessionId: id });
    const outcome = await returned(id);
    expect(outcome.state).toBe('Completed');
    expect(await h.counters(id)).toMatchObject({ completeCalls: 3, completeEffects: 1 });
    await maybeSaveHistory(h.client, wf, 'retry-5xx-then-success');
  });

  it('lost response after the effect: reconciled by Get Checkout Session, never confirmed twice', async () => {
    const id = await h.createSession();
    await h.buyer(id, 'approve');
    await h.admin('POST', '/faults', { match: { method: 'POST', pathRegex: `${id}/complete` }, action: { type: 'drop-after-commit' }, count: 1 });
    const wf = await start({ checkoutSessionId: id });
    const outcome = await returned(id);
    expect(outcome.state).toBe('Completed');
    expect(outcome.chargeId).toBeTruthy();
    const c = await h.counters(id);
    expect(c.completeEffects).toBe(1);
    expect((await h.records.get(id))?.state).toBe('Completed');
    // Settled by reading Amazon's session, not by a second confirmation; the workflow then records its decision.
    const timeline = await h.records.timeline(id);
    expect(timeline.filter((e) => e.type === 'Completed').map((e) => e.via)).toEqual(['GetCheckoutSession:reconcile', 'GetCheckoutSession']);
    await maybeSaveHistory(h.client, wf, 'lost-response-reconciled');
  });

  it('lost 202 whose authorization is declined before the reconciling read: Declined, not Completed (soak seed 1)', async () => {
    const id = await h.createSession({ canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
    await h.buyer(id, 'approve-pending', { settleTo: 'Declined', settleAfterMs: 24 * 3600_000 });
    await h.admin('POST', '/faults', { match: { method: 'POST', pathRegex: `${id}/complete` }, action: { type: 'drop-after-commit' }, count: 1 });
    // The reconciling Get Checkout Session fails twice (about 3 s of retries): the charge is declined meanwhile.
    await h.admin('POST', '/faults', {
      match: { method: 'GET', pathRegex: `checkoutSessions/${id}$` },
      action: { type: 'status', status: 503, reasonCode: 'ServiceUnavailable' },
      count: 2,
    });
    const wf = await start({ checkoutSessionId: id, pending: { maxWaitMs: 60_000, initialPollMs: 60_000, maxPollMs: 60_000 } });
    const answer = deliverReturn(h.client, id, 30_000);
    await eventually(async () => (await h.counters(id)).completeEffects === 1, 20_000, 50);
    const session = await h.admin<{ view: { chargeId: string } }>('GET', `/checkout-sessions/${id}`);
    await h.admin('POST', `/charges/${session.view.chargeId}/settle`, { to: 'Declined' });

    expect(await answer).toMatchObject({ kind: 'outcome', outcome: { state: 'Declined', chargeId: session.view.chargeId } });
    expect(await result(id)).toMatchObject({ state: 'Declined', reasonCode: 'Declined' });
    expect(await h.records.get(id)).toMatchObject({ state: 'Declined', chargeState: 'Declined' });
    expect(await h.counters(id)).toMatchObject({ completeEffects: 1 });
    await maybeSaveHistory(h.client, wf, 'lost-202-declined-before-read');
  });

  it('amount mismatch: Failed with AmountMismatch, no effect', async () => {
    const id = await h.createSession();
    await h.buyer(id, 'approve');
    const wf = await start({ checkoutSessionId: id, chargeAmount: usd('15.00') });
    const outcome = await returned(id);
    expect(outcome).toMatchObject({ state: 'Failed', reasonCode: 'AmountMismatch' });
    expect(await h.records.get(id)).toMatchObject({ state: 'Failed', reasonCode: 'AmountMismatch' });
    expect(await h.counters(id)).toMatchObject({ completeEffects: 0 });
    await maybeSaveHistory(h.client, wf, 'amount-mismatch');
  });

  it('declined on Amazon’s page: Declined with the session’s reasonCode', async () => {
    const id = await h.createSession();
    await h.buyer(id, 'decline');
    const wf = await start({ checkoutSessionId: id });
    const outcome = await returned(id);
    expect(outcome).toMatchObject({ state: 'Declined', reasonCode: 'Declined' });
    expect(await h.records.get(id)).toMatchObject({ state: 'Declined' });
    // One complete call, whose effect at Amazon is the cancellation of the declined session.
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1 });
    expect((await h.amazonPay.getCheckoutSession(id)).body.statusDetails).toMatchObject({ state: 'Canceled', reasonCode: 'Declined' });
    await maybeSaveHistory(h.client, wf, 'declined');
  });

  it('buyer canceled through the cancel URL: BuyerCanceled, Amazon never called', async () => {
    const id = await h.createSession();
    const wf = await start({ checkoutSessionId: id });
    // The cancel answers once it is applied and recorded.
    expect(await deliverCancel(h.client, id)).toEqual({
      kind: 'outcome',
      outcome: { checkoutSessionId: id, state: 'BuyerCanceled', reasonCode: 'BuyerCanceled' },
    });
    expect(await h.records.get(id)).toMatchObject({ state: 'BuyerCanceled' });
    expect(await result(id)).toMatchObject({ state: 'BuyerCanceled', reasonCode: 'BuyerCanceled' });
    expect(await h.records.get(id)).toMatchObject({ state: 'BuyerCanceled' });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 0 });
    await maybeSaveHistory(h.client, wf, 'buyer-canceled-by-update');
  });

  it('cancel after a pending return: not applied, answered with AuthorizationPending; the session completes', async () => {
    const id = await h.createSession({ canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
    await h.buyer(id, 'approve-pending', { settleTo: 'Authorized', settleAfterMs: 24 * 3600_000 });
    const wf = await start({ checkoutSessionId: id, pending: { maxWaitMs: 60_000, initialPollMs: 50_000, maxPollMs: 50_000 } });
    const first = await returned(id);
    expect(first.state).toBe('AuthorizationPending');
    const cancel = await deliverCancel(h.client, id);
    expect(cancel).toEqual({ kind: 'outcome', outcome: first });
    await h.admin('POST', `/charges/${first.chargeId}/settle`, { to: 'Authorized' });
    expect(await notifyChargeChanged(h.client, id, first.chargeId!)).toBe(true);
    expect(await result(id)).toMatchObject({ state: 'Completed', chargeState: 'Authorized' });
    expect(await h.records.get(id)).toMatchObject({ state: 'Completed' });
    // Once closed, the cancel answers with the result.
    expect(await deliverCancel(h.client, id)).toMatchObject({ kind: 'outcome', outcome: { state: 'Completed' } });
    await maybeSaveHistory(h.client, wf, 'cancel-after-return');
  });

  it('no return before the deadline: one Get Checkout Session, still Open → Expired', async () => {
    const id = await h.createSession();
    const wf = await start({ checkoutSessionId: id, deadline: deadlineIn(2_000) });
    expect(await result(id)).toMatchObject({ state: 'Expired', reasonCode: 'Expired' });
    expect(await h.records.get(id)).toMatchObject({ state: 'Expired' });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 0 });
    await maybeSaveHistory(h.client, wf, 'expired');
  });

  it('20 concurrent returns: exactly one complete effect and the same outcome for all 20 callers', async () => {
    const id = await h.createSession();
    await h.buyer(id, 'approve');
    await start({ checkoutSessionId: id });
    const results = await Promise.all(Array.from({ length: 20 }, () => deliverReturn(h.client, id, 30_000)));
    const outcomes = results.map((r) => (r.kind === 'outcome' ? r.outcome : r.kind));
    expect(new Set(outcomes.map((o) => JSON.stringify(o))).size).toBe(1);
    expect(outcomes[0]).toMatchObject({ state: 'Completed' });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
    // A return after the end gets the same answer from the closed workflow.
    await result(id);
    expect(await deliverReturn(h.client, id)).toEqual({ kind: 'outcome', outcome: outcomes[0] });
  });

  it('the same start twice is one workflow; a different body for the same session is refused', async () => {
    const id = await h.createSession();
    const input = { checkoutSessionId: id, flow: 'complete', chargeAmount: usd('14.00'), deadline: deadlineIn(60_000) };
    expect((await startCheckout(h.client, input, h.taskQueue)).created).toBe(true);
    expect((await startCheckout(h.client, { ...input }, h.taskQueue)).created).toBe(false);
    await expect(startCheckout(h.client, { ...input, chargeAmount: usd('15.00') }, h.taskQueue)).rejects.toThrow(/different request/);
    expect(await deliverCancel(h.client, id)).toMatchObject({ kind: 'outcome', outcome: { state: 'BuyerCanceled' } });
  });

  it('a return for an unknown session starts nothing', async () => {
    expect(await deliverReturn(h.client, randomUUID())).toEqual({ kind: 'unknown-session' });
  });

  it('an input the schema refuses, started past the edge, fails its run with the schema\'s message; the next run parses', async () => {
    // The schemas and zod are shared by every run on the worker thread (worker/bundle.ts preloads them, frozen): a
    // refusal formats its message with the shared zod, and the runs after it parse with the same schemas.
    const bad = randomUUID();
    const handle = await h.client.workflow.start('checkoutSession', {
      taskQueue: h.taskQueue,
      workflowId: checkoutWorkflowId(bad),
      args: [{ checkoutSessionId: bad, flow: 'express', chargeAmount: usd('14.00'), deadline: deadlineIn(60_000) }],
    });
    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => (err as { cause?: { type?: string; message?: string } }).cause,
    );
    expect(failure?.type).toBe('InvalidCheckoutInput');
    expect(failure?.message).toMatch(/→ at flow/);

    const id = await h.createSession();
    await start({ checkoutSessionId: id });
    await h.buyer(id, 'approve');
    expect((await returned(id)).state).toBe('Completed');
  });

  it('the update validator rejects a return for another session without touching history', async () => {
    const id = await h.createSession();
    const wf = await start({ checkoutSessionId: id });
    const handle = h.client.workflow.getHandle(wf);
    const { buyerReturned } = await import('../../../workflows/checkout-session/messages');
    const err = await handle.executeUpdate(buyerReturned, { args: [{ checkoutSessionId: randomUUID() }] }).catch((e: unknown) => e);
    expect((err as Error).cause).toMatchObject({ message: expect.stringMatching(/does not belong/) });
    const types = (await handle.fetchHistory()).events!.map((e) => temporal.api.enums.v1.EventType[e.eventType!]);
    expect(types).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'); // names, so the check below can fail
    expect(types.some((t) => /UPDATE/i.test(t))).toBe(false);
    await eventually(async () => (await queryStatus(h.client, id))?.state === 'AwaitingReturn');
    await deliverCancel(h.client, id);
  });
});
