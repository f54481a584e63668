// The buyer's return and cancel URLs on the real stack with the emulator as Amazon Pay: JSON answers for API
// callers, 303 redirects and pages for browsers, pending and bounded-wait answers, unknown sessions.
import { randomUUID } from 'node:crypto';
import { checkoutWorkflowId, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { createHarness, deadlineIn, eventually, type Harness } from '../../helpers/checkout-harness';
import { jsonHeaders, listen, testApp, type ListeningApp, workflowExists } from '../../helpers/http-app';

jest.setTimeout(90_000);

const SHOP = 'http://shop.test/order';
let h: Harness;
let app: ListeningApp; // no success/failure URL: built-in pages
let shop: ListeningApp; // redirects to the shop
beforeAll(async () => {
  h = await createHarness();
  app = await listen(testApp(h));
  shop = await listen(testApp(h, { CHECKOUT_SUCCESS_URL: SHOP, CHECKOUT_FAILURE_URL: `${SHOP}?failed=1` }));
});
afterAll(async () => {
  await shop?.close();
  await app?.close();
  await h?.close();
});

const json = { accept: 'application/json' };
const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

async function started(over: Record<string, unknown> = {}, session: Record<string, unknown> = {}): Promise<string> {
  const id = await h.createSession(session);
  const r = await app.request({
    method: 'POST',
    url: '/api/checkout-sessions',
    headers: jsonHeaders,
    payload: JSON.stringify({ checkoutSessionId: id, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' }, deadline: deadlineIn(60_000), ...over }),
  });
  expect(r.statusCode).toBe(201);
  return id;
}

const returnUrl = (id: string) => `/checkout/return?amazonCheckoutSessionId=${encodeURIComponent(id)}`;
const cancelUrl = (id: string) => `/checkout/cancel?amazonCheckoutSessionId=${encodeURIComponent(id)}`;
const result = (id: string) => h.client.workflow.getHandle(checkoutWorkflowId(id)).result() as Promise<CheckoutOutcome>;
const exists = (id: string) => workflowExists(h, id);

describe('GET /checkout/return', () => {
  it('JSON: Completed with the charge, recorded in MongoDB, one effect at Amazon; a reload answers the same', async () => {
    const id = await started();
    await h.buyer(id, 'approve');
    const r = await app.request({ url: returnUrl(id), headers: json });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ checkoutSessionId: id, state: 'Completed' });
    expect(body.chargeId).toMatch(/^S01-/);
    expect(r.headers.get('cache-control')).toBe('no-store');

    expect(await h.records.get(id)).toMatchObject({ state: 'Completed', chargeId: body.chargeId, chargeAmount: { minor: 1400 } });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });

    const reload = await app.request({ url: returnUrl(id), headers: json });
    expect(reload.statusCode).toBe(200);
    expect(reload.json()).toEqual(body);
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
  });

  it('JSON: Declined on Amazon’s page answers 200 Declined with the reasonCode', async () => {
    const id = await started();
    await h.buyer(id, 'decline');
    const r = await app.request({ url: returnUrl(id), headers: json });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ checkoutSessionId: id, state: 'Declined', reasonCode: 'Declined' });
    expect(await h.records.get(id)).toMatchObject({ state: 'Declined' });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1 });
  });

  it('404 for a session nobody started, and no workflow is created by the public URL', async () => {
    const id = `unknown-${randomUUID()}`;
    const r = await app.request({ url: returnUrl(id), headers: json });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: 'unknown_session', message: expect.any(String) });
    const page = await app.request({ url: returnUrl(id), headers: browser });
    expect(page.statusCode).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await exists(id)).toBe(false);
    expect(await h.records.get(id)).toBeNull();
  });

  it('400 for a missing or malformed session ID', async () => {
    for (const url of ['/checkout/return', '/checkout/return?amazonCheckoutSessionId=bad_id', '/checkout/return?amazonCheckoutSessionId=a&amazonCheckoutSessionId=b']) {
      const r = await app.request({ url, headers: json });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('browser: 303 to the success URL when Completed, to the failure URL otherwise', async () => {
    const ok = await started();
    await h.buyer(ok, 'approve');
    const r = await shop.request({ url: returnUrl(ok), headers: browser });
    expect(r.statusCode).toBe(303);
    expect(r.headers.get('location')).toBe(`${SHOP}?amazonCheckoutSessionId=${ok}&state=Completed`);

    const bad = await started();
    await h.buyer(bad, 'decline');
    const d = await shop.request({ url: returnUrl(bad), headers: browser });
    expect(d.statusCode).toBe(303);
    expect(d.headers.get('location')).toBe(`${SHOP}?failed=1&amazonCheckoutSessionId=${bad}&state=Declined`);
  });

  it('browser without configured URLs: the built-in result page', async () => {
    const id = await started();
    await h.buyer(id, 'approve');
    const r = await app.request({ url: returnUrl(id), headers: browser });
    expect(r.statusCode).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.body).toContain('<p id="state" class="state">Completed</p>');
  });

  it('pending authorization: 202 AuthorizationPending (JSON) and a self-refreshing page (browser)', async () => {
    const id = await started({ pending: { maxWaitMs: 60_000, initialPollMs: 50_000, maxPollMs: 50_000 } }, { canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
    await h.buyer(id, 'approve-pending', { settleTo: 'Authorized', settleAfterMs: 24 * 3600_000 });
    const r = await app.request({ url: returnUrl(id), headers: json });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ checkoutSessionId: id, state: 'AuthorizationPending', chargeState: 'AuthorizationInitiated' });
    const page = await shop.request({ url: returnUrl(id), headers: browser });
    expect(page.statusCode).toBe(202);
    expect(page.body).toContain('http-equiv="refresh"');
    expect(page.body).toContain('AuthorizationPending');
    await h.client.workflow.getHandle(checkoutWorkflowId(id)).terminate('test done');
  });

  it('202 "ask again" with the true state when the wait runs out: Finalizing while Amazon is slow', async () => {
    const quick = await listen(testApp(h, { RETURN_WAIT_MS: '1000' }));
    try {
      const id = await started();
      await h.buyer(id, 'approve');
      // Complete takes 2.5 s at Amazon: the return is accepted and the session is Finalizing when the wait ends.
      await h.admin('POST', '/faults', { match: { method: 'POST', pathRegex: `${id}/complete` }, action: { type: 'latency', ms: 2_500 }, count: 1 });
      const r = await quick.request({ url: returnUrl(id), headers: json });
      expect(r.statusCode).toBe(202);
      expect(r.json()).toEqual({ checkoutSessionId: id, state: 'Finalizing', waitExpired: true });
      const page = await quick.request({ url: returnUrl(id), headers: browser });
      expect(page.statusCode).toBe(202);
      expect(page.body).toContain('<p id="state" class="state">Finalizing</p>');
      // The return was delivered all the same: asking again gets the outcome.
      expect((await result(id)).state).toBe('Completed');
      expect((await app.request({ url: returnUrl(id), headers: json })).json()).toMatchObject({ state: 'Completed' });
    } finally {
      await quick.close();
    }
  });

  it('202 with AwaitingReturn, as recorded, when no worker takes the return in time', async () => {
    const quick = await listen(testApp(h, { RETURN_WAIT_MS: '500' }));
    const id = await started();
    await eventually(async () => (await h.records.get(id))?.state === 'AwaitingReturn');
    await h.buyer(id, 'approve');
    await h.stopWorker();
    try {
      const r = await quick.request({ url: returnUrl(id), headers: json });
      expect(r.statusCode).toBe(202);
      expect(r.json()).toEqual({ checkoutSessionId: id, state: 'AwaitingReturn', waitExpired: true });
    } finally {
      await h.startWorker();
      await quick.close();
    }
    // The return was admitted: once a worker runs, the session completes.
    expect((await result(id)).state).toBe('Completed');
  });
});

describe('GET /checkout/cancel', () => {
  it('JSON: the cancel is applied and recorded before the answer; the workflow ends BuyerCanceled', async () => {
    const id = await started();
    const r = await app.request({ url: cancelUrl(id), headers: json });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ checkoutSessionId: id, state: 'BuyerCanceled', reasonCode: 'BuyerCanceled', canceled: true });
    expect(await h.records.get(id)).toMatchObject({ state: 'BuyerCanceled' });
    expect(await result(id)).toMatchObject({ state: 'BuyerCanceled' });
    expect(await h.counters(id)).toMatchObject({ completeCalls: 0 });

    // After the end the cancel URL answers the same.
    const late = await app.request({ url: cancelUrl(id), headers: json });
    expect(late.statusCode).toBe(200);
    expect(late.json()).toEqual(r.json());
  });

  it('browser: 303 to the failure URL; built-in page without one', async () => {
    const id = await started();
    const r = await shop.request({ url: cancelUrl(id), headers: browser });
    expect(r.statusCode).toBe(303);
    expect(r.headers.get('location')).toBe(`${SHOP}?failed=1&amazonCheckoutSessionId=${id}&state=BuyerCanceled`);
    const other = await started();
    const page = await app.request({ url: cancelUrl(other), headers: browser });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('BuyerCanceled');
  });

  it('after a pending return: says it did not cancel, shows AuthorizationPending, and the buyer is not sent to failure', async () => {
    const id = await started({ pending: { maxWaitMs: 60_000, initialPollMs: 50_000, maxPollMs: 50_000 } }, { canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
    await h.buyer(id, 'approve-pending', { settleTo: 'Authorized', settleAfterMs: 24 * 3600_000 });
    const returned = await app.request({ url: returnUrl(id), headers: json });
    expect(returned.statusCode).toBe(202);
    const chargeId = returned.json().chargeId as string;

    const r = await app.request({ url: cancelUrl(id), headers: json });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ checkoutSessionId: id, state: 'AuthorizationPending', canceled: false, message: expect.stringMatching(/not canceled/) });
    const page = await shop.request({ url: cancelUrl(id), headers: browser });
    expect(page.statusCode).toBe(202);
    expect(page.headers.get('location')).toBeNull();
    expect(page.body).toContain('AuthorizationPending');
    expect(page.body).toContain(`url=/checkout/return?amazonCheckoutSessionId=${id}`);

    // The authorization settles: the session ends Completed, and the cancel URL now sends the browser to success.
    await h.admin('POST', `/charges/${chargeId}/settle`, { to: 'Authorized' });
    await h.client.workflow.getHandle(checkoutWorkflowId(id)).signal('chargeStateChanged', { chargeId });
    expect(await result(id)).toMatchObject({ state: 'Completed', chargeState: 'Authorized' });
    const after = await shop.request({ url: cancelUrl(id), headers: browser });
    expect(after.statusCode).toBe(303);
    expect(after.headers.get('location')).toBe(`${SHOP}?amazonCheckoutSessionId=${id}&state=Completed`);
    const afterJson = await app.request({ url: cancelUrl(id), headers: json });
    expect(afterJson.json()).toMatchObject({ state: 'Completed', canceled: false, message: expect.stringMatching(/already ended/) });
  });

  it('404 for an unknown session, nothing created', async () => {
    const id = `unknown-${randomUUID()}`;
    const r = await app.request({ url: cancelUrl(id), headers: json });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: 'unknown_session' });
    expect(await exists(id)).toBe(false);
  });
});
