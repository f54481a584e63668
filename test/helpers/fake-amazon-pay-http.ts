// A fake Amazon Pay over real HTTP for the client's unit tests: records every request and answers with the handler a
// test sets. The emulator is the full Amazon Pay; this is the small, scriptable one a client test needs.
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAmazonPayClient, type AmazonPayClientConfig } from '../../activities/amazon-pay/client';
import { AmazonPayError } from '../../activities/amazon-pay/errors';
import { idempotencyKey } from '../../activities/amazon-pay/idempotency';
import { canonicalRequest, stringToSign, verify, type SigningAlgorithm } from '../../activities/amazon-pay/signing';

export const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
/** A line from the middle of the PEM: whatever leaks, a fragment of it shows up. */
export const KEY_FRAGMENT = privateKey.split('\n')[5]!;

export const SESSION_ID = 'bd504926-f659-4ad7-a1a9-9a747aaf5275';
export const CHARGE_ID = 'S01-1234567-1234567-C123456';
export const COMPLETE_BODY = { chargeAmount: { amount: '14.00', currencyCode: 'USD' } };
export const KEY = idempotencyKey(SESSION_ID, 'complete');

export const session = (state = 'Completed') => ({
  checkoutSessionId: SESSION_ID,
  chargePermissionType: 'OneTime',
  statusDetails: { state, reasonCode: null, reasonDescription: null, lastUpdatedTimestamp: '20240102T030405Z' },
  chargePermissionId: 'S01-1234567-1234567',
  chargeId: CHARGE_ID,
  buyer: { name: 'Jane Buyer', email: 'jane@example.com', buyerId: 'b1' },
});
export const charge = (state = 'Authorized') => ({
  chargeId: CHARGE_ID,
  chargePermissionId: 'S01-1234567-1234567',
  chargeAmount: { amount: '14.00', currencyCode: 'USD' },
  statusDetails: { state, reasonCode: null, lastUpdatedTimestamp: '20240102T030405Z' },
});

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
export type Handler = (r: Received, res: http.ServerResponse) => void;

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => {
  return (_r, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amz-pay-request-id': 'req-123', ...headers });
    res.end(JSON.stringify(body));
  };
};

/** Answers like Amazon for the resource in the path. */
export const byResource: Handler = (r, res) => {
  if (r.url.includes('/chargePermissions/')) {
    return json(200, {
      chargePermissionId: 'S01-1234567-1234567',
      statusDetails: { state: 'Chargeable', reasons: null },
    })(r, res);
  }
  return json(200, r.url.includes('/charges/') ? charge() : session())(r, res);
};
/** What the fake server answers and what it saw; tests set `api.handler` and read `api.received`. */
export const api: { handler: Handler; received: Received[]; baseUrl: string; tmp: string } = {
  handler: byResource,
  received: [],
  baseUrl: '',
  tmp: '',
};

export function listener(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
    api.received.push(r);
    api.handler(r, res);
  });
}

const server = http.createServer(listener);

export function client(overrides: Partial<AmazonPayClientConfig> = {}) {
  return createAmazonPayClient({
    publicKeyId: 'SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B',
    privateKey,
    region: 'us',
    baseUrl: api.baseUrl,
    timeoutMs: 2000,
    now: () => new Date('2024-01-02T03:04:05Z'),
    ...overrides,
  });
}

export async function failure(p: Promise<unknown>): Promise<AmazonPayError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AmazonPayError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** What an Amazon Pay verifier does: rebuild the canonical request in the declared SignedHeaders order. */
export function verifyReceived(r: Received): { algorithm: SigningAlgorithm; publicKeyId: string; signedHeaders: string[] } {
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

/** Starts the fake Amazon Pay for the calling test file and resets it after each test. */
export function useFakeAmazonPay(): void {
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    api.tmp = mkdtempSync(join(tmpdir(), 'amazon-pay-client-'));
  });

  afterEach(() => {
    api.received.length = 0;
    api.handler = byResource;
    server.closeAllConnections();
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(api.tmp, { recursive: true, force: true });
  });
}
