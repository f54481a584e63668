// The webhook activity on the real stack: its retries on the Temporal server through a one-activity test workflow,
// the session record in the MongoDB-wire store, and a real receiver on 127.0.0.1 that verifies every signature.
// Cases that need no retries run in MockActivityEnvironment (CONVENTIONS.md 14).
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { webhookActivities } from '../../../activities/webhooks/activities';
import type { WebhookConfig, WebhookEventInput } from '../../../activities/webhooks/types';
import { buyerAddress, createHarness, type Harness } from '../../helpers/checkout-harness';
import { testStack, uniqueId } from '../../helpers/env';
import { startReceiver, type Receiver } from '../../helpers/webhook-receiver';
import type { WebhookRun } from './webhook-workflows';

jest.setTimeout(60_000);

const CURRENT = 'whsec-current-integration-0001';
const PREVIOUS = 'whsec-previous-integration-001';
const BUYER_DATA = /susie|Susie Smith|Ditka|Chicago|800-000-0000|buyer/i;

let h: Harness;
let receiver: Receiver;
let connection: NativeConnection;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  h = await createHarness({ worker: false });
  receiver = await startReceiver({ current: CURRENT, previous: PREVIOUS });
  connection = await NativeConnection.connect({ address: testStack().temporalAddress });
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./webhook-workflows'), logger: new DefaultLogger('ERROR') });
});
afterAll(async () => {
  await connection?.close();
  await receiver?.close();
  await h?.close();
});

const config = (o: Partial<WebhookConfig> = {}): WebhookConfig => ({
  url: receiver.url,
  secrets: [CURRENT, PREVIOUS],
  maxDeliveryMs: 60_000,
  includeBuyer: false,
  timeoutMs: 2_000,
  ...o,
});

/** A recorded session (with buyer data, as the Amazon Pay activities store it) and its completion event. */
async function session(seq = 3): Promise<{ id: string; event: WebhookEventInput }> {
  const id = `wh-${randomUUID()}`;
  await h.records.applyStep(
    {
      checkoutSessionId: id,
      step: { seq, workflowId: `checkout-session-${id}`, runId: 'run-1', at: new Date().toISOString() },
      event: { type: 'Completed' },
      set: { state: 'Completed', chargeAmount: { amount: '14.00', currencyCode: 'USD' }, merchantReferenceId: 'order-1' },
    },
    {
      chargeId: 'S01-1-1-C1',
      chargePermissionId: 'S01-1-1',
      chargeState: 'Captured',
      buyer: { buyerId: 'buyer-1', name: 'Susie Smith', email: 'susie@example.com', phoneNumber: '800-000-0000' },
      shippingAddress: buyerAddress,
      billingAddress: buyerAddress,
    },
  );
  const event: WebhookEventInput = {
    eventId: `${id}:${seq}`,
    type: 'checkout.completed',
    checkoutSessionId: id,
    state: 'Completed',
    reasonCode: null,
    chargeId: 'S01-1-1-C1',
    chargePermissionId: 'S01-1-1',
    chargeState: 'Captured',
    chargeAmount: { amount: '14.00', currencyCode: 'USD' },
    totalOrderAmount: null,
    merchantReferenceId: 'order-1',
    recovered: false,
    occurredAt: new Date().toISOString(),
  };
  return { id, event };
}

/** Runs the activity through the test workflow on a worker with `cfg`, with Temporal's retries. */
async function deliverViaTemporal(cfg: WebhookConfig, event: WebhookEventInput): Promise<WebhookRun> {
  const taskQueue = uniqueId('webhooks');
  const worker = await Worker.create({
    connection,
    namespace: testStack().namespace,
    taskQueue,
    workflowBundle: bundle,
    dataConverter: { payloadCodecs: h.dataConverter.payloadCodecs ?? [] },
    activities: createActivities({ amazonPay: h.amazonPay, records: h.records, webhooks: cfg }),
  });
  return worker.runUntil(
    h.client.workflow.execute('webhookDeliveryWorkflow', { taskQueue, workflowId: uniqueId(`webhook-${event.eventId}`), args: [event] }),
  ) as Promise<WebhookRun>;
}

const mockEnv = () =>
  new MockActivityEnvironment(
    { attempt: 1, scheduledTimestampMs: Date.now(), currentAttemptScheduledTimestampMs: Date.now() },
    { logger: new DefaultLogger('ERROR') },
  );

describe('deliverMerchantWebhook', () => {
  it('retries 503 twice, then delivers once: same event ID and body each attempt, signed with both secrets', async () => {
    const { id, event } = await session();
    receiver.script(id, [{ status: 503 }, { status: 503 }, { status: 200 }]);

    expect(await deliverViaTemporal(config(), event)).toEqual({ result: { outcome: 'delivered', attempts: 3, httpStatus: 200 } });

    const got = receiver.received(id);
    expect(got).toHaveLength(3);
    expect(got.map((r) => r.eventId)).toEqual([event.eventId, event.eventId, event.eventId]);
    expect(new Set(got.map((r) => r.rawBody)).size).toBe(1);
    for (const r of got) {
      expect(r.verified).toMatchObject({ ok: true });
      expect(r.verifiedWithPrevious).toMatchObject({ ok: true });
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(got[0]!.body).toEqual(event);
    // includeBuyer false: nothing of the buyer in the body.
    expect(got[0]!.rawBody).not.toMatch(BUYER_DATA);

    const doc = await h.records.get(id);
    expect(doc?.webhook).toEqual({
      state: 'delivered',
      lastEventId: event.eventId,
      lastEventType: 'checkout.completed',
      lastEvent: event,
      attempts: 3,
      lastHttpStatus: 200,
      lastError: null,
      deliveredAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
    // The step fields are the workflow's: a delivery changes neither seq nor state.
    expect(doc).toMatchObject({ seq: 3, state: 'Completed' });
  });

  it('a 400 is WebhookRejected, not retried, and recorded as rejected', async () => {
    const { id, event } = await session();
    receiver.script(id, [{ status: 400 }]);

    const run = await deliverViaTemporal(config(), event);
    expect(run).toEqual({ failure: { type: 'WebhookRejected', nonRetryable: true, message: `webhook ${event.eventId} rejected: HTTP 400` } });
    expect(receiver.received(id)).toHaveLength(1);
    expect((await h.records.get(id))?.webhook).toMatchObject({ state: 'rejected', attempts: 1, lastHttpStatus: 400, lastError: 'HTTP 400' });
    expect(JSON.stringify((await h.records.get(id))?.webhook)).not.toMatch(/internal detail/);
  });

  it("waits as long as a 503's Retry-After says before the next attempt", async () => {
    const { id, event } = await session();
    receiver.script(id, [{ status: 503, headers: { 'retry-after': '2' } }, { status: 204 }]);

    expect(await deliverViaTemporal(config(), event)).toEqual({ result: { outcome: 'delivered', attempts: 2, httpStatus: 204 } });
    const [first, second] = receiver.received(id);
    // The policy's interval is 100 ms: only nextRetryDelay explains the wait.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_800);
  });

  it('gives up once the first attempt was scheduled more than maxDeliveryMs ago: WebhookExpired, recorded', async () => {
    const { id, event } = await session();
    receiver.script(id, [{ status: 502 }]);

    const started = Date.now();
    const run = await deliverViaTemporal(config({ maxDeliveryMs: 1_500 }), event);
    expect(run).toMatchObject({ failure: { type: 'WebhookExpired', nonRetryable: true } });
    // Counted from the first attempt (scheduledTimestampMs), not from each retry.
    expect(Date.now() - started).toBeLessThan(15_000);
    const attempts = receiver.received(id).length;
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect((await h.records.get(id))?.webhook).toMatchObject({ state: 'expired', attempts, lastHttpStatus: 502, lastError: 'HTTP 502' });
  });

  it('without a URL: recorded as not-configured with the event (for a later resend), nothing sent', async () => {
    const { id, event } = await session();
    const { deliverMerchantWebhook } = webhookActivities({ records: h.records, config: config({ url: undefined, secrets: [] }) });

    expect(await mockEnv().run(deliverMerchantWebhook, event)).toEqual({ outcome: 'not-configured', attempts: 0 });
    expect(receiver.received(id)).toHaveLength(0);
    expect((await h.records.get(id))?.webhook).toEqual({
      state: 'not-configured',
      lastEventId: event.eventId,
      lastEventType: 'checkout.completed',
      lastEvent: event,
      attempts: 0,
      updatedAt: expect.any(Date),
    });
  });

  it('includeBuyer: the body carries the buyer read from MongoDB; the record and the event stay without it', async () => {
    const { id, event } = await session();
    const { deliverMerchantWebhook } = webhookActivities({ records: h.records, config: config({ includeBuyer: true }) });

    expect(await mockEnv().run(deliverMerchantWebhook, event)).toEqual({ outcome: 'delivered', attempts: 1, httpStatus: 200 });
    const [r] = receiver.received(id);
    expect(r!.verified).toMatchObject({ ok: true });
    expect(r!.body).toEqual({
      ...event,
      buyer: { buyerId: 'buyer-1', name: 'Susie Smith', email: 'susie@example.com', phoneNumber: '800-000-0000', billingAddress: buyerAddress, shippingAddress: buyerAddress },
    });
    expect(JSON.stringify((await h.records.get(id))?.webhook)).not.toMatch(BUYER_DATA);
  });

  it('a network failure is WebhookFailed (retryable) and recorded as retrying, without the URL', async () => {
    const { id, event } = await session();
    const { deliverMerchantWebhook } = webhookActivities({ records: h.records, config: config({ url: 'http://127.0.0.1:1/hook?token=abc' }) });

    const err = await mockEnv().run(deliverMerchantWebhook, event).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'WebhookFailed', nonRetryable: false });
    const w = (await h.records.get(id))?.webhook;
    expect(w).toMatchObject({ state: 'retrying', attempts: 1, lastHttpStatus: null, lastError: expect.stringMatching(/^network error/) });
    expect(JSON.stringify(w)).not.toMatch(/token|127\.0\.0\.1/);
  });

  it('an older event never overwrites the record of a newer one', async () => {
    const { id, event } = await session(7);
    const { deliverMerchantWebhook } = webhookActivities({ records: h.records, config: config() });
    await mockEnv().run(deliverMerchantWebhook, event);
    const older = { ...event, eventId: `${id}:5`, type: 'checkout.authorization_pending' as const, state: 'AuthorizationPending' };
    await mockEnv().run(deliverMerchantWebhook, older);

    expect(receiver.received(id).map((r) => r.eventId)).toEqual([`${id}:7`, `${id}:5`]);
    expect((await h.records.get(id))?.webhook).toMatchObject({ state: 'delivered', lastEventId: `${id}:7` });
    expect(await h.records.setWebhookDelivery(`missing-${randomUUID()}`, (await h.records.get(id))!.webhook!)).toEqual({
      written: false,
      reason: 'unknown-session',
    });
  });
});
