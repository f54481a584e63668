// Lost-return recovery on the real stack with the emulator as Amazon Pay: a buyer who finished on Amazon's page but
// whose return never reached us is confirmed by the workflow itself, once; a buyer who has not finished never is.
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { deliverReturn, queryStatus, startCheckout } from '../../../client/temporal/checkout';
import { checkoutWorkflowId, type CheckoutInput, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { createHarness, deadlineIn, eventually, type Harness } from '../../helpers/checkout-harness';
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
/** Amazon lists CheckoutResultReturnUrlNotSet until the merchant sets it: a real session has it. */
const session = (o: Record<string, unknown> = {}) => h.createSession({ checkoutResultReturnUrl: 'https://shop.test/checkout/return', ...o });
const fast = { graceMs: 1_000, maxIntervalMs: 2_000, beforeDeadlineMs: 1_000 };

async function start(input: Partial<CheckoutInput> & { checkoutSessionId: string }): Promise<string> {
  const full = { flow: 'complete', chargeAmount: usd('14.00'), deadline: deadlineIn(60_000), recovery: fast, merchantReferenceId: `order-${randomUUID().slice(0, 8)}`, ...input };
  const r = await startCheckout(h.client, full, h.taskQueue);
  expect(r.created).toBe(true);
  return r.workflowId;
}

const result = (id: string) => h.client.workflow.getHandle(checkoutWorkflowId(id)).result() as Promise<CheckoutOutcome>;
const { EventType } = temporal.api.enums.v1;
const eventTypes = async (wf: string) => (await h.client.workflow.getHandle(wf).fetchHistory()).events!.map((e) => e.eventType);

describe('lost-return recovery', () => {
  it('the buyer approved and never came back: confirmed once by recovery, recorded as recovered, not returned', async () => {
    const id = await session();
    await h.buyer(id, 'approve');
    const wf = await start({ checkoutSessionId: id });
    const outcome = await result(id);
    expect(outcome).toMatchObject({ checkoutSessionId: id, state: 'Completed', recovered: true, chargeId: expect.stringMatching(/^S01-/) });

    const doc = await h.records.get(id);
    expect(doc).toMatchObject({ state: 'Completed', chargeId: outcome.chargeId, chargePermissionId: outcome.chargePermissionId });
    expect(doc?.recoveredAt).toBeInstanceOf(Date);
    expect(doc?.returnedAt).toBeUndefined();
    const timeline = await h.records.timeline(id);
    expect(timeline.map((e) => e.type)).toEqual(['Created', 'ReturnRecovered', 'Completed']);
    expect(timeline[2]).toMatchObject({ recovered: true });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
    // No MERCHANT_WEBHOOK_URL here: the final event is recorded as not delivered, for that reason.
    expect(doc?.webhook).toMatchObject({ state: 'not-configured', lastEventType: 'checkout.completed' });
    // A return that arrives after all gets the same outcome from the closed run.
    expect(await deliverReturn(h.client, id)).toEqual({ kind: 'outcome', outcome });
    await maybeSaveHistory(h.client, wf, 'recovered-completed');
  });

  it('approved but declined: recovery confirms, Amazon declines, the session ends Declined', async () => {
    const id = await session();
    await h.buyer(id, 'decline');
    const wf = await start({ checkoutSessionId: id });
    expect(await result(id)).toMatchObject({ state: 'Declined', reasonCode: 'Declined', recovered: true });
    expect(await h.records.get(id)).toMatchObject({ state: 'Declined', reasonCode: 'Declined' });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1 });
    await maybeSaveHistory(h.client, wf, 'recovered-declined');
  });

  it('a buyer who has not finished is never confirmed: nine checks over the window, nothing recorded, Expired', async () => {
    // The default schedule (30 min grace, doubling to 4 h, last check 5 min before a 24 h deadline), scaled 1:7200.
    const id = await session();
    const scaled = { graceMs: 250, maxIntervalMs: 2_000, beforeDeadlineMs: 42 };
    const wf = await start({ checkoutSessionId: id, deadline: deadlineIn(12_000), recovery: scaled });
    expect(await result(id)).toMatchObject({ state: 'Expired', reasonCode: 'Expired' });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 0, completeEffects: 0 });
    const events = await eventTypes(wf);
    const activities = events.filter((t) => t === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).length;
    // Nine recovery reads, the deadline's read, the Expired webhook.
    expect(activities).toBe(11);
    expect((await h.records.timeline(id)).map((e) => e.type)).toEqual(['Created', 'DeadlineReached']);
    expect((await h.records.get(id))?.recoveredAt).toBeUndefined();
    process.stdout.write(`a session that waited its whole window: ${events.length} history events, ${activities} activities\n`);
  });

  it('checked while still open, then the buyer returns: an ordinary return, not a recovery', async () => {
    const id = await session();
    const wf = await start({ checkoutSessionId: id, recovery: { graceMs: 500, maxIntervalMs: 30_000, beforeDeadlineMs: 1_000 } });
    await eventually(async () => ((await queryStatus(h.client, id))?.recoveryChecks ?? 0) >= 1);
    await h.buyer(id, 'approve');
    const r = await deliverReturn(h.client, id, 30_000);
    expect(r).toMatchObject({ kind: 'outcome', outcome: { state: 'Completed' } });
    expect(r.kind === 'outcome' && r.outcome.recovered).toBeFalsy();
    const doc = await h.records.get(id);
    expect(doc?.returnedAt).toBeInstanceOf(Date);
    expect(doc?.recoveredAt).toBeUndefined();
    expect(await h.counters(id)).toMatchObject({ completeEffects: 1 });
    await maybeSaveHistory(h.client, wf, 'checked-open-then-returned');
  });

  it('completed elsewhere, found by a check: recorded with its IDs, no second complete', async () => {
    const id = await session();
    await h.buyer(id, 'approve');
    // Another system (an old cron, a second integration) completes the session before the first check.
    const elsewhere = await h.amazonPay.completeCheckoutSession(id, { chargeAmount: usd('14.00') }, { idempotencyKey: 'elsewhere-1' });
    const wf = await start({ checkoutSessionId: id });
    const outcome = await result(id);
    expect(outcome).toMatchObject({ state: 'Completed', chargeId: elsewhere.body.chargeId, chargePermissionId: elsewhere.body.chargePermissionId });
    expect(outcome.recovered).toBeUndefined();
    expect(await h.records.get(id)).toMatchObject({ state: 'Completed', chargeId: elsewhere.body.chargeId });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
    await maybeSaveHistory(h.client, wf, 'completed-elsewhere-by-check');
  });

  it('20 returns racing a recovery attempt: one complete effect, the one outcome for every caller', async () => {
    const id = await session();
    await h.buyer(id, 'approve');
    // Amazon takes 3 s to answer the recovery's complete: the returns arrive while it is in flight.
    await h.admin('POST', '/faults', { match: { method: 'POST', pathRegex: `${id}/complete` }, action: { type: 'latency', ms: 2_500 }, count: 1 });
    await start({ checkoutSessionId: id });
    await eventually(async () => (await h.records.get(id))?.recoveredAt !== undefined, 20_000, 50);
    const results = await Promise.all(Array.from({ length: 20 }, () => deliverReturn(h.client, id, 30_000)));
    const outcomes = new Set(results.map((r) => JSON.stringify(r)));
    expect(outcomes.size).toBe(1);
    expect(results[0]).toMatchObject({ kind: 'outcome', outcome: { state: 'Completed', recovered: true } });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
  });
});
