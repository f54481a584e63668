// Hostile input and load at the public edges, on the real stack (issue: bounds that match Amazon's, floods that
// change nothing): inputs Amazon would never accept are refused before anything starts — and by the workflow itself
// when a starter skips the edge; unknown session IDs cost no Temporal call; each client address has a rate; only so
// many returns wait at once.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { buildApp } from '../../../client/http/app';
import { createLogger } from '../../../client/temporal/logger';
import { WORKFLOW_TYPE } from '../../../client/temporal/checkout';
import { checkoutWorkflowId } from '../../../workflows/checkout-session';
import { createHarness, deadlineIn, eventually, type Harness } from '../../helpers/checkout-harness';
import { maybeSaveHistory } from '../../helpers/histories';
import { jsonHeaders, listen, testApp, testConfig, workflowExists, type ListeningApp } from '../../helpers/http-app';

jest.setTimeout(90_000);

let h: Harness;
let app: ListeningApp;
beforeAll(async () => {
  h = await createHarness();
  app = await listen(testApp(h, { CHECKOUT_MAX_AMOUNTS: 'USD:500,*:1000000' }));
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const json = { accept: 'application/json' };
const returnUrl = (id: string) => `/checkout/return?amazonCheckoutSessionId=${encodeURIComponent(id)}`;
const input = (id: string, over: Record<string, unknown> = {}) => ({
  checkoutSessionId: id,
  flow: 'complete',
  chargeAmount: { amount: '14.00', currencyCode: 'USD' },
  deadline: deadlineIn(60_000),
  ...over,
});
const start = (body: unknown) => app.request({ method: 'POST', url: '/api/checkout-sessions', headers: jsonHeaders, payload: JSON.stringify(body) });

describe('inputs Amazon would never accept are refused before anything starts', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a currency Amazon Pay does not charge in', { chargeAmount: { amount: '14.00', currencyCode: 'QQQ' } }, /QQQ is not a currency Amazon Pay charges in[\s\S]*chargeAmount\.currencyCode/],
    ['a zero amount', { chargeAmount: { amount: '0.00', currencyCode: 'USD' } }, /more than zero[\s\S]*chargeAmount\.amount/],
    ['an amount above this service’s limit', { chargeAmount: { amount: '500.01', currencyCode: 'USD' } }, /at most 500 USD[\s\S]*chargeAmount\.amount/],
    ['a deadline years away', { deadline: '2099-01-01T00:00:00Z' }, /within 24 hours of now[\s\S]*deadline/],
    ['a deadline already past', { deadline: new Date(Date.now() - 60_000).toISOString() }, /already passed[\s\S]*deadline/],
    ['a merchantReferenceId over Amazon’s 256 bytes', { merchantReferenceId: '€'.repeat(86) }, /256 bytes[\s\S]*merchantReferenceId/],
  ])('%s: 400 with the reason, no workflow, no record', async (_what, over, message) => {
    const id = `bounds-${randomUUID()}`;
    const r = await start(input(id, over));
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: 'invalid_input', message: expect.stringMatching(message) });
    expect(await workflowExists(h, id)).toBe(false);
    expect(await h.records.get(id)).toBeNull();
  });

  it('the bounds accept what Amazon accepts: a presentment currency, a 24-hour deadline, 256 one-byte characters', async () => {
    const id = await h.createSession();
    const r = await start(input(id, { chargeAmount: { amount: '1500', currencyCode: 'JPY' }, deadline: deadlineIn(24 * 3600_000), merchantReferenceId: 'r'.repeat(256) }));
    expect(r.statusCode).toBe(201);
    // The record exists before the start's answer (the start writes it), not only once the worker records Created.
    expect(await h.records.get(id)).toMatchObject({ _id: id, state: 'AwaitingReturn' });
    await h.client.workflow.getHandle(checkoutWorkflowId(id)).terminate('test done');
  });

  it('the workflow refuses the same input when a starter skips the edge: InvalidCheckoutInput naming the currency', async () => {
    const id = `direct-${randomUUID()}`;
    const handle = await h.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: h.taskQueue,
      workflowId: checkoutWorkflowId(id),
      args: [input(id, { chargeAmount: { amount: '14.00', currencyCode: 'QQQ' } })],
    });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidCheckoutInput', message: expect.stringMatching(/QQQ is not a currency Amazon Pay charges in/) });
    await maybeSaveHistory(h.client, handle.workflowId, 'input-out-of-bounds');
  });
});

describe('floods that change nothing', () => {
  it('an ID nobody started is answered 404 from the records, with no Temporal call', async () => {
    // A client whose every Temporal call throws: the answer cannot have come from Temporal.
    const noTemporal = new Proxy({} as Client, {
      get: () => {
        throw new Error('Temporal was called');
      },
    });
    const config = testConfig(h);
    const isolated = await listen(buildApp({ client: noTemporal, db: h.db, records: h.records, config, logger: createLogger('silent', 'http') }));
    try {
      for (let i = 0; i < 20; i++) {
        const id = `garbage-${randomUUID()}`;
        const r = await isolated.request({ url: returnUrl(id), headers: json });
        expect(r.statusCode).toBe(404);
        expect(r.json()).toEqual({ error: 'unknown_session', message: expect.any(String) });
        const c = await isolated.request({ url: `/checkout/cancel?amazonCheckoutSessionId=${id}`, headers: json });
        expect(c.statusCode).toBe(404);
      }
      const metrics = (await isolated.request({ url: '/metrics' })).body;
      expect(metrics).toMatch(/^checkout_http_unknown_session_total 40$/m);
    } finally {
      await isolated.close();
    }
  });

  it('each client address has a rate: 429 with Retry-After beyond the burst; another address is not affected', async () => {
    const limited = await listen(testApp(h, { PUBLIC_RATE_LIMIT_PER_SEC: '0.5', PUBLIC_RATE_LIMIT_BURST: '3', HTTP_TRUST_PROXY: 'loopback' }));
    try {
      const from = (ip: string) => ({ ...json, 'x-forwarded-for': ip });
      const id = `garbage-${randomUUID()}`;
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.request({ url: returnUrl(id), headers: from('203.0.113.7') })).statusCode);
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      const refused = await limited.request({ url: `/checkout/cancel?amazonCheckoutSessionId=${id}`, headers: from('203.0.113.7') });
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.json()).toEqual({ error: 'rate_limited', message: expect.stringMatching(/retry after/) });
      expect((await limited.request({ url: returnUrl(id), headers: from('198.51.100.9') })).statusCode).toBe(404);
      expect((await limited.request({ url: '/metrics' })).body).toMatch(/^checkout_http_rate_limited_total\{route="\/checkout\/return"\} 2$/m);
    } finally {
      await limited.close();
    }
  });

  it('never-started IDs from many addresses share one records-read budget: beyond it 429 "busy" without a read; a session started here is still answered', async () => {
    let reads = 0;
    const records = new Proxy(h.records, {
      get: (target, key) => {
        if (key === 'exists')
          return (id: string) => {
            reads++;
            return target.exists(id);
          };
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const config = testConfig(h, { SESSION_LOOKUPS_PER_SEC: '0.1', SESSION_LOOKUPS_BURST: '3', HTTP_TRUST_PROXY: 'loopback' });
    const budgeted = await listen(buildApp({ client: h.client, db: h.db, records, config, logger: createLogger('silent', 'http') }));
    try {
      const id = await h.createSession();
      expect((await budgeted.request({ method: 'POST', url: '/api/checkout-sessions', headers: jsonHeaders, payload: JSON.stringify(input(id)) })).statusCode).toBe(201);
      await h.buyer(id, 'approve');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const from = { ...json, 'x-forwarded-for': `198.18.0.${i + 1}` }; // each address within its own rate
        statuses.push((await budgeted.request({ url: returnUrl(`garbage-${randomUUID()}`), headers: from })).statusCode);
      }
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      expect(reads).toBe(3);
      const busy = await budgeted.request({ url: returnUrl(`garbage-${randomUUID()}`), headers: json });
      expect(busy.statusCode).toBe(429);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(busy.json()).toEqual({ error: 'busy', message: expect.stringMatching(/retry after 1 s/) });
      // Started through this server: remembered, so the budget does not stand between the buyer and the outcome.
      const r = await budgeted.request({ url: returnUrl(id), headers: json });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ checkoutSessionId: id, state: 'Completed' });
      expect(reads).toBe(3);
      expect((await budgeted.request({ url: '/metrics' })).body).toMatch(/^checkout_http_session_lookups_busy_total 3$/m);
    } finally {
      await budgeted.close();
    }
  });

  it('the IPN endpoint has its own rate per address', async () => {
    const limited = await listen(testApp(h, { IPN_RATE_LIMIT_PER_SEC: '0.5', IPN_RATE_LIMIT_BURST: '2' }));
    try {
      const post = () => limited.request({ method: 'POST', url: '/amazon-pay/ipn', headers: { 'content-type': 'application/json' }, payload: '{"Type":"Notification"}' });
      expect([(await post()).statusCode, (await post()).statusCode, (await post()).statusCode]).toEqual([400, 400, 429]);
    } finally {
      await limited.close();
    }
  });

  it('beyond RETURN_MAX_WAITING returns waiting at once, a return is delivered without waiting and answered 202 "ask again"', async () => {
    const bounded = await listen(testApp(h, { RETURN_MAX_WAITING: '1' }));
    try {
      const id = await h.createSession();
      expect((await bounded.request({ method: 'POST', url: '/api/checkout-sessions', headers: jsonHeaders, payload: JSON.stringify(input(id)) })).statusCode).toBe(201);
      await h.buyer(id, 'approve');
      // Complete takes 3 s at Amazon: the first return holds the one waiting place meanwhile.
      await h.admin('POST', '/faults', { match: { method: 'POST', pathRegex: `${id}/complete` }, action: { type: 'latency', ms: 3_000 }, count: 1 });
      const first = bounded.request({ url: returnUrl(id), headers: json });
      await eventually(async () => /^checkout_http_returns_waiting 1$/m.test((await bounded.request({ url: '/metrics' })).body));
      const second = await bounded.request({ url: returnUrl(id), headers: json });
      expect(second.statusCode).toBe(202);
      expect(second.json()).toMatchObject({ checkoutSessionId: id, waitExpired: true });
      expect((await first).json()).toMatchObject({ state: 'Completed' });
      const metrics = (await bounded.request({ url: '/metrics' })).body;
      expect(metrics).toMatch(/^checkout_http_returns_shed_total 1$/m);
      expect(metrics).toMatch(/^checkout_http_returns_waiting 0$/m);
      // One effect at Amazon for the two returns.
      expect(await h.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
    } finally {
      await bounded.close();
    }
  });
});

