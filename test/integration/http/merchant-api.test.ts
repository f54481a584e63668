// The merchant API on the real stack: start (201/200/409/400/401), body rules ($ keys, size, media type),
// Buy Now complete-checkout by update-with-start, and the status endpoint while waiting and after close.
import { randomUUID } from 'node:crypto';
import { checkoutWorkflowId } from '../../../workflows/checkout-session';
import { buyerAddress, createHarness, deadlineIn, eventually, type Harness } from '../../helpers/checkout-harness';
import { auth, jsonHeaders, listen, testApp, type ListeningApp, workflowExists } from '../../helpers/http-app';

jest.setTimeout(90_000);

let h: Harness;
let app: ListeningApp;
beforeAll(async () => {
  h = await createHarness();
  app = await listen(testApp(h));
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const usd = (amount: string) => ({ amount, currencyCode: 'USD' });
const completeInput = (id: string, over: Record<string, unknown> = {}) => ({
  checkoutSessionId: id,
  flow: 'complete',
  chargeAmount: usd('14.00'),
  deadline: deadlineIn(60_000),
  merchantReferenceId: `order-${randomUUID().slice(0, 8)}`,
  ...over,
});

const post = (url: string, body: unknown, headers: Record<string, string> = jsonHeaders) =>
  app.request({ method: 'POST', url, headers, payload: typeof body === 'string' ? body : JSON.stringify(body) });
const exists = (id: string) => workflowExists(h, id);

describe('POST /api/checkout-sessions', () => {
  it('201 on the first start, 200 with the same body again, 409 with a different body', async () => {
    const id = await h.createSession();
    const input = completeInput(id);
    const first = await post('/api/checkout-sessions', input);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ workflowId: checkoutWorkflowId(id), runId: expect.any(String), created: true });

    // Same body, keys in another order: the same request.
    const reordered = Object.fromEntries(Object.entries(input).reverse());
    const again = await post('/api/checkout-sessions', reordered);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ workflowId: checkoutWorkflowId(id), runId: first.json().runId, created: false });

    const other = await post('/api/checkout-sessions', { ...input, chargeAmount: usd('15.00') });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ error: 'conflict' });
  });

  it('400 with every input problem and nothing started', async () => {
    const id = `bad-${randomUUID()}`;
    const r = await post('/api/checkout-sessions', { checkoutSessionId: id, flow: 'complete', deadline: 'tomorrow' });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'invalid_input' });
    expect(r.json().message).toMatch(/chargeAmount/);
    expect(r.json().message).toMatch(/deadline/);
    expect(await exists(id)).toBe(false);
  });

  it('401 without or with a wrong bearer token, before anything is parsed', async () => {
    const input = completeInput(`noauth-${randomUUID()}`);
    const none = await post('/api/checkout-sessions', input, { 'content-type': 'application/json' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
    const wrong = await post('/api/checkout-sessions', input, { 'content-type': 'application/json', authorization: 'Bearer not-the-token-at-all' });
    expect(wrong.statusCode).toBe(401);
    expect(await exists(input.checkoutSessionId)).toBe(false);
  });

  it('400 for a key starting with $ anywhere in the body, 413 over the body limit, 415 for other media types', async () => {
    const id = `dollar-${randomUUID()}`;
    const dollar = await post('/api/checkout-sessions', completeInput(id, { chargeAmount: { amount: { $gt: '' }, currencyCode: 'USD' } }));
    expect(dollar.statusCode).toBe(400);
    expect(dollar.json()).toMatchObject({ error: 'forbidden_key' });
    const proto = await post('/api/checkout-sessions', `{"checkoutSessionId":"${id}","__proto__":{"x":1}}`);
    expect(proto.statusCode).toBe(400);

    const big = await post('/api/checkout-sessions', completeInput(id, { merchantReferenceId: 'x'.repeat(70 * 1024) }));
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: 'payload_too_large' });

    const xml = await post('/api/checkout-sessions', '<checkout/>', { ...auth, 'content-type': 'application/xml' });
    expect(xml.statusCode).toBe(415);
    const broken = await post('/api/checkout-sessions', '{"checkoutSessionId":');
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: 'invalid_json' });
    expect(await exists(id)).toBe(false);
  });
});

describe('POST /api/checkout-sessions/:id/complete-checkout (Buy Now / mobile, update-with-start)', () => {
  const finalizeInput = (id: string) => ({
    checkoutSessionId: id,
    flow: 'finalize',
    chargeAmount: usd('14.00'),
    paymentIntent: 'AuthorizeWithCapture',
    canHandlePendingAuthorization: false,
    shippingAddress: buyerAddress,
    deadline: deadlineIn(60_000),
    merchantReferenceId: `order-${randomUUID().slice(0, 8)}`,
  });

  it('starts and finalizes in one request; a repeat answers the same outcome; one effect at Amazon', async () => {
    const id = await h.createSession({ productType: 'PayAndShip', paymentIntent: 'AuthorizeWithCapture' });
    await h.buyer(id, 'approve');
    const input = finalizeInput(id);
    const r = await post(`/api/checkout-sessions/${id}/complete-checkout`, input);
    expect(r.statusCode).toBe(200);
    const outcome = r.json();
    expect(outcome).toMatchObject({ checkoutSessionId: id, state: 'Completed' });
    expect(outcome.chargeId).toMatch(/^S01-/);

    const again = await post(`/api/checkout-sessions/${id}/complete-checkout`, input);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(outcome);

    const doc = await h.records.get(id);
    expect(doc).toMatchObject({ state: 'Completed', flow: 'finalize', chargeId: outcome.chargeId, chargeAmount: { minor: 1400 } });
    expect(await h.counters(id)).toMatchObject({ finalizeCalls: 1, finalizeEffects: 1 });

    const conflict = await post(`/api/checkout-sessions/${id}/complete-checkout`, { ...input, chargeAmount: usd('1.00') });
    expect(conflict.statusCode).toBe(409);
    expect(await h.counters(id)).toMatchObject({ finalizeCalls: 1 });
  });

  it('RECOVERY_GRACE_MS: sessions started here without their own timing recover a lost return after it', async () => {
    const quick = await listen(testApp(h, { RECOVERY_GRACE_MS: '500' }));
    try {
      const id = await h.createSession({ checkoutResultReturnUrl: 'https://shop.test/return' });
      await h.buyer(id, 'approve');
      const input = completeInput(id, { deadline: deadlineIn(10 * 60_000) });
      const r = await quick.request({ method: 'POST', url: '/api/checkout-sessions', headers: jsonHeaders, payload: JSON.stringify(input) });
      expect(r.statusCode).toBe(201);
      const outcome = await h.client.workflow.getHandle(checkoutWorkflowId(id)).result();
      expect(outcome).toMatchObject({ state: 'Completed', recovered: true });
      // The default travels in the workflow's input; the fingerprint is the merchant's own request.
      const again = await post('/api/checkout-sessions', input);
      expect(again.statusCode).toBe(200);
    } finally {
      await quick.close();
    }
  });

  it('400 when the path and body sessions differ, or the body is invalid; nothing started', async () => {
    const id = `mismatch-${randomUUID()}`;
    const r = await post(`/api/checkout-sessions/${id}/complete-checkout`, finalizeInput(`other-${randomUUID()}`));
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'session_mismatch' });
    const invalid = await post(`/api/checkout-sessions/${id}/complete-checkout`, { ...finalizeInput(id), shippingAddress: undefined });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: 'invalid_input' });
    const badId = await post('/api/checkout-sessions/not_an_id!/complete-checkout', finalizeInput('x'));
    expect(badId.statusCode).toBe(400);
    expect(await exists(id)).toBe(false);
    const noAuth = await post(`/api/checkout-sessions/${id}/complete-checkout`, finalizeInput(id), { 'content-type': 'application/json' });
    expect(noAuth.statusCode).toBe(401);
  });
});

describe('GET /api/checkout-sessions/:id', () => {
  it('live status while waiting for the return; the record and timeline once closed', async () => {
    const id = await h.createSession();
    expect((await post('/api/checkout-sessions', completeInput(id))).statusCode).toBe(201);
    // The server recorded the Created step before starting: the order is in the record when the start is answered.
    expect(await h.records.get(id)).toMatchObject({ seq: 0, state: 'AwaitingReturn', flow: 'complete', chargeAmount: { amount: '14.00', minor: 1400 } });
    expect((await h.records.timeline(id)).map((e) => [e.type, e.seq])).toEqual([['Created', 0]]);

    const waiting = await eventually(async () => {
      const r = await app.request({ method: 'GET', url: `/api/checkout-sessions/${id}`, headers: auth });
      return r.statusCode === 200 && r.json().status ? r : undefined;
    });
    expect(waiting.json().status).toMatchObject({ checkoutSessionId: id, state: 'AwaitingReturn', returned: false });

    await h.buyer(id, 'approve');
    const ret = await app.request({ method: 'GET', url: `/checkout/return?amazonCheckoutSessionId=${id}`, headers: { accept: 'application/json' } });
    expect(ret.json()).toMatchObject({ state: 'Completed' });

    const closed = await eventually(async () => {
      const r = await app.request({ method: 'GET', url: `/api/checkout-sessions/${id}`, headers: auth });
      return r.json().record?.state === 'Completed' ? r : undefined;
    });
    const body = closed.json();
    expect(body.status).toBeUndefined();
    expect(body.record).toMatchObject({ _id: id, state: 'Completed', chargeAmount: { amount: '14.00', minor: 1400 }, workflowId: checkoutWorkflowId(id) });
    expect(body.timeline.map((e: { type: string }) => e.type)).toEqual(['Created', 'Completed']);
  });

  it('404 for an unknown session, 401 without the token, 400 for a malformed ID', async () => {
    const unknown = await app.request({ method: 'GET', url: `/api/checkout-sessions/unknown-${randomUUID()}`, headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'unknown_session' });
    expect((await app.request({ method: 'GET', url: `/api/checkout-sessions/x` })).statusCode).toBe(401);
    expect((await app.request({ method: 'GET', url: '/api/checkout-sessions/bad_id', headers: auth })).statusCode).toBe(400);
  });
});
