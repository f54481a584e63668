// Fast branch tests: the real workflow code on the local Temporal dev server, with its activities replaced by plain
// functions scripted per session, for branches that Amazon (or the emulator) reaches only slowly or by bad luck: a
// pending authorization that never settles, a deadline whose read fails, a decline learned by re-reading the
// session, a recovery that finds the session completed elsewhere with its charge still pending. The real-stack
// tests beside this file cover the same code with real activities.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ConfirmRequest, ConfirmResult, SessionSummary } from '../../../activities/amazon-pay/activities';
import type { RecordStepRequest } from '../../../records/types';
import type { WebhookEventInput } from '../../../activities/webhooks/types';
import { startCheckout } from '../../../client/temporal/checkout';
import { checkoutWorkflowId, type CheckoutInput, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { installQuietRuntime, workflowBundle } from '../../helpers/checkout-harness';
import { testStack, uniqueId } from '../../helpers/env';

jest.setTimeout(60_000);

interface Script {
  confirm?: (r: ConfirmRequest) => ConfirmResult;
  read?: (purpose: string) => SessionSummary;
  charge?: () => { chargeState: string; reasonCode?: string | null };
}

const scripts = new Map<string, Script>();
const recorded = new Map<string, RecordStepRequest[]>();
const notified = new Map<string, WebhookEventInput[]>();
const push = <T>(m: Map<string, T[]>, id: string, v: T) => m.set(id, [...(m.get(id) ?? []), v]);
const script = (id: string) => scripts.get(id) ?? {};

const activities = {
  async recordStep(req: RecordStepRequest) {
    push(recorded, req.checkoutSessionId, req);
    return { applied: true };
  },
  async confirmCheckoutSession(req: ConfirmRequest): Promise<ConfirmResult> {
    const f = script(req.checkoutSessionId).confirm;
    if (!f) throw ApplicationFailure.create({ type: 'AmazonPayConfig', nonRetryable: true, message: 'no script' });
    return f(req);
  },
  async readCheckoutSession(req: { checkoutSessionId: string; purpose: string }): Promise<SessionSummary> {
    const f = script(req.checkoutSessionId).read;
    if (!f) throw ApplicationFailure.create({ type: 'AmazonPayNotFound', nonRetryable: true, message: 'no script' });
    return f(req.purpose);
  },
  async readCharge(): Promise<{ chargeState: string; reasonCode?: string | null }> {
    throw ApplicationFailure.create({ type: 'AmazonPayNotFound', nonRetryable: true, message: 'set per session' });
  },
  async deliverMerchantWebhook(e: WebhookEventInput) {
    push(notified, e.checkoutSessionId, e);
    return { outcome: 'delivered' as const, attempts: 1 };
  },
};

let client: Client;
let connection: Connection;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueId('mocked');
beforeAll(async () => {
  installQuietRuntime();
  const stack = testStack();
  connection = await Connection.connect({ address: stack.temporalAddress });
  client = new Client({ connection, namespace: stack.namespace });
  native = await NativeConnection.connect({ address: stack.temporalAddress });
  // readCharge is looked up per call: the session's script when it has one.
  const readCharge = async (req: { chargeId: string }) => {
    const id = req.chargeId.split(':')[0]!;
    const f = script(id).charge;
    return f ? f() : activities.readCharge();
  };
  worker = await Worker.create({ connection: native, namespace: stack.namespace, taskQueue, workflowBundle: await workflowBundle(), activities: { ...activities, readCharge } });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await native?.close();
  await connection?.close();
});

async function run(id: string, over: Partial<CheckoutInput> = {}): Promise<CheckoutOutcome> {
  const input = { checkoutSessionId: id, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' }, deadline: new Date(Date.now() + 30_000).toISOString(), ...over };
  await startCheckout(client, input, taskQueue);
  return (await client.workflow.getHandle(checkoutWorkflowId(id)).result()) as CheckoutOutcome;
}
const returnNow = (id: string) => client.workflow.getHandle(checkoutWorkflowId(id)).signal('buyerReturnedSignal', { checkoutSessionId: id });
const noRecovery = { enabled: false, graceMs: 0, maxIntervalMs: 1_000, beforeDeadlineMs: 0 };
const types = (id: string) => (recorded.get(id) ?? []).map((r) => r.event.type);

describe('workflow branches with scripted activities', () => {
  it('a pending authorization that never settles: Failed AuthorizationPendingTimedOut, the merchant told twice', async () => {
    const id = randomUUID();
    scripts.set(id, {
      confirm: () => ({ httpStatus: 202, pending: true, chargeId: `${id}:C1`, chargePermissionId: 'P1', chargeState: 'AuthorizationInitiated' }),
      charge: () => ({ chargeState: 'AuthorizationInitiated' }),
    });
    const outcome = run(id, { recovery: noRecovery, pending: { maxWaitMs: 1_500, initialPollMs: 300, maxPollMs: 600 } });
    await new Promise((r) => setTimeout(r, 300));
    await returnNow(id);
    expect(await outcome).toMatchObject({ state: 'Failed', reasonCode: 'AuthorizationPendingTimedOut', chargeId: `${id}:C1` });
    expect(types(id)).toEqual(['Created', 'PendingTimedOut']);
    expect((notified.get(id) ?? []).map((e) => e.type)).toEqual(['checkout.authorization_pending', 'checkout.failed']);
  });

  it('the deadline read fails: Expired, with the reason in the record', async () => {
    const id = randomUUID();
    const outcome = await run(id, { recovery: noRecovery, deadline: new Date(Date.now() + 1_000).toISOString() });
    expect(outcome).toMatchObject({ state: 'Expired', reasonCode: 'Expired', message: 'Amazon Pay could not be read at the deadline' });
    expect(types(id)).toEqual(['Created', 'DeadlineReached']);
    expect(notified.get(id)?.map((e) => e.type)).toEqual(['checkout.expired']);
  });

  it('CheckoutSessionCanceled: the session is re-read and its reasonCode decides (BuyerCanceled)', async () => {
    const id = randomUUID();
    const reads: string[] = [];
    scripts.set(id, {
      confirm: () => {
        throw ApplicationFailure.create({ type: 'AmazonPayRejected', nonRetryable: true, message: 'canceled', details: [{ reasonCode: 'CheckoutSessionCanceled' }] });
      },
      read: (purpose) => (reads.push(purpose), { sessionState: 'Canceled', reasonCode: 'BuyerCanceled', chargePending: false }),
    });
    const outcome = run(id, { recovery: noRecovery });
    await new Promise((r) => setTimeout(r, 300));
    await returnNow(id);
    expect(await outcome).toMatchObject({ state: 'BuyerCanceled', reasonCode: 'BuyerCanceled' });
    expect(reads).toEqual(['reconcile']);
    expect(types(id)).toEqual(['Created', 'ConfirmRejected']);
  });

  it('recovery finds the session completed elsewhere with its charge pending: follows it to Authorized', async () => {
    const id = randomUUID();
    let polls = 0;
    scripts.set(id, {
      read: () => ({ sessionState: 'Completed', chargeId: `${id}:C9`, chargePermissionId: 'P9', chargeState: 'AuthorizationInitiated', chargePending: true }),
      charge: () => (++polls < 2 ? { chargeState: 'AuthorizationInitiated' } : { chargeState: 'Authorized' }),
    });
    const outcome = await run(id, {
      recovery: { enabled: true, graceMs: 300, maxIntervalMs: 1_000, beforeDeadlineMs: 0 },
      pending: { maxWaitMs: 20_000, initialPollMs: 200, maxPollMs: 400 },
    });
    expect(outcome).toMatchObject({ state: 'Completed', chargeId: `${id}:C9`, chargeState: 'Authorized' });
    expect(types(id)).toEqual(['Created', 'AuthorizationSettled']);
    expect(notified.get(id)?.map((e) => e.type)).toEqual(['checkout.authorization_pending', 'checkout.completed']);
  });

  it('a recovery read that fails is retried on the schedule; the next check recovers', async () => {
    const id = randomUUID();
    let n = 0;
    scripts.set(id, {
      read: () => {
        if (++n === 1) throw ApplicationFailure.create({ type: 'AmazonPayNotFound', nonRetryable: true, message: 'blip' });
        return { sessionState: 'Open', chargePending: false, constraints: [] };
      },
      confirm: (r) => ({ httpStatus: 200, pending: false, chargeId: 'C2', chargePermissionId: 'P2', ...(r.recoveredAt ? {} : { chargeState: 'Declined' as const }) }),
    });
    const outcome = await run(id, { recovery: { enabled: true, graceMs: 200, maxIntervalMs: 400, beforeDeadlineMs: 0 } });
    expect(outcome).toMatchObject({ state: 'Completed', recovered: true, chargeId: 'C2' });
    expect(outcome.chargeState).toBeUndefined();
    expect(types(id)).toEqual(['Created', 'ReturnRecovered']);
  });
});
