// Three implementations (the floor in two shapes) of one job — confirm a checkout session with the emulator and record the result — behind
// one interface, so every scenario drives them the same way. Only `complete()` is the buyer's return → outcome.
import { DEMO_ADDRESS, demoBuyer } from '../dev/fixtures';
import { checkoutWorkflowId } from '../workflows/checkout-session/ids';
import { type BenchEnv, QUEUES, type ServiceEndpoint } from './env';
import { floorLocal, floorMixed, floorReturned } from './floor-workflow';
import { confirmSession, recordCompleted } from './job';

export type FloorName = 'floor-local' | 'floor-mixed';
export type ImplName = 'direct' | FloorName | 'service' | 'service-traced';

export interface Impl {
  name: ImplName;
  /** Temporal workflow ID of a session (none for `direct`). */
  workflowId?(checkoutSessionId: string): string;
  /** The merchant's start (if any) with the session created at the emulator and approved by the buyer. */
  prepare(opts?: { session?: Record<string, unknown>; buyerAction?: 'approve' | 'approve-pending' }): Promise<string>;
  /** The buyer's return until the outcome is recorded; resolves with the outcome's state. */
  complete(checkoutSessionId: string): Promise<string>;
}

export const CHARGE_AMOUNT = { amount: '14.00', currencyCode: 'USD' } as const;
const RETURN_TIMEOUT_MS = 30_000;
const address = { ...DEMO_ADDRESS };

/** Creates a session at the emulator as Amazon's button would. */
export async function createSession(env: BenchEnv, extra: Record<string, unknown> = {}): Promise<string> {
  const s = await env.admin<{ checkoutSessionId: string }>('POST', '/checkout-sessions', {
    chargeAmount: CHARGE_AMOUNT,
    paymentIntent: 'AuthorizeWithCapture',
    publicKeyId: env.publicKeyId,
    buyer: demoBuyer('bench-buyer'),
    shippingAddress: address,
    billingAddress: address,
    ...extra,
  });
  return s.checkoutSessionId;
}

export const buyerAction = (env: BenchEnv, id: string, action: 'approve' | 'approve-pending') =>
  env.admin('POST', `/checkout-sessions/${id}/buyer`, { action });

export function directImpl(env: BenchEnv): Impl {
  return {
    name: 'direct',
    async prepare(o = {}) {
      const id = await createSession(env, o.session);
      await buyerAction(env, id, o.buyerAction ?? 'approve');
      return id;
    },
    async complete(id) {
      const confirmed = await confirmSession(env.amazonPay, { checkoutSessionId: id, chargeAmount: CHARGE_AMOUNT });
      await recordCompleted(env.directRecords, { checkoutSessionId: id, confirmed, workflowId: 'direct', runId: 'direct', at: new Date().toISOString() });
      return 'Completed';
    },
  };
}

/** A floor shape (bench/floor-workflow.ts): both calls local, or confirm normal and record local. */
export function floorImpl(env: BenchEnv, name: FloorName): Impl {
  const workflowId = (id: string) => `${name}-${id}`;
  const workflow = name === 'floor-local' ? floorLocal : floorMixed;
  return {
    name,
    workflowId,
    async prepare(o = {}) {
      const id = await createSession(env, o.session);
      await env.temporal.workflow.start(workflow, {
        taskQueue: QUEUES.floor,
        workflowId: workflowId(id),
        args: [{ checkoutSessionId: id, chargeAmount: CHARGE_AMOUNT }],
      });
      await buyerAction(env, id, o.buyerAction ?? 'approve');
      return id;
    },
    async complete(id) {
      const handle = env.temporal.workflow.getHandle(workflowId(id));
      const outcome = await env.temporal.withDeadline(Date.now() + RETURN_TIMEOUT_MS, () => handle.executeUpdate(floorReturned));
      return outcome.state;
    },
  };
}

/**
 * The real path: the merchant API starts the session, the return URL delivers the return and answers the outcome.
 * `service-traced`: the same against the worker and HTTP server that export traces (BenchEnvOptions.traced).
 */
export function serviceImpl(env: BenchEnv, name: 'service' | 'service-traced' = 'service'): Impl {
  const svc = name === 'service' ? env.service : env.tracedService;
  if (!svc) throw new Error(`the HTTP server for ${name} is not running`);
  return {
    name,
    workflowId: checkoutWorkflowId,
    async prepare(o = {}) {
      const id = await createSession(env, o.session);
      await startViaApi(env, { checkoutSessionId: id, deadline: new Date(Date.now() + 24 * 3600_000).toISOString() }, svc);
      await buyerAction(env, id, o.buyerAction ?? 'approve');
      return id;
    },
    complete: (id) => returnViaUrl(env, id, svc),
  };
}

export async function startViaApi(env: BenchEnv, input: { checkoutSessionId: string; deadline: string }, svc: ServiceEndpoint = env.service!): Promise<void> {
  const res = await fetch(`${svc.url}/api/checkout-sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${svc.token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      flow: 'complete',
      chargeAmount: CHARGE_AMOUNT,
      merchantReferenceId: `bench-${input.checkoutSessionId.slice(0, 18)}`,
      ...input,
    }),
    signal: AbortSignal.timeout(RETURN_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) throw new Error(`POST /api/checkout-sessions → ${res.status}: ${text.slice(0, 300)}`);
}

/** GET /checkout/return as the buyer's browser would, asking for JSON; resolves with the outcome's state. */
export async function returnViaUrl(env: BenchEnv, id: string, svc: ServiceEndpoint = env.service!): Promise<string> {
  const res = await fetch(`${svc.url}/checkout/return?amazonCheckoutSessionId=${encodeURIComponent(id)}`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(RETURN_TIMEOUT_MS),
  });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as { state?: string; outcome?: { state?: string } };
  const state = body.outcome?.state ?? body.state;
  if (!res.ok || !state) throw new Error(`GET /checkout/return → ${res.status}: ${text.slice(0, 300)}`);
  return state;
}

/**
 * Waits until the workflow has finished its first task and sits waiting for the return, so the timed return
 * never queues behind the start's own work (in production the buyer spends seconds on Amazon's page).
 */
export async function waitIdle(env: BenchEnv, workflowId: string, timeoutMs = 10_000): Promise<void> {
  const handle = env.temporal.workflow.getHandle(workflowId);
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const d = await handle.describe();
    if (d.historyLength >= 3 && !d.raw.pendingWorkflowTask && (d.raw.pendingActivities?.length ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`workflow ${workflowId} did not become idle within ${timeoutMs} ms`);
}
