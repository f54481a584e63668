// /metrics of both processes on the real stack: the HTTP server's (Fastify app) and the worker's own endpoint
// (worker/metrics.ts, served over real HTTP), parsed as Prometheus text, carrying the business metrics with exactly
// the values a few known checkouts produce: 2 completed, 1 declined, 1 canceled by the buyer.
import { createHarness, deadlineIn, eventually, type Harness, type HarnessOptions } from '../../helpers/checkout-harness';
import { jsonHeaders, listen, testApp, type ListeningApp } from '../../helpers/http-app';
import { parsePrometheusText, type Exposition } from '../../helpers/prom-text';
import { createWorkerMetrics, serveMetrics, type WorkerMetrics } from '../../../worker/metrics';
import { deliverReturn, startCheckout } from '../../../client/temporal/checkout';
import { checkoutWorkflowId } from '../../../workflows/checkout-session';

jest.setTimeout(120_000);

let h: Harness;
let app: ListeningApp;
let metrics: WorkerMetrics;
let prom: Awaited<ReturnType<typeof serveMetrics>>;
const ids: Record<'ok1' | 'ok2' | 'declined' | 'canceled', string> = { ok1: '', ok2: '', declined: '', canceled: '' };

const json = { accept: 'application/json' };
const workerText = async () => (await fetch(`http://127.0.0.1:${prom.port}/metrics`)).text();
const workerMetrics = async (): Promise<Exposition> => parsePrometheusText(await workerText());
const httpMetrics = async (): Promise<Exposition> => parsePrometheusText((await app.request({ url: '/metrics' })).body);

async function start(): Promise<string> {
  const id = await h.createSession();
  const r = await app.request({
    method: 'POST',
    url: '/api/checkout-sessions',
    headers: jsonHeaders,
    payload: JSON.stringify({ checkoutSessionId: id, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' }, deadline: deadlineIn(60_000) }),
  });
  expect(r.statusCode).toBe(201);
  return id;
}

beforeAll(async () => {
  const opts: HarnessOptions = { worker: false };
  h = await createHarness(opts);
  // The worker's registry samples this test's own database, so the per-state gauges count only its sessions.
  metrics = createWorkerMetrics(h.db, { cacheMs: 0 });
  opts.metrics = metrics.checkout;
  await h.startWorker();
  prom = await serveMetrics(metrics.registry, 0, '127.0.0.1');
  app = await listen(testApp(h));

  for (const k of ['ok1', 'ok2'] as const) {
    ids[k] = await start();
    await h.buyer(ids[k], 'approve');
    const r = await app.request({ url: `/checkout/return?amazonCheckoutSessionId=${ids[k]}`, headers: json });
    expect(r.json()).toMatchObject({ state: 'Completed' });
  }
  ids.declined = await start();
  await h.buyer(ids.declined, 'decline');
  expect((await app.request({ url: `/checkout/return?amazonCheckoutSessionId=${ids.declined}`, headers: json })).json()).toMatchObject({ state: 'Declined' });
  ids.canceled = await start();
  expect((await app.request({ url: `/checkout/cancel?amazonCheckoutSessionId=${ids.canceled}`, headers: json })).json()).toMatchObject({ state: 'BuyerCanceled' });
  // Each final state queues a merchant webhook (not configured here): wait for the four to be counted.
  await eventually(async () => (await workerMetrics()).sum('checkout_webhook_deliveries_total') >= 4);
});
afterAll(async () => {
  prom?.server.close();
  await app?.close();
  await h?.close();
});

describe("the worker's /metrics", () => {
  it('parses as Prometheus text with default Node metrics and a TYPE for every business metric', async () => {
    const m = await workerMetrics();
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) expect(m.has(name)).toBe(true);
    expect(m.types.get('checkout_sessions_ended_total')).toBe('counter');
    expect(m.types.get('checkout_session_duration_seconds')).toBe('histogram');
    expect(m.types.get('checkout_return_to_outcome_seconds')).toBe('histogram');
    expect(m.types.get('checkout_sessions')).toBe('gauge');
  });

  it('counts started and ended sessions by state and flow, exactly once each', async () => {
    const m = await workerMetrics();
    // A start is counted by the process that recorded its Created step: the HTTP server for these four, so the
    // worker counts none of them (the sum over both processes is the number of sessions started).
    const http = parsePrometheusText((await app.request({ url: '/metrics' })).body);
    expect(http.value('checkout_sessions_started_total', { flow: 'complete' })).toBe(4);
    expect(m.sum('checkout_sessions_started_total')).toBe(0);
    expect(m.value('checkout_sessions_ended_total', { state: 'Completed', flow: 'complete' })).toBe(2);
    expect(m.value('checkout_sessions_ended_total', { state: 'Declined', flow: 'complete' })).toBe(1);
    expect(m.value('checkout_sessions_ended_total', { state: 'BuyerCanceled', flow: 'complete' })).toBe(1);
    expect(m.sum('checkout_sessions_ended_total')).toBe(4);
    expect(m.sum('checkout_recoveries_total')).toBe(0);
    expect(m.sum('checkout_authorizations_pending_total')).toBe(0);
  });

  // Return → outcome is observed when the record holds the return's time: the confirm step writes it (Completed,
  // AuthorizationPending and what follows); a decline at confirm is recorded without it (README, known gaps).
  it('histograms: start → outcome for all four, return → outcome for the two confirmed', async () => {
    const m = await workerMetrics();
    expect(m.value('checkout_session_duration_seconds_count', { state: 'Completed', flow: 'complete' })).toBe(2);
    expect(m.value('checkout_return_to_outcome_seconds_count', { state: 'Completed', flow: 'complete' })).toBe(2);
    expect(m.sum('checkout_return_to_outcome_seconds_count')).toBe(2);
    expect(m.sum('checkout_session_duration_seconds_count')).toBe(4);
    const sum = m.value('checkout_session_duration_seconds_sum', { state: 'Completed', flow: 'complete' });
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(120);
    expect(m.value('checkout_session_duration_seconds_bucket', { state: 'Completed', flow: 'complete', le: '+Inf' })).toBe(2);
  });

  it('sessions by current state, sampled from the records; nothing pending, past deadline or retrying', async () => {
    const m = await workerMetrics();
    expect(m.value('checkout_sessions', { state: 'Completed' })).toBe(2);
    expect(m.value('checkout_sessions', { state: 'Declined' })).toBe(1);
    expect(m.value('checkout_sessions', { state: 'BuyerCanceled' })).toBe(1);
    expect(m.value('checkout_sessions', { state: 'AwaitingReturn' })).toBe(0);
    expect(m.value('checkout_authorization_pending_oldest_age_seconds')).toBe(0);
    expect(m.value('checkout_sessions_past_deadline')).toBe(0);
    expect(m.value('checkout_webhooks_retrying')).toBe(0);
    expect(m.value('checkout_webhook_deliveries_total', { outcome: 'not_configured' })).toBe(4);
  });

  it('carries no session or charge ID', async () => {
    const text = await workerText();
    for (const id of Object.values(ids)) expect(text).not.toContain(id);
  });
});

describe("the HTTP server's /metrics", () => {
  it('parses as Prometheus text: requests by route template, latency by status class, Node defaults, no IDs', async () => {
    const text = (await app.request({ url: '/metrics' })).body;
    const m = parsePrometheusText(text);
    expect(m.value('http_requests_total', { method: 'POST', route: '/api/checkout-sessions', status: '201' })).toBe(4);
    expect(m.value('http_requests_total', { method: 'GET', route: '/checkout/return', status: '200' })).toBe(3);
    expect(m.value('http_request_duration_seconds_count', { method: 'GET', route: '/checkout/cancel', status_class: '2xx' })).toBe(1);
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);
    expect(m.has('nodejs_gc_duration_seconds_count') || m.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(m.value('checkout_http_returns_waiting')).toBe(0);
    expect(m.value('checkout_ipn_cert_fetches_total')).toBe(0);
    for (const id of Object.values(ids)) expect(text).not.toContain(id);
  });

  it('the same registry again: counters only grow', async () => {
    const before = await httpMetrics();
    await app.request({ url: '/healthz' });
    const after = await httpMetrics();
    expect(after.value('http_requests_total', { route: '/healthz', status: '200' })).toBe(before.sum('http_requests_total', { route: '/healthz', status: '200' }) + 1);
  });
});

describe('a pending authorization settled by polling', () => {
  it('counts the pending entry, the settlement by charge state, the outcome and its return time; the age gauge sees it while it waits', async () => {
    const before = await workerMetrics();
    const id = await h.createSession({ canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
    await h.buyer(id, 'approve-pending', { settleTo: 'Authorized', settleAfterMs: 24 * 3600_000 });
    const input = { checkoutSessionId: id, flow: 'complete' as const, chargeAmount: { amount: '14.00', currencyCode: 'USD' }, deadline: deadlineIn(60_000), pending: { maxWaitMs: 60_000, initialPollMs: 300, maxPollMs: 1_000 } };
    expect((await startCheckout(h.client, input, h.taskQueue)).created).toBe(true);
    const r = await deliverReturn(h.client, id, 30_000);
    expect(r.kind === 'outcome' && r.outcome.state).toBe('AuthorizationPending');
    const chargeId = r.kind === 'outcome' ? r.outcome.chargeId : undefined;

    const waiting = await workerMetrics();
    expect(waiting.value('checkout_sessions', { state: 'AuthorizationPending' })).toBe(1);
    expect(waiting.value('checkout_authorization_pending_oldest_age_seconds')).toBeGreaterThan(0);
    expect(waiting.value('checkout_authorizations_pending_total')).toBe(before.sum('checkout_authorizations_pending_total') + 1);

    await h.admin('POST', `/charges/${chargeId}/settle`, { to: 'Authorized' });
    expect(await h.client.workflow.getHandle(checkoutWorkflowId(id)).result()).toMatchObject({ state: 'Completed' });
    const after = await workerMetrics();
    expect(after.value('checkout_authorizations_settled_total', { charge_state: 'Authorized' })).toBe(1);
    expect(after.value('checkout_sessions_ended_total', { state: 'Completed', flow: 'complete' })).toBe(3);
    expect(after.sum('checkout_return_to_outcome_seconds_count')).toBe(3);
    expect(after.value('checkout_sessions', { state: 'AuthorizationPending' })).toBe(0);
    expect(after.value('checkout_authorization_pending_oldest_age_seconds')).toBe(0);
  });
});
