// Concurrent duplicates of every public entry point on the real stack: a double-tap, a client retry, a reloading
// browser. Each of 20 identical requests at once gets the same answer as the first, while the run is open and after
// it has closed, and Amazon sees one effect. Also the Mobile SDK flow of seed 000 through the merchant API.
import { randomUUID } from 'node:crypto';
import { checkoutWorkflowId, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { buyerAddress, createHarness, deadlineIn, type Harness } from '../../helpers/checkout-harness';
import { jsonHeaders, listen, testApp, type ListeningApp, type TestResponse } from '../../helpers/http-app';

jest.setTimeout(120_000);

const N = 20;
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

const json = { accept: 'application/json' };
const usd = (amount: string) => ({ amount, currencyCode: 'USD' });
const post = (url: string, body: unknown) => app.request({ method: 'POST', url, headers: jsonHeaders, payload: JSON.stringify(body) });
const get = (url: string) => app.request({ url, headers: json });
const returnUrl = (id: string) => `/checkout/return?amazonCheckoutSessionId=${id}`;
const cancelUrl = (id: string) => `/checkout/cancel?amazonCheckoutSessionId=${id}`;
const result = (id: string) => h.client.workflow.getHandle(checkoutWorkflowId(id)).result() as Promise<CheckoutOutcome>;

/** Status code and body of each answer, so one odd answer shows up as a second distinct entry. */
const answers = (rs: TestResponse[]) => [...new Set(rs.map((r) => `${r.statusCode} ${r.body}`))];
const times = <T>(f: () => Promise<T>) => Promise.all(Array.from({ length: N }, f));

const completeInput = (id: string) => ({
  checkoutSessionId: id,
  flow: 'complete',
  chargeAmount: usd('14.00'),
  deadline: deadlineIn(120_000),
  merchantReferenceId: `order-${id.slice(0, 8)}`,
});

const buyNowInput = (id: string) => ({
  checkoutSessionId: id,
  flow: 'finalize',
  chargeAmount: usd('14.00'),
  paymentIntent: 'AuthorizeWithCapture',
  canHandlePendingAuthorization: false,
  shippingAddress: buyerAddress,
  deadline: deadlineIn(120_000),
});

describe('20 identical requests at once', () => {
  it('start: one workflow; every answer names it with its run, the first 201 and the rest 200, open or closed', async () => {
    const id = await h.createSession();
    const input = completeInput(id);
    const rs = await times(() => post('/api/checkout-sessions', input));
    const created = rs.filter((r) => r.statusCode === 201);
    expect(created).toHaveLength(1);
    const first = created[0]!.json();
    expect(first).toEqual({ workflowId: checkoutWorkflowId(id), runId: expect.any(String), created: true });
    expect(answers(rs.filter((r) => r.statusCode !== 201))).toEqual([`200 ${JSON.stringify({ ...first, created: false })}`]);

    await h.buyer(id, 'approve');
    expect((await get(returnUrl(id))).json()).toMatchObject({ state: 'Completed' });
    await result(id);
    const late = await times(() => post('/api/checkout-sessions', input));
    expect(answers(late)).toEqual([`200 ${JSON.stringify({ ...first, created: false })}`]);
  });

  it('return: one complete effect, the same outcome for all, and again after the run has closed', async () => {
    const id = await h.createSession();
    expect((await post('/api/checkout-sessions', completeInput(id))).statusCode).toBe(201);
    await h.buyer(id, 'approve');
    const rs = await times(() => get(returnUrl(id)));
    const distinct = answers(rs);
    expect(distinct).toHaveLength(1);
    expect(distinct[0]).toMatch(/^200 .*"state":"Completed"/);
    await result(id);
    // The 20 requests shared one update: one in the history, not twenty for the worker to run.
    const history = await h.client.workflow.getHandle(checkoutWorkflowId(id)).fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length).toBe(1);
    expect(answers(await times(() => get(returnUrl(id))))).toEqual(distinct);
    expect(await h.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
  });

  it('cancel: one BuyerCanceled for all, recorded before the answer, and the same after the run has closed', async () => {
    const id = await h.createSession();
    expect((await post('/api/checkout-sessions', completeInput(id))).statusCode).toBe(201);
    const rs = await times(() => get(cancelUrl(id)));
    expect(answers(rs)).toEqual([`200 ${JSON.stringify({ checkoutSessionId: id, state: 'BuyerCanceled', reasonCode: 'BuyerCanceled', canceled: true })}`]);
    expect(await h.records.get(id)).toMatchObject({ state: 'BuyerCanceled' });
    await result(id);
    expect(answers(await times(() => get(cancelUrl(id))))).toEqual(answers(rs));
    expect(await h.counters(id)).toMatchObject({ completeCalls: 0 });
  });

  it('complete-checkout (Buy Now): no 500, the same outcome for all, one finalize effect, also once closed', async () => {
    for (let round = 0; round < 2; round++) {
      const id = await h.createSession({ productType: 'PayAndShip', paymentIntent: 'AuthorizeWithCapture' });
      await h.buyer(id, 'approve');
      const input = buyNowInput(id);
      const rs = await times(() => post(`/api/checkout-sessions/${id}/complete-checkout`, input));
      const distinct = answers(rs);
      expect(distinct).toHaveLength(1);
      expect(distinct[0]).toMatch(/^200 .*"state":"Completed"/);
      await result(id);
      expect(answers(await times(() => post(`/api/checkout-sessions/${id}/complete-checkout`, input)))).toEqual(distinct);
      expect(await h.counters(id)).toMatchObject({ finalizeCalls: 1, finalizeEffects: 1 });
    }
  });
});

describe('the Mobile SDK saved-wallet flow (seed 000) through the merchant API', () => {
  it('complete-checkout with no amount, intent or address finalizes with {} and stores what the seed says', async () => {
    const id = await h.createSession({ chargePermissionType: 'PaymentMethodOnFile', chargeAmount: undefined, paymentIntent: undefined });
    await h.buyer(id, 'approve');
    const input = { checkoutSessionId: id, flow: 'finalize', chargePermissionType: 'PaymentMethodOnFile', deadline: deadlineIn(120_000) };
    const r = await post(`/api/checkout-sessions/${id}/complete-checkout`, input);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ checkoutSessionId: id, state: 'Completed', chargePermissionId: expect.stringMatching(/^S01-/) });
    const withToken = await app.request({ url: `/api/checkout-sessions/${id}`, headers: jsonHeaders });
    expect(withToken.json().record).toMatchObject({
      state: 'Completed',
      chargePermissionId: r.json().chargePermissionId,
      chargeId: null,
      buyer: { name: 'Susie Smith' },
      billingAddress: { city: 'Chicago' },
      paymentDescriptor: expect.any(String),
    });
    expect(await h.counters(id)).toMatchObject({ finalizeCalls: 1, finalizeEffects: 1 });

    // Half of a charge is neither the setup nor a charge: refused before anything starts.
    const other = await h.createSession({ chargePermissionType: 'PaymentMethodOnFile', chargeAmount: undefined, paymentIntent: undefined });
    const bad = await post(`/api/checkout-sessions/${other}/complete-checkout`, { ...input, checkoutSessionId: other, paymentIntent: 'Authorize' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'invalid_input', message: expect.stringMatching(/saved-wallet setup.*paymentIntent/s) });
    expect(await h.counters(other)).toMatchObject({ finalizeCalls: 0 });
  });
});

describe('error bodies', () => {
  it('a path parameter over the length limit answers the documented {error, message} shape, without echoing it', async () => {
    const long = 'a'.repeat(10_000);
    for (const url of [`/api/checkout-sessions/${long}`, `/api/checkout-sessions/${long}/complete-checkout`]) {
      const r = await app.request({ method: url.endsWith('checkout') ? 'POST' : 'GET', url, headers: jsonHeaders, ...(url.endsWith('checkout') ? { payload: '{}' } : {}) });
      expect(r.statusCode).toBe(414);
      expect(r.json()).toEqual({ error: 'uri_too_long', message: expect.any(String) });
      expect(r.body.length).toBeLessThan(300);
    }
    const unknown = `x-${randomUUID()}`;
    expect((await get(returnUrl(unknown))).json()).toEqual({ error: 'unknown_session', message: expect.any(String) });
  });
});
