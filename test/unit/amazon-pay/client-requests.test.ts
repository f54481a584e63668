// The Amazon Pay client's requests over real HTTP: URLs, signing, what is refused before sending, TLS trust, and
// that the private key never leaks. Responses and lost answers: client-responses.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { generate } from 'selfsigned';
import type { AmazonPayClientConfig } from '../../../activities/amazon-pay/client';
import { AmazonPayError } from '../../../activities/amazon-pay/errors';
import { idempotencyKey } from '../../../activities/amazon-pay/idempotency';
import type { SigningAlgorithm } from '../../../activities/amazon-pay/signing';
import {
  api,
  CHARGE_ID,
  charge,
  client,
  COMPLETE_BODY,
  failure,
  json,
  KEY,
  KEY_FRAGMENT,
  listener,
  privateKey,
  SESSION_ID,
  useFakeAmazonPay,
  verifyReceived,
} from '../../helpers/fake-amazon-pay-http';

useFakeAmazonPay();

describe('URLs (reference §1)', () => {
  it.each<[string, Partial<AmazonPayClientConfig>, string]>([
    ['SANDBOX- key: no env segment', { publicKeyId: 'SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B', sandbox: true }, '/v2'],
    ['live- key (any case): no env segment', { publicKeyId: 'live-AFVX7ULWSGBZ5535PCUQOY7B' }, '/v2'],
    ['plain key, sandbox: true', { publicKeyId: 'AFVX7ULWSGBZ5535PCUQOY7B', sandbox: true }, '/sandbox/v2'],
    ['plain key, sandbox: false', { publicKeyId: 'AFVX7ULWSGBZ5535PCUQOY7B', sandbox: false }, '/live/v2'],
    ['plain key, sandbox unset', { publicKeyId: 'AFVX7ULWSGBZ5535PCUQOY7B' }, '/live/v2'],
  ])('%s', async (_name, cfg, prefix) => {
    const c = client(cfg);
    expect(c.endpoint).toBe(`${api.baseUrl}${prefix}`);
    await c.getCheckoutSession(SESSION_ID);
    expect(api.received[0]!.url).toBe(`${prefix}/checkoutSessions/${SESSION_ID}`);
  });

  it('keeps a base URL path prefix and signs the full path', async () => {
    const c = client({ baseUrl: `${api.baseUrl}/amazon/`, publicKeyId: 'KEY1', sandbox: true });
    expect(c.endpoint).toBe(`${api.baseUrl}/amazon/sandbox/v2`);
    await c.completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY });
    expect(api.received[0]!.url).toBe(`/amazon/sandbox/v2/checkoutSessions/${SESSION_ID}/complete`);
    expect(() => verifyReceived(api.received[0]!)).not.toThrow();
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
    expect(api.received[0]!.headers['x-amz-pay-region']).toBe(header);
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
      const r = api.received[0]!;
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
      expect(r.headers['x-amz-pay-host']).toBe(new URL(api.baseUrl).host);
      expect(r.headers['x-amz-pay-date']).toBe('20240102T030405Z');
      expect(r.headers['x-amz-pay-idempotency-key']).toBe(KEY);
      expect(r.body.toString()).toBe(JSON.stringify(COMPLETE_BODY));
    },
  );

  it('signs a GET with the empty-body hash and no idempotency key', async () => {
    await client().getCharge(CHARGE_ID);
    const r = api.received[0]!;
    expect(r.method).toBe('GET');
    expect(r.body).toHaveLength(0);
    expect(verifyReceived(r).signedHeaders).not.toContain('x-amz-pay-idempotency-key');
  });

  it('signs a DELETE with a JSON body (cancel charge)', async () => {
    api.handler = json(200, charge('Canceled'));
    const res = await client().cancelCharge(CHARGE_ID, { cancellationReason: 'buyer asked' });
    expect(res.body.statusDetails.state).toBe('Canceled');
    const r = api.received[0]!;
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
    expect(api.received).toHaveLength(2);
    expect(api.received[0]!.body.equals(api.received[1]!.body)).toBe(true);
    expect(api.received[0]!.body.toString()).toBe(JSON.stringify(body));
    expect(api.received[1]!.headers['x-amz-pay-idempotency-key']).toBe(key);
    api.received.forEach((r) => verifyReceived(r));
  });

  it('reads the private key from a file path', async () => {
    const path = join(api.tmp, 'private.pem');
    writeFileSync(path, privateKey);
    const res = await client({ privateKey: path }).getChargePermission('S01-1234567-1234567');
    expect(res.body.statusDetails.state).toBe('Chargeable');
    verifyReceived(api.received[0]!);
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
    expect(api.received).toHaveLength(0);
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
    expect(api.received[0]!.headers['x-amz-pay-host']).toBe(new URL(tlsUrl).host);
    verifyReceived(api.received[0]!);
    expect(process.env['NODE_TLS_REJECT_UNAUTHORIZED']).toBe(before);

    const untrusted = await failure(client({ baseUrl: tlsUrl }).getCheckoutSession(SESSION_ID));
    expect(untrusted.kind).toBe('AmazonPayConfig');
    expect(api.received).toHaveLength(1);
  });

  it('a failed TLS handshake means nothing was sent: complete is Retryable, not Ambiguous', async () => {
    const err = await failure(
      client({ baseUrl: api.baseUrl.replace('http:', 'https:') }).completeCheckoutSession(SESSION_ID, COMPLETE_BODY, {
        idempotencyKey: KEY,
      }),
    );
    expect(err.kind).toBe('AmazonPayRetryable');
    expect(err.message).toMatch(/before the request was sent/);
    expect(api.received).toHaveLength(0);
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

    api.handler = json(403, { reasonCode: 'InvalidRequestSignature', message: 'bad signature' });
    await collect(client().getCharge(CHARGE_ID));
    api.handler = json(500, { reasonCode: 'InternalServerError', message: 'oops' });
    await collect(client().completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }));
    api.handler = () => undefined;
    await collect(
      client({ timeoutMs: 100 }).completeCheckoutSession(SESSION_ID, COMPLETE_BODY, { idempotencyKey: KEY }),
    );
    api.handler = (_r, res) => res.socket?.destroy();
    await collect(client().getCharge(CHARGE_ID));
    api.handler = json(200, { nope: true });
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
