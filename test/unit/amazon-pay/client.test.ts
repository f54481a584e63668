import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { generate } from 'selfsigned';
import { createAmazonPayClient, type AmazonPayClientConfig } from '../../../activities/amazon-pay/client';
import { AmazonPayError } from '../../../activities/amazon-pay/errors';
import { idempotencyKey } from '../../../activities/amazon-pay/idempotency';
import { canonicalRequest, stringToSign, verify, type SigningAlgorithm } from '../../../activities/amazon-pay/signing';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
/** A line from the middle of the PEM: whatever leaks, a fragment of it shows up. */
const KEY_FRAGMENT = privateKey.split('\n')[5]!;

const SESSION_ID = 'bd504926-f659-4ad7-a1a9-9a747aaf5275';
const CHARGE_ID = 'S01-1234567-1234567-C123456';
const COMPLETE_BODY = { chargeAmount: { amount: '14.00', currencyCode: 'USD' } };
const KEY = idempotencyKey(SESSION_ID, 'complete');

const session = (state = 'Completed') => ({
  checkoutSessionId: SESSION_ID,
  chargePermissionType: 'OneTime',
  statusDetails: { state, reasonCode: null, reasonDescription: null, lastUpdatedTimestamp: '20240102T030405Z' },
  chargePermissionId: 'S01-1234567-1234567',
  chargeId: CHARGE_ID,
  buyer: { name: 'Jane Buyer', email: 'jane@example.com', buyerId: 'b1' },
});
const charge = (state = 'Authorized') => ({
  chargeId: CHARGE_ID,
  chargePermissionId: 'S01-1234567-1234567',
  chargeAmount: { amount: '14.00', currencyCode: 'USD' },
  statusDetails: { state, reasonCode: null, lastUpdatedTimestamp: '20240102T030405Z' },
});

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
type Handler = (r: Received, res: http.ServerResponse) => void;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => {
  return (_r, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amz-pay-request-id': 'req-123', ...headers });
    res.end(JSON.stringify(body));
  };
};

/** Answers like Amazon for the resource in the path. */
const byResource: Handler = (r, res) => {
  if (r.url.includes('/chargePermissions/')) {
    return json(200, {
      chargePermissionId: 'S01-1234567-1234567',
      statusDetails: { state: 'Chargeable', reasons: null },
    })(r, res);
  }
  return json(200, r.url.includes('/charges/') ? charge() : session())(r, res);
};
let handler: Handler = byResource;
const received: Received[] = [];

function listener(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
    received.push(r);
    handler(r, res);
  });
}

const server = http.createServer(listener);
let baseUrl = '';
let tmp = '';

function client(overrides: Partial<AmazonPayClientConfig> = {}) {
  return createAmazonPayClient({
    publicKeyId: 'SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B',
    privateKey,
    region: 'us',
    baseUrl,
    timeoutMs: 2000,
    now: () => new Date('2024-01-02T03:04:05Z'),
    ...overrides,
  });
}

async function failure(p: Promise<unknown>): Promise<AmazonPayError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AmazonPayError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** What an Amazon Pay verifier does: rebuild the canonical request in the declared SignedHeaders order. */
function verifyReceived(r: Received): { algorithm: SigningAlgorithm; publicKeyId: string; signedHeaders: string[] } {
  const auth = /^(\S+) PublicKeyId=([^,]+), SignedHeaders=([^,]+), Signature=(\S+)$/.exec(
    String(r.headers['authorization']),
  );
  if (!auth) throw new Error('no authorization header in the documented form');
  const algorithm = auth[1] as SigningAlgorithm;
  const signedHeaders = auth[3]!.split(';');
  const headers = Object.fromEntries(signedHeaders.map((h) => [h, String(r.headers[h])]));
  const canonical = canonicalRequest({ method: r.method, path: r.url, headers, signedHeaders, body: r.body });
  if (!verify(publicKey, algorithm, stringToSign(algorithm, canonical), auth[4]!)) {
    throw new Error('signature does not verify');
  }
  return { algorithm, publicKeyId: auth[2]!, signedHeaders };
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tmp = mkdtempSync(join(tmpdir(), 'amazon-pay-client-'));
});

afterEach(() => {
  received.length = 0;
  handler = byResource;
  server.closeAllConnections();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

describe('URLs (reference §1)', () => {
  it.each<[string, Partial<AmazonPayClientConfig>, string]>([
    ['SANDBOX- key: no env segment', { publicKeyId: 'SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B', sandbox: true }, '/v2'],
    ['live- key (any case): no env segment', { publicKeyId: 'live-AFVX7ULWSGBZ5535PCUQOY7B' }, '/v2'],
    ['plain key, sandbox: true', { publicKeyId: 'AFVX7ULWSGBZ5535PCUQOY7B', sandbox: true }, '/sandbox/v2'],
    ['plain key, sandbox: false', { publicKeyId: 'AFVX7ULWSGBZ5535PCUQOY7B', sandbox: false }, '/live/v2'],
    ['plain key, sandbox unset', { publicKeyId: 'AFVX7ULWSGBZ5535PCUQOY7B' }, '/live/v2'],
  ])('%s', async (_name, cfg, prefix) => {
    const c = client(cfg);
    expect(c.endpoint).toBe(`${baseUrl}${prefix}`);
    await c.getCheckoutSession(SESSION_ID);
    expect(received[0]!.url).toBe(`${prefix}/checkoutSessions/${SESSION_ID}`);
  });

  it('keeps a base URL path prefix and signs the full path', async () => {
    const c = client({ baseUrl: `${baseUrl}/amazon/`, publicKeyId: 'KEY1', sandbox: true });
    expect(c.endpoint).toBe(`${baseUrl}/amazon/sandbox/v2`);
    await c.completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY });
    expect(received[0]!.url).toBe(`/amazon/sandbox/v2/checkoutSessions/${SESSION_ID}/complete`);
    expect(() => verifyReceived(received[0]!)).not.toThrow();
  });

  it.each([
    ['us', 'na'],
    ['na', 'na'],
    ['de', 'eu'],
    ['uk', 'eu'],
    ['eu', 'eu'],
    ['jp', 'jp'],
  ] as const)('region %s sends x-amz-pay-region %s', async (region, header) => {
    await client({ region }).getCharge(CHARGE_ID);
    expect(received[0]!.headers['x-amz-pay-region']).toBe(header);
  });

  it.each([
    ['us', 'https://pay-api.amazon.com/live/v2'],
    ['de', 'https://pay-api.amazon.eu/live/v2'],
    ['jp', 'https://pay-api.amazon.jp/live/v2'],
  ] as const)('defaults region %s to %s', (region, endpoint) => {
    expect(client({ region, baseUrl: undefined, publicKeyId: 'K' }).endpoint).toBe(endpoint);
  });

  it('rejects an unknown region at construction', () => {
    expect(() => client({ region: 'gb' as 'uk' })).toThrow(/region must be one of/);
  });
});

describe('signing over real HTTP', () => {
  it.each<SigningAlgorithm>(['AMZN-PAY-RSASSA-PSS-V2', 'AMZN-PAY-RSASSA-PSS'])(
    '%s: the received request verifies with the public key',
    async (algorithm) => {
      const res = await client({ algorithm }).completeCheckoutSession(SESSION_ID, COMPLETE_BODY, {
        idempotencyKey: KEY,
      });
      expect(res.status).toBe(200);
      const r = received[0]!;
      const auth = verifyReceived(r);
      expect(auth.algorithm).toBe(algorithm);
      expect(auth.publicKeyId).toBe('SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B');
      expect(auth.signedHeaders).toEqual([
        'accept',
        'content-type',
        'x-amz-pay-date',
        'x-amz-pay-host',
        'x-amz-pay-idempotency-key',
        'x-amz-pay-region',
      ]);
      expect(r.headers['x-amz-pay-host']).toBe(new URL(baseUrl).host);
      expect(r.headers['x-amz-pay-date']).toBe('20240102T030405Z');
      expect(r.headers['x-amz-pay-idempotency-key']).toBe(KEY);
      expect(r.body.toString()).toBe(JSON.stringify(COMPLETE_BODY));
    },
  );

  it('signs a GET with the empty-body hash and no idempotency key', async () => {
    await client().getCharge(CHARGE_ID);
    const r = received[0]!;
    expect(r.method).toBe('GET');
    expect(r.body).toHaveLength(0);
    expect(verifyReceived(r).signedHeaders).not.toContain('x-amz-pay-idempotency-key');
  });

  it('signs a DELETE with a JSON body (cancel charge)', async () => {
    handler = json(200, charge('Canceled'));
    const res = await client().cancelCharge(CHARGE_ID, { cancellationReason: 'buyer asked' });
    expect(res.body.statusDetails.state).toBe('Canceled');
    const r = received[0]!;
    expect(r.method).toBe('DELETE');
    expect(r.url).toBe(`/v2/charges/${CHARGE_ID}/cancel`);
    expect(JSON.parse(r.body.toString())).toEqual({ cancellationReason: 'buyer asked' });
    verifyReceived(r);
  });

  it('sends identical body bytes for the same input on every attempt', async () => {
    const c = client();
    const body = {
      chargeAmount: { amount: '14', currencyCode: 'USD' },
      paymentIntent: 'AuthorizeWithCapture' as const,
      canHandlePendingAuthorization: false,
      shippingAddress: { name: 'Susy S', addressLine1: '11 Ditka Ave', city: 'Chicago', countryCode: 'US' },
    };
    const key = idempotencyKey(SESSION_ID, 'finalize');
    await c.finalizeCheckoutSession(SESSION_ID, body, { idempotencyKey: key });
    await c.finalizeCheckoutSession(SESSION_ID, structuredClone(body), { idempotencyKey: key });
    expect(received).toHaveLength(2);
    expect(received[0]!.body.equals(received[1]!.body)).toBe(true);
    expect(received[0]!.body.toString()).toBe(JSON.stringify(body));
    expect(received[1]!.headers['x-amz-pay-idempotency-key']).toBe(key);
    received.forEach((r) => verifyReceived(r));
  });

  it('reads the private key from a file path', async () => {
    const path = join(tmp, 'private.pem');
    writeFileSync(path, privateKey);
    const res = await client({ privateKey: path }).getChargePermission('S01-1234567-1234567');
    expect(res.body.statusDetails.state).toBe('Chargeable');
    verifyReceived(received[0]!);
  });
});

describe('responses', () => {
  it('returns 202 from complete with the parsed session and request id', async () => {
    handler = json(202, session());
    const res = await client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY });
    expect(res).toMatchObject({ status: 202, requestId: 'req-123' });
    expect(res.body.chargeId).toBe(CHARGE_ID);
    expect(res.body.statusDetails.state).toBe('Completed');
  });

  it('captures with an idempotency key', async () => {
    handler = json(200, charge('Captured'));
    const res = await client().captureCharge(
      CHARGE_ID,
      { captureAmount: { amount: '14.00', currencyCode: 'USD' }, softDescriptor: 'SHOP' },
      { idempotencyKey: idempotencyKey(SESSION_ID, 'capture') },
    );
    expect(res.body.statusDetails.state).toBe('Captured');
    expect(received[0]!.url).toBe(`/v2/charges/${CHARGE_ID}/capture`);
  });

  it('creates and updates checkout sessions', async () => {
    handler = json(201, session('Open'));
    const created = await client().createCheckoutSession(
      {
        webCheckoutDetails: { checkoutReviewReturnUrl: 'https://shop.example/review' },
        storeId: 'amzn1.application-oa2-client.x',
      },
      { idempotencyKey: 'create-1' },
    );
    expect(created.status).toBe(201);
    expect(received[0]!.url).toBe('/v2/checkoutSessions');
    handler = json(200, session('Open'));
    await client().updateCheckoutSession(SESSION_ID, {
      paymentDetails: { chargeAmount: { amount: '14.00', currencyCode: 'USD' }, paymentIntent: 'Authorize' },
    });
    expect(received[1]!.method).toBe('PATCH');
    verifyReceived(received[1]!);
  });

  it('classifies 422 InvalidCheckoutSessionStatus: Ambiguous on complete, Rejected on update', async () => {
    handler = json(422, { reasonCode: 'InvalidCheckoutSessionStatus', message: 'not Open' });
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
    handler = json(429, { reasonCode: 'TooManyRequests', message: 'slow down' }, { 'retry-after': '3' });
    const err = await failure(client().getCharge(CHARGE_ID));
    expect(err).toMatchObject({ kind: 'AmazonPayRetryable', status: 429, retryAfterMs: 3000 });
  });

  it('maps 404 ResourceNotFound to NotFound and 403 to Config', async () => {
    handler = json(404, { reasonCode: 'ResourceNotFound', message: 'gone' });
    expect((await failure(client().getCheckoutSession(SESSION_ID))).kind).toBe('AmazonPayNotFound');
    handler = json(403, { reasonCode: 'InvalidRequestSignature', message: 'bad' });
    expect((await failure(client().getCheckoutSession(SESSION_ID))).kind).toBe('AmazonPayConfig');
  });

  it('treats an unreadable 2xx as Ambiguous for complete and Retryable for reads', async () => {
    handler = (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"checkoutSessionId": "x"');
    };
    const complete = await failure(
      client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }),
    );
    expect(complete.kind).toBe('AmazonPayAmbiguous');
    expect(complete.message).toBe('completeCheckoutSession: response body is not JSON (HTTP 200)');
    handler = json(200, { chargeId: CHARGE_ID, statusDetails: { state: 'Nonsense' } });
    const get = await failure(client().getCharge(CHARGE_ID));
    expect(get.kind).toBe('AmazonPayRetryable');
    expect(get.message).toBe('getCharge: response body failed validation at statusDetails.state (HTTP 200)');
  });
});

describe('no response', () => {
  const hang: Handler = () => undefined;

  it('times out: Retryable for getCharge, Ambiguous for complete', async () => {
    handler = hang;
    const c = client({ timeoutMs: 150 });
    const get = await failure(c.getCharge(CHARGE_ID));
    expect(get.kind).toBe('AmazonPayRetryable');
    expect(get.message).toBe('getCharge: timed out after 150 ms after the request was sent (no response)');
    const complete = await failure(c.completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }));
    expect(complete.kind).toBe('AmazonPayAmbiguous');
    expect(received).toHaveLength(2);
  });

  it('times out while the body trickles in', async () => {
    handler = (_r, res) => {
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
    handler = (_r, res) => {
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
    handler = (r, res) => res.socket?.destroy();
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

describe('client-side rejections (nothing sent)', () => {
  it.each<[string, () => Promise<unknown>, RegExp]>([
    [
      'bad idempotency key',
      () => client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: SESSION_ID }),
      /idempotency key/,
    ],
    [
      'amount with too many decimals',
      () =>
        client().completeCheckoutSession(
          SESSION_ID,
          { chargeAmount: { amount: '14.001', currencyCode: 'USD' } },
          { idempotencyKey: KEY },
        ),
      /invalid request body at chargeAmount.amount/,
    ],
    [
      'misspelt field',
      () =>
        client().completeCheckoutSession(SESSION_ID, { chargeAmmount: {} } as never, {
          idempotencyKey: KEY,
        }),
      /invalid request body/,
    ],
    ['id with a slash', () => client().getCharge('../refunds/x'), /invalid resource id/],
  ])('%s', async (_name, call, message) => {
    const err = await failure(call());
    expect(err.kind).toBe('AmazonPayRejected');
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/\(request not sent\)$/);
    expect(received).toHaveLength(0);
  });
});

describe('https with a per-client CA', () => {
  let tlsServer: https.Server;
  let tlsUrl = '';
  let cert = '';

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    cert = pems.cert;
    tlsServer = https.createServer({ key: pems.private, cert }, listener);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    tlsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise((resolve) => tlsServer.close(resolve));
  });

  it('trusts the extra CA for this client only, without touching NODE_TLS_REJECT_UNAUTHORIZED', async () => {
    const before = process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
    const res = await client({ baseUrl: tlsUrl, ca: cert }).getCheckoutSession(SESSION_ID);
    expect(res.status).toBe(200);
    expect(received[0]!.headers['x-amz-pay-host']).toBe(new URL(tlsUrl).host);
    verifyReceived(received[0]!);
    expect(process.env['NODE_TLS_REJECT_UNAUTHORIZED']).toBe(before);

    const untrusted = await failure(client({ baseUrl: tlsUrl }).getCheckoutSession(SESSION_ID));
    expect(untrusted.kind).toBe('AmazonPayConfig');
    expect(received).toHaveLength(1);
  });

  it('a failed TLS handshake means nothing was sent: complete is Retryable, not Ambiguous', async () => {
    const err = await failure(
      client({ baseUrl: baseUrl.replace('http:', 'https:') }).completeCheckoutSession(SESSION_ID, COMPLETE_BODY, {
        idempotencyKey: KEY,
      }),
    );
    expect(err.kind).toBe('AmazonPayRetryable');
    expect(err.message).toMatch(/before the request was sent/);
    expect(received).toHaveLength(0);
  });
});

describe('the private key never leaks', () => {
  function expectNoKey(value: unknown): void {
    const texts = [inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? ''];
    if (value instanceof Error) texts.push(value.message, value.stack ?? '');
    for (const t of texts) {
      expect(t).not.toContain(KEY_FRAGMENT);
      expect(t).not.toContain('PRIVATE KEY');
    }
  }

  it('is absent from the client object', () => {
    const c = client();
    expectNoKey(c);
    expect(Object.keys(c)).not.toContain('privateKey');
  });

  it('is absent from every error the client throws', async () => {
    const errors: unknown[] = [];
    const collect = async (p: Promise<unknown>) => errors.push(await failure(p));

    handler = json(403, { reasonCode: 'InvalidRequestSignature', message: 'bad signature' });
    await collect(client().getCharge(CHARGE_ID));
    handler = json(500, { reasonCode: 'InternalServerError', message: 'oops' });
    await collect(client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }));
    handler = () => undefined;
    await collect(
      client({ timeoutMs: 100 }).completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }),
    );
    handler = (_r, res) => res.socket?.destroy();
    await collect(client().getCharge(CHARGE_ID));
    handler = json(200, { nope: true });
    await collect(client().getCharge(CHARGE_ID));
    await collect(client().getCharge('bad id'));

    for (const bad of [
      privateKey.replace(/-----[^-]+-----/g, ''), // PEM body without armour: taken for a file path
      privateKey.replace('MII', 'XXX'), // armoured but corrupt
      privateKey.slice(0, privateKey.length / 2), // truncated
    ]) {
      try {
        client({ privateKey: bad });
        throw new Error('expected construction to fail');
      } catch (e) {
        expect(e).toBeInstanceOf(AmazonPayError);
        expect((e as AmazonPayError).kind).toBe('AmazonPayConfig');
        errors.push(e);
      }
    }

    expect(errors).toHaveLength(9);
    errors.forEach(expectNoKey);
  });
});
