import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  classifyWebhookStatus,
  deliverWebhookOnce,
  deliveryRecord,
  parseRetryAfter,
  type FetchLike,
} from '../../../activities/webhooks/deliver';
import { verifyWebhook } from '../../../activities/webhooks/signing';
import type { WebhookEventInput } from '../../../activities/webhooks/types';

const SECRET = 'whsec-unit-0123456789';
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

const answer =
  (status: number, headers: Record<string, string> = {}): FetchLike =>
  async () =>
    new Response(status === 204 || status === 304 ? null : 'receiver says: secret internals', { status, headers });

const endpoint = { url: 'http://127.0.0.1:1/hook', secrets: [SECRET], timeoutMs: 1_000 };

describe('webhook delivery classification', () => {
  it.each([
    [200, 'delivered'],
    [201, 'delivered'],
    [204, 'delivered'],
    [299, 'delivered'],
    [301, 'rejected'],
    [308, 'rejected'],
    [400, 'rejected'],
    [401, 'rejected'],
    [404, 'rejected'],
    [410, 'rejected'],
    [422, 'rejected'],
    [408, 'retryable'],
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
  ])('HTTP %i is %s', async (status, kind) => {
    expect(classifyWebhookStatus(status)).toBe(kind);
    const r = await deliverWebhookOnce(endpoint, '{}', 'sess:1', answer(status));
    expect(r).toMatchObject({ kind, httpStatus: status });
    // The receiver's body is never echoed.
    expect(JSON.stringify(r)).not.toMatch(/secret internals/);
  });

  it('takes Retry-After (seconds or HTTP date) from retryable answers only', async () => {
    expect(await deliverWebhookOnce(endpoint, '{}', 'sess:1', answer(503, { 'retry-after': '7' }))).toEqual({
      kind: 'retryable',
      httpStatus: 503,
      error: 'HTTP 503',
      retryAfterMs: 7_000,
    });
    const date = new Date(NOW + 30_000).toUTCString();
    expect(await deliverWebhookOnce(endpoint, '{}', 'sess:1', answer(429, { 'retry-after': date }), () => NOW)).toMatchObject({
      kind: 'retryable',
      retryAfterMs: 30_000,
    });
    expect(await deliverWebhookOnce(endpoint, '{}', 'sess:1', answer(500))).not.toHaveProperty('retryAfterMs');
    expect(await deliverWebhookOnce(endpoint, '{}', 'sess:1', answer(400, { 'retry-after': '7' }))).toEqual({
      kind: 'rejected',
      httpStatus: 400,
      error: 'HTTP 400',
    });
  });

  it('parses Retry-After', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(' 120 ')).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW)).toBe(0);
    for (const v of [undefined, null, '', '-1', '1.5', 'soon', '12abc']) expect(parseRetryAfter(v, NOW)).toBeUndefined();
  });

  it('a refused connection and a timeout are retryable, with a short URL-free error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await deliverWebhookOnce({ ...endpoint, url: `http://127.0.0.1:${port}/hook?token=abc` }, '{}', 'sess:1');
    expect(refused).toEqual({ kind: 'retryable', error: 'network error (ECONNREFUSED)' });

    const silent = createServer(() => undefined); // never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
      const started = Date.now();
      expect(await deliverWebhookOnce({ ...endpoint, url, timeoutMs: 300 }, '{}', 'sess:1')).toEqual({
        kind: 'retryable',
        error: 'no response within 300 ms',
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('deliverWebhookOnce on the wire', () => {
  let server: Server;
  let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[];

  beforeAll(async () => {
    seen = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(req.url === '/moved' ? 302 : 200, req.url === '/moved' ? { location: '/elsewhere' } : {}).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  it('POSTs the body as given, JSON, signed, with the event ID and a user agent', async () => {
    const body = '{"eventId":"sess-9:3","type":"checkout.completed"}';
    expect(await deliverWebhookOnce({ url: `${base()}/hook`, secrets: [SECRET] }, body, 'sess-9:3')).toEqual({ kind: 'delivered', httpStatus: 200 });
    const req = seen.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', url: '/hook', body });
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['checkout-event-id']).toBe('sess-9:3');
    expect(req.headers['user-agent']).toMatch(/^checkout-orchestrator-webhooks\//);
    expect(verifyWebhook(req.body, req.headers['checkout-signature'] as string, [SECRET])).toMatchObject({ ok: true });
  });

  it('does not follow a redirect: it is rejected, and the target is never called', async () => {
    const before = seen.length;
    expect(await deliverWebhookOnce({ url: `${base()}/moved`, secrets: [SECRET] }, '{}', 'sess:1')).toEqual({
      kind: 'rejected',
      httpStatus: 302,
      error: 'HTTP 302 (redirects are not followed)',
    });
    expect(seen.slice(before).map((r) => r.url)).toEqual(['/moved']);
  });
});

describe('the record of an attempt', () => {
  const event: WebhookEventInput = {
    eventId: 'sess-1:4',
    type: 'checkout.completed',
    checkoutSessionId: 'sess-1',
    state: 'Completed',
    reasonCode: null,
    chargeId: 'S01-C1',
    chargePermissionId: 'S01',
    chargeState: 'Captured',
    chargeAmount: { amount: '14.00', currencyCode: 'USD' },
    totalOrderAmount: null,
    merchantReferenceId: 'order-1',
    recovered: false,
    occurredAt: '2025-01-01T00:00:00.000Z',
  };
  const now = new Date(NOW);

  it('keeps the event for a resend, the status and a bounded error; never a body', () => {
    expect(deliveryRecord(event, { kind: 'delivered', httpStatus: 204 }, 3, now)).toEqual({
      state: 'delivered',
      lastEventId: 'sess-1:4',
      lastEventType: 'checkout.completed',
      lastEvent: event,
      attempts: 3,
      lastHttpStatus: 204,
      lastError: null,
      deliveredAt: now,
      updatedAt: now,
    });
    expect(deliveryRecord(event, { kind: 'rejected', httpStatus: 400, error: 'HTTP 400' }, 1, now)).toMatchObject({ state: 'rejected', lastHttpStatus: 400 });
    expect(deliveryRecord(event, { kind: 'retryable', error: 'network error (ECONNRESET)' }, 2, now)).toMatchObject({
      state: 'retrying',
      lastHttpStatus: null,
      lastError: 'network error (ECONNRESET)',
    });
    // Fields the input type does not name are not stored (nor sent).
    const extra = { ...event, buyerEmail: 'susie@example.com' } as WebhookEventInput;
    expect(JSON.stringify(deliveryRecord(extra, { kind: 'delivered', httpStatus: 200 }, 1, now))).not.toMatch(/susie/);
  });
});
