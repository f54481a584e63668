// The Amazon Pay client's reading of responses over real HTTP, and of no response at all (timeouts, resets, a
// closed port): each maps to one failure kind. Requests themselves: client-requests.test.ts.
import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { idempotencyKey } from '../../../activities/amazon-pay/idempotency';
import {
  api,
  CHARGE_ID,
  charge,
  client,
  COMPLETE_BODY,
  failure,
  json,
  KEY,
  session,
  SESSION_ID,
  useFakeAmazonPay,
  verifyReceived,
  type Handler,
} from '../../helpers/fake-amazon-pay-http';

useFakeAmazonPay();

describe('responses', () => {
  it('returns 202 from complete with the parsed session and request id', async () => {
    api.handler = json(202, session());
    const res = await client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY });
    expect(res).toMatchObject({ status: 202, requestId: 'req-123' });
    expect(res.body.chargeId).toBe(CHARGE_ID);
    expect(res.body.statusDetails.state).toBe('Completed');
  });

  it('captures with an idempotency key', async () => {
    api.handler = json(200, charge('Captured'));
    const res = await client().captureCharge(
      CHARGE_ID,
      { captureAmount: { amount: '14.00', currencyCode: 'USD' }, softDescriptor: 'SHOP' },
      { idempotencyKey: idempotencyKey(SESSION_ID, 'capture') },
    );
    expect(res.body.statusDetails.state).toBe('Captured');
    expect(api.received[0]!.url).toBe(`/v2/charges/${CHARGE_ID}/capture`);
  });

  it('creates and updates checkout sessions', async () => {
    api.handler = json(201, session('Open'));
    const created = await client().createCheckoutSession(
      {
        webCheckoutDetails: { checkoutReviewReturnUrl: 'https://shop.example/review' },
        storeId: 'amzn1.application-oa2-client.x',
      },
      { idempotencyKey: 'create-1' },
    );
    expect(created.status).toBe(201);
    expect(api.received[0]!.url).toBe('/v2/checkoutSessions');
    api.handler = json(200, session('Open'));
    await client().updateCheckoutSession(SESSION_ID, {
      paymentDetails: { chargeAmount: { amount: '14.00', currencyCode: 'USD' }, paymentIntent: 'Authorize' },
    });
    expect(api.received[1]!.method).toBe('PATCH');
    verifyReceived(api.received[1]!);
  });

  it('classifies 422 InvalidCheckoutSessionStatus: Ambiguous on complete, Rejected on update', async () => {
    api.handler = json(422, { reasonCode: 'InvalidCheckoutSessionStatus', message: 'not Open' });
    const complete = await failure(
      client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }),
    );
    expect(complete).toMatchObject({
      kind: 'AmazonPayAmbiguous',
      status: 422,
      reasonCode: 'InvalidCheckoutSessionStatus',
      requestId: 'req-123',
      operation: 'completeCheckoutSession',
    });
    expect(complete.message).toBe('completeCheckoutSession: InvalidCheckoutSessionStatus (HTTP 422)');
    const update = await failure(client().updateCheckoutSession(SESSION_ID, {}));
    expect(update.kind).toBe('AmazonPayRejected');
  });

  it('reads Retry-After on 429', async () => {
    api.handler = json(429, { reasonCode: 'TooManyRequests', message: 'slow down' }, { 'retry-after': '3' });
    const err = await failure(client().getCharge(CHARGE_ID));
    expect(err).toMatchObject({ kind: 'AmazonPayRetryable', status: 429, retryAfterMs: 3000 });
  });

  it('maps 404 ResourceNotFound to NotFound and 403 to Config', async () => {
    api.handler = json(404, { reasonCode: 'ResourceNotFound', message: 'gone' });
    expect((await failure(client().getCheckoutSession(SESSION_ID))).kind).toBe('AmazonPayNotFound');
    api.handler = json(403, { reasonCode: 'InvalidRequestSignature', message: 'bad' });
    expect((await failure(client().getCheckoutSession(SESSION_ID))).kind).toBe('AmazonPayConfig');
  });

  it('treats an unreadable 2xx as Ambiguous for complete and Retryable for reads', async () => {
    api.handler = (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"checkoutSessionId": "x"');
    };
    const complete = await failure(
      client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }),
    );
    expect(complete.kind).toBe('AmazonPayAmbiguous');
    expect(complete.message).toBe('completeCheckoutSession: response body is not JSON (HTTP 200)');
    api.handler = json(200, { chargeId: CHARGE_ID, statusDetails: { state: 'Nonsense' } });
    const get = await failure(client().getCharge(CHARGE_ID));
    expect(get.kind).toBe('AmazonPayRetryable');
    expect(get.message).toBe('getCharge: response body failed validation at statusDetails.state (HTTP 200)');
  });
});

describe('no response', () => {
  const hang: Handler = () => undefined;

  it('times out: Retryable for getCharge, Ambiguous for complete', async () => {
    api.handler = hang;
    const c = client({ timeoutMs: 150 });
    const get = await failure(c.getCharge(CHARGE_ID));
    expect(get.kind).toBe('AmazonPayRetryable');
    expect(get.message).toBe('getCharge: timed out after 150 ms after the request was sent (no response)');
    const complete = await failure(c.completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }));
    expect(complete.kind).toBe('AmazonPayAmbiguous');
    expect(api.received).toHaveLength(2);
  });

  it('times out while the body trickles in', async () => {
    api.handler = (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"checkoutSessionId":');
    };
    const err = await failure(
      client({ timeoutMs: 150 }).finalizeCheckoutSession(
        SESSION_ID,
        { chargeAmount: { amount: '14', currencyCode: 'USD' }, paymentIntent: 'Authorize' },
        { idempotencyKey: KEY },
      ),
    );
    expect(err.kind).toBe('AmazonPayAmbiguous');
  });

  it('connection destroyed mid-response: Ambiguous for complete, Retryable for getCharge', async () => {
    api.handler = (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"checkoutSessionId":"bd504926', () => res.socket?.destroy());
    };
    const complete = await failure(
      client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }),
    );
    expect(complete.kind).toBe('AmazonPayAmbiguous');
    expect(complete.message).toMatch(/^completeCheckoutSession: \S+ after the request was sent \(no response\)$/);
    const get = await failure(client().getCharge(CHARGE_ID));
    expect(get.kind).toBe('AmazonPayRetryable');
  });

  it('connection destroyed before any response: Ambiguous for complete', async () => {
    api.handler = (r, res) => res.socket?.destroy();
    const err = await failure(client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }));
    expect(err.kind).toBe('AmazonPayAmbiguous');
  });

  it('connection refused: the request never left, so even complete is Retryable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(
      client({ baseUrl: `http://127.0.0.1:${port}` }).completeCheckoutSession(SESSION_ID, COMPLETE_BODY, {
        idempotencyKey: KEY,
      }),
    );
    expect(err.kind).toBe('AmazonPayRetryable');
    expect(err.message).toBe('completeCheckoutSession: ECONNREFUSED before the request was sent (no response)');
  });
});
