// The worker process is killed (SIGKILL) while complete is in flight and restarted: the session still
// completes, and Amazon sees exactly one effect (same idempotency key on the retried attempt).
import { deliverReturn, startCheckout } from '../../../client/temporal/checkout';
import { checkoutWorkflowId, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { createHarness, deadlineIn, eventually, type Harness } from '../../helpers/checkout-harness';
import { spawnWorkerProcess } from '../../helpers/worker-process';

jest.setTimeout(240_000);

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

const startWorkerProcess = () => spawnWorkerProcess(h, { AMAZON_PAY_TIMEOUT_MS: '10000' });

it('completes exactly once when the worker dies during complete and comes back', async () => {
  const id = await h.createSession();
  await h.buyer(id, 'approve');
  // Amazon answers slowly the first time, so the worker is surely killed mid-call.
  await h.admin('POST', '/faults', { match: { method: 'POST', pathRegex: `${id}/complete` }, action: { type: 'latency', ms: 4_000 }, count: 1 });
  await startCheckout(h.client, { checkoutSessionId: id, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' }, deadline: deadlineIn(120_000) }, h.taskQueue);

  const first = startWorkerProcess();
  const returned = deliverReturn(h.client, id, 90_000);
  returned.catch(() => undefined); // awaited below; if this test fails first, its rejection must not fail the next suite
  // The worker is a fresh process (TypeScript and the workflow bundle compiled at start): on a busy machine that alone
  // can take tens of seconds.
  try {
    await eventually(async () => (await h.counters(id)).completeCalls >= 1, 90_000, 50);
  } finally {
    first.kill('SIGKILL'); // also when the wait fails: no worker process may outlive the test
  }
  await new Promise((r) => first.once('exit', r));

  const second = startWorkerProcess();
  try {
    const r = await returned;
    expect(r).toMatchObject({ kind: 'outcome', outcome: { state: 'Completed' } });
    const outcome = (await h.client.workflow.getHandle(checkoutWorkflowId(id)).result()) as CheckoutOutcome;
    expect(outcome.state).toBe('Completed');
    const c = await h.counters(id);
    expect(c.completeEffects).toBe(1);
    expect(c.completeCalls).toBeGreaterThanOrEqual(2); // the retried attempt reached Amazon and was replayed
    expect(await h.records.get(id)).toMatchObject({ state: 'Completed', chargeId: outcome.chargeId });
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }
});
