// The production shape (issue #14): Temporal's four services as separate processes on PostgreSQL, two of our
// workers and two HTTP servers on one task queue. A checkout started on one worker completes after that worker is
// SIGKILLed, with one effect at Amazon Pay; its search attributes are found through SQL visibility. PostgreSQL or Go
// missing fails this test with the reason (startClusterStack's ProvisionError); it is never skipped.
import { randomBytes } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { DEMO_ADDRESS, demoBuyer } from '../../../dev/fixtures';
import { startService, type Service } from '../../../soak/service';
import { checkoutWorkflowId } from '../../../workflows/checkout-session';

// The first run on a clean machine builds the Temporal server with Go (several minutes on two cores).
jest.setTimeout(30 * 60_000);

const EventType = temporal.api.enums.v1.EventType;
let svc: Service;

beforeAll(async () => {
  svc = await startService({ seed: 14, webhookFaultRate: 0, log: (l) => process.stderr.write(`[cluster] ${l}\n`), cluster: true });
}, 30 * 60_000);

afterAll(async () => {
  await svc?.connection.close().catch(() => undefined);
  await svc?.stop();
});

async function json(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${svc.serviceUrl}${path}`, { redirect: 'manual', ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) } });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The identities (pid@host) of the workers that picked up workflow tasks, in order. */
async function workflowTaskIdentities(workflowId: string): Promise<string[]> {
  const history = await svc.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
    .map((e) => e.workflowTaskStartedEventAttributes?.identity ?? '');
}

it('runs on four Temporal services over PostgreSQL with two workers and two HTTP servers', () => {
  const stack = svc.stack as Service['stack'] & { services?: Record<string, { pid: number; exited(): boolean }>; historyShards?: number };
  expect(Object.keys(stack.services ?? {}).sort()).toEqual(['frontend', 'history', 'matching', 'worker']);
  for (const p of Object.values(stack.services!)) expect(p.exited()).toBe(false);
  expect(stack.historyShards).toBe(4);
  expect(svc.steady.map((p) => p.name).sort()).toEqual(['http-2', 'worker-2']);
});

it('completes a checkout after the worker that started it is SIGKILLed; its search attributes are in SQL visibility', async () => {
  const em = svc.emulator;
  const chargeAmount = { amount: '42.00', currencyCode: 'USD' };
  const ref = `cluster-${randomBytes(4).toString('hex')}`;
  const created = em.state.createCheckoutSession({
    publicKeyId: svc.publicKeyId,
    chargeAmount,
    paymentIntent: 'AuthorizeWithCapture',
    buyer: demoBuyer('cluster-buyer'),
    shippingAddress: { ...DEMO_ADDRESS },
    billingAddress: { ...DEMO_ADDRESS },
    checkoutResultReturnUrl: `${svc.serviceUrl}/checkout/return`,
  } as never);
  const id = String(created.checkoutSessionId);
  const workflowId = checkoutWorkflowId(id);
  const start = await json('/api/checkout-sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${svc.token}` },
    body: JSON.stringify({ checkoutSessionId: id, flow: 'complete', chargeAmount, merchantReferenceId: ref, deadline: new Date(Date.now() + 10 * 60_000).toISOString() }),
  });
  expect([200, 201]).toContain(start.status);

  // Which of the two workers ran the first workflow task: kill exactly that one.
  let first: string | undefined;
  for (const until = Date.now() + 60_000; !first && Date.now() < until; ) {
    first = (await workflowTaskIdentities(workflowId))[0] || undefined;
    if (!first) await new Promise((r) => setTimeout(r, 200));
  }
  expect(first).toBeDefined();
  const pid = Number(first!.split('@')[0]);
  const workers = [svc.procs.worker!, svc.steady.find((p) => p.name === 'worker-2')!];
  const victim = workers.find((w) => w.pid === pid);
  expect(victim).toBeDefined();
  const survivor = workers.find((w) => w !== victim)!;
  victim!.child.kill('SIGKILL');
  await victim!.stop(2_000);
  expect(victim!.exited()).toBe(true);

  em.state.buyerAction(id, { action: 'approve' });
  let answer: { status: number; body: Record<string, unknown> } | undefined;
  for (const until = Date.now() + 120_000; Date.now() < until; ) {
    answer = await json(`/checkout/return?amazonCheckoutSessionId=${id}`);
    if (answer.status < 300 && answer.body.state === 'Completed') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(answer?.body.state).toBe('Completed');
  const handle = svc.client.workflow.getHandle(workflowId);
  expect(await handle.result()).toMatchObject({ state: 'Completed' });
  const c = em.state.counters(id);
  expect(c.completeEffects).toBe(1);
  // The rest of the workflow ran on the surviving worker.
  const identities = await workflowTaskIdentities(workflowId);
  expect(identities.at(-1)!.split('@')[0]).toBe(String(survivor.pid));

  // Search attributes through SQL visibility (PostgreSQL's temporal_visibility, the only visibility store here).
  let found: string[] = [];
  for (const until = Date.now() + 30_000; Date.now() < until; ) {
    found = [];
    for await (const w of svc.client.workflow.list({ query: `CheckoutSessionId = '${id}' AND CheckoutState = 'Completed' AND MerchantReference = '${ref}'` })) found.push(w.workflowId);
    if (found.length === 1) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(found).toEqual([workflowId]);
});
