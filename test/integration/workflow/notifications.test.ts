// Merchant notifications through the real checkout workflow: the worker POSTs every final state (and entering
// AuthorizationPending) to a real local receiver that verifies the signature; failures are retried with the same
// event ID, a rejection is recorded, and neither ever changes the checkout's outcome.
import { randomUUID } from 'node:crypto';
import { deliverReturn, notifyChargeChanged, startCheckout } from '../../../client/temporal/checkout';
import { checkoutWorkflowId, type CheckoutInput, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { createHarness, deadlineIn, type Harness } from '../../helpers/checkout-harness';
import { startReceiver, type Receiver } from '../../helpers/webhook-receiver';

jest.setTimeout(90_000);

const secrets = { current: 'whsec-current-0123456789', previous: 'whsec-previous-0123456789' };
let h: Harness;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver(secrets);
  h = await createHarness({
    webhooks: { url: receiver.url, secrets: [secrets.current, secrets.previous], maxDeliveryMs: 3 * 24 * 3600_000, includeBuyer: false, timeoutMs: 3_000 },
  });
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

const usd = (amount: string) => ({ amount, currencyCode: 'USD' });
const session = (o: Record<string, unknown> = {}) => h.createSession({ checkoutResultReturnUrl: 'https://shop.test/checkout/return', ...o });

async function start(input: Partial<CheckoutInput> & { checkoutSessionId: string }): Promise<void> {
  const full = { flow: 'complete', chargeAmount: usd('14.00'), deadline: deadlineIn(60_000), merchantReferenceId: `order-${randomUUID().slice(0, 8)}`, ...input };
  expect((await startCheckout(h.client, full, h.taskQueue)).created).toBe(true);
}
const result = (id: string) => h.client.workflow.getHandle(checkoutWorkflowId(id)).result() as Promise<CheckoutOutcome>;
const returned = async (id: string) => {
  const r = await deliverReturn(h.client, id, 30_000);
  if (r.kind !== 'outcome') throw new Error(`expected an outcome, got ${r.kind}`);
  return r.outcome;
};

describe('merchant webhooks', () => {
  it('a recovered completion reaches the merchant, signed, with no buyer data, though no browser ever returned', async () => {
    const id = await session();
    await h.buyer(id, 'approve');
    await start({ checkoutSessionId: id, recovery: { graceMs: 1_000, maxIntervalMs: 2_000, beforeDeadlineMs: 1_000 } });
    const outcome = await result(id);
    expect(outcome).toMatchObject({ state: 'Completed', recovered: true });

    const got = receiver.received(id);
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toMatchObject({ ok: true });
    expect(got[0]!.verifiedWithPrevious).toMatchObject({ ok: true }); // rotation: both secrets sign
    expect(got[0]!.body).toEqual({
      eventId: got[0]!.eventId,
      type: 'checkout.completed',
      checkoutSessionId: id,
      state: 'Completed',
      reasonCode: null,
      chargeId: outcome.chargeId,
      chargePermissionId: outcome.chargePermissionId,
      chargeState: null,
      chargeAmount: usd('14.00'),
      totalOrderAmount: null,
      merchantReferenceId: expect.stringMatching(/^order-/),
      recovered: true,
      occurredAt: expect.any(String),
    });
    expect(got[0]!.rawBody).not.toMatch(/Susie|susie@|Ditka|800-000/);
    expect((await h.records.get(id))?.webhook).toMatchObject({ state: 'delivered', lastEventId: got[0]!.eventId, attempts: 1 });
  });

  it('a receiver failing twice, then up: delivered once, the same event ID every time; the buyer had the outcome first', async () => {
    const id = await session();
    receiver.script(id, [{ status: 503 }, { status: 503 }, { status: 200 }]);
    await h.buyer(id, 'approve');
    await start({ checkoutSessionId: id });
    const outcome = await returned(id);
    expect(outcome.state).toBe('Completed');
    // The update answered while the delivery still retries: the workflow is open, the checkout is closed.
    expect((await h.client.workflow.getHandle(checkoutWorkflowId(id)).describe()).status.name).toBe('RUNNING');
    expect(await result(id)).toEqual(outcome);
    const got = receiver.received(id);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((g) => g.eventId)).size).toBe(1);
    expect(new Set(got.map((g) => g.rawBody)).size).toBe(1);
    expect((await h.records.get(id))?.webhook).toMatchObject({ state: 'delivered', lastEventId: got[0]!.eventId, attempts: 3, lastHttpStatus: 200 });
  });

  it('a receiver answering 400: recorded as rejected, not retried, the checkout outcome unchanged', async () => {
    const id = await session();
    receiver.script(id, [{ status: 400 }]);
    await h.buyer(id, 'approve');
    await start({ checkoutSessionId: id });
    const outcome = await returned(id);
    expect(await result(id)).toEqual(outcome);
    expect(outcome.state).toBe('Completed');
    expect(receiver.received(id)).toHaveLength(1);
    const doc = await h.records.get(id);
    expect(doc).toMatchObject({ state: 'Completed', webhook: { state: 'rejected', lastHttpStatus: 400 } });
  });

  it('a pending authorization: one event when it starts, one when it settles, in that order, distinct IDs', async () => {
    const id = await session({ canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
    await h.buyer(id, 'approve-pending', { settleTo: 'Authorized', settleAfterMs: 24 * 3600_000 });
    await start({ checkoutSessionId: id, pending: { maxWaitMs: 60_000, initialPollMs: 50_000, maxPollMs: 50_000 } });
    const first = await returned(id);
    expect(first.state).toBe('AuthorizationPending');
    await h.admin('POST', `/charges/${first.chargeId}/settle`, { to: 'Authorized' });
    expect(await notifyChargeChanged(h.client, id, first.chargeId!)).toBe(true);
    expect(await result(id)).toMatchObject({ state: 'Completed', chargeState: 'Authorized' });
    const got = receiver.received(id);
    expect(got.map((g) => g.body.type)).toEqual(['checkout.authorization_pending', 'checkout.completed']);
    expect(got[0]!.eventId).not.toBe(got[1]!.eventId);
    expect(got[1]!.body).toMatchObject({ state: 'Completed', chargeState: 'Authorized', chargeId: first.chargeId });
  });
});
