// Driving: each session goes through the service's public HTTP routes as a browser and the merchant's backend
// would take it, with the buyer's part played on the emulator's side.
import { DEMO_ADDRESS, demoBuyer } from '../dev/fixtures';
import type { Emulator } from '../emulator';
import type { Plan } from './plan';
import { pick, type Random } from './prng';
import type { Service } from './service';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const address = { ...DEMO_ADDRESS };

const TERMINAL_RETURN_STATES = new Set(['Completed', 'Declined', 'BuyerCanceled', 'Expired', 'Failed', 'AuthorizationPending']);

/**
 * Drives the sessions with bounded concurrency, beginning none after `until`; `onBegin(n)` runs as the nth begins.
 * A session that fails keeps its error in its plan.
 */
export async function driveSessions(
  plans: Plan[],
  svc: Pick<Service, 'emulator' | 'publicKeyId' | 'serviceUrl' | 'token'>,
  rnd: Random,
  o: { concurrency: number; until: number; onBegin: (begun: number) => void },
): Promise<void> {
  const http = new HttpDriver(svc.serviceUrl, svc.token);
  let next = 0;
  const runOne = async (p: Plan) => {
    try {
      await driveSession(p, svc.emulator, http, svc.publicKeyId, rnd, svc.serviceUrl);
    } catch (err) {
      p.error = (err as Error).message;
    }
  };
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < plans.length && Date.now() < o.until) {
        const p = plans[next++]!;
        o.onBegin(next);
        await runOne(p);
      }
    }),
  );
}

/** Talks to the service like a browser and a merchant backend would: it retries while the server is down. */
class HttpDriver {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async request(method: string, path: string, body?: unknown, auth = false): Promise<{ status: number; json: Record<string, unknown> }> {
    const end = Date.now() + 120_000;
    for (;;) {
      try {
        const res = await fetch(`${this.base}${path}`, {
          method,
          redirect: 'manual',
          headers: {
            accept: 'application/json',
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(auth ? { authorization: `Bearer ${this.token}` } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        // A restarting server or an unreachable Temporal answers 5xx: a browser retries, so do we.
        if (res.status >= 500 && Date.now() < end) {
          await sleep(500);
          continue;
        }
        return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      } catch (err) {
        if (Date.now() >= end) throw err;
        await sleep(500);
      }
    }
  }
}

async function driveSession(p: Plan, em: Emulator, http: HttpDriver, publicKeyId: string, rnd: Random, serviceUrl: string): Promise<void> {
  const wallet = p.flow === 'wallet';
  const pending = p.buyer === 'pending-authorized' || p.buyer === 'pending-declined';
  const chargeAmount = { amount: `${10 + Math.floor(rnd() * 90)}.${String(Math.floor(rnd() * 100)).padStart(2, '0')}`, currencyCode: 'USD' };
  const paymentIntent = pending ? 'Authorize' : p.flow === 'finalize' ? 'AuthorizeWithCapture' : pick(rnd, [['AuthorizeWithCapture', 2], ['Authorize', 1], ['Confirm', 1]] as const);
  const created = em.state.createCheckoutSession({
    publicKeyId,
    ...(wallet ? { chargePermissionType: 'PaymentMethodOnFile' } : { chargeAmount, paymentIntent, canHandlePendingAuthorization: pending }),
    ...(p.flow === 'finalize' ? { productType: 'PayAndShip' } : {}),
    buyer: demoBuyer(`buyer-${p.index}`),
    shippingAddress: address,
    billingAddress: address,
    // As a real session: without it Amazon lists CheckoutResultReturnUrlNotSet and recovery rightly waits.
    checkoutResultReturnUrl: `${serviceUrl}/checkout/return`,
  } as never);
  p.id = String(created.checkoutSessionId);
  const deadline = new Date(Date.now() + (p.buyer === 'never' ? 6_000 + rnd() * 6_000 : 15 * 60_000)).toISOString();
  const input = {
    checkoutSessionId: p.id,
    flow: p.flow === 'finalize' ? 'finalize' : 'complete',
    ...(wallet ? { chargePermissionType: 'PaymentMethodOnFile' } : { chargeAmount }),
    ...(p.flow === 'finalize' ? { paymentIntent, canHandlePendingAuthorization: pending, shippingAddress: address } : {}),
    merchantReferenceId: `soak-${p.index}`,
    deadline,
    ...(pending ? { pending: { maxWaitMs: 10 * 60_000, initialPollMs: 1_000, maxPollMs: 4_000 } } : {}),
    // Recovery checks within seconds, so they race the returns, cancels and faults of the run.
    recovery: { graceMs: 1_500 + Math.floor(rnd() * 2_500), maxIntervalMs: 4_000, beforeDeadlineMs: 500 },
  };

  // The buyer acts on Amazon's page first (approve settles later for pending ones).
  if (p.buyer === 'approve' || p.buyer === 'lost') em.state.buyerAction(p.id, { action: 'approve' });
  if (p.buyer === 'decline') em.state.buyerAction(p.id, { action: 'decline' });
  if (pending) {
    em.state.buyerAction(p.id, {
      action: 'approve-pending',
      settleTo: p.buyer === 'pending-authorized' ? 'Authorized' : 'Declined',
      settleAfterMs: 1_000 + Math.floor(rnd() * 4_000),
    } as never);
  }

  if (p.flow === 'finalize') {
    // Buy Now / mobile: onCompleteCheckout reaches the merchant backend, which wants the outcome in one request.
    const calls = Array.from({ length: p.duplicates }, () => finalAnswer(() => http.request('POST', `/api/checkout-sessions/${p.id}/complete-checkout`, input, true)));
    p.answers = await Promise.all(calls);
    return;
  }
  const start = await http.request('POST', '/api/checkout-sessions', input, true);
  if (start.status !== 201 && start.status !== 200) throw new Error(`start answered ${start.status}: ${JSON.stringify(start.json)}`);
  if (p.buyer === 'never' || p.buyer === 'lost') return;
  if (p.buyer === 'cancel') {
    const r = await http.request('GET', `/checkout/cancel?amazonCheckoutSessionId=${p.id}`);
    if (r.status >= 400) throw new Error(`cancel answered ${r.status}`);
    return;
  }
  const calls = Array.from({ length: p.duplicates }, () => finalAnswer(() => http.request('GET', `/checkout/return?amazonCheckoutSessionId=${p.id}`)));
  p.answers = await Promise.all(calls);
}

/** Repeats a return until it answers with an outcome (a 202 after the bounded wait means "ask again"). */
async function finalAnswer(call: () => Promise<{ status: number; json: Record<string, unknown> }>): Promise<unknown> {
  for (let i = 0; i < 40; i++) {
    const r = await call();
    const state = String(r.json.state ?? '');
    if (r.status < 300 && TERMINAL_RETURN_STATES.has(state)) return { state, reasonCode: r.json.reasonCode, chargeId: r.json.chargeId };
    if (r.status === 202 && state === 'AuthorizationPending') return { state };
    if (r.status >= 400 && r.status < 500) return { error: r.status, body: r.json };
    await sleep(500);
  }
  return { error: 'no outcome after 40 tries' };
}
