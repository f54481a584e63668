import { generateKeyPairSync } from 'node:crypto';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator';
import { rawRequest, signedRequest, type RawResponse, type SignedRequestOptions } from './emulator-signed-fetch';

/** An emulator on a free port with one registered key pair, plus small signed / admin call helpers. */
export interface TestKey {
  publicKeyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export function makeKey(publicKeyId: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyId, privateKeyPem: privateKey, publicKeyPem: publicKey };
}

export interface Fixture {
  emu: Emulator;
  key: TestKey;
  /** Signed call; `path` starts with `/` (e.g. `/sandbox/v2/checkoutSessions/<id>`). */
  api(
    method: string,
    path: string,
    body?: unknown,
    o?: Partial<SignedRequestOptions> & { idempotencyKey?: string },
  ): Promise<RawResponse>;
  admin(method: string, path: string, body?: unknown): Promise<RawResponse>;
  /** Creates a session through the admin API (as Amazon's button would) and returns its id. */
  newSession(input?: Record<string, unknown>): Promise<string>;
  /** Creates a session and acts as the buyer. */
  approvedSession(input?: Record<string, unknown>, buyer?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export const AMOUNT = { amount: '14.00', currencyCode: 'USD' };

export async function startFixture(opts: EmulatorOptions = {}, key = makeKey('AEMUTESTKEY1')): Promise<Fixture> {
  const emu = await startEmulator({ ...opts, publicKeys: { [key.publicKeyId]: key.publicKeyPem, ...opts.publicKeys } });
  const f: Fixture = {
    emu,
    key,
    api(method, path, body, o = {}) {
      const bytes = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      return signedRequest({
        method,
        url: `${emu.baseUrl}${path}`,
        body: bytes,
        publicKeyId: key.publicKeyId,
        privateKeyPem: key.privateKeyPem,
        ca: emu.tlsCaPem,
        ...o,
      });
    },
    admin(method, path, body) {
      return rawRequest({
        method,
        url: `${emu.adminUrl}${path}`,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        ca: emu.tlsCaPem,
      });
    },
    async newSession(input = {}) {
      const r = await f.admin('POST', '/checkout-sessions', {
        chargeAmount: AMOUNT,
        checkoutResultReturnUrl: 'https://shop.example/return',
        checkoutCancelUrl: 'https://shop.example/cancel',
        ...input,
      });
      if (r.status !== 201) throw new Error(`admin create failed: ${r.status} ${r.text}`);
      return r.json<{ checkoutSessionId: string }>().checkoutSessionId;
    },
    async approvedSession(input = {}, buyer = { action: 'approve' }) {
      const id = await f.newSession(input);
      const r = await f.admin('POST', `/checkout-sessions/${id}/buyer`, buyer);
      if (r.status !== 200) throw new Error(`buyer action failed: ${r.status} ${r.text}`);
      return id;
    },
    close: () => emu.close(),
  };
  return f;
}
