// The codec server over real HTTP (port 0): bearer token, CORS for the UI origin only, encode → decode, errors.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import pino from 'pino';
import { createCodecServer } from '../../../client/codec-server/app';
import { loadCodecServerConfig } from '../../../client/codec-server/config';
import { AesGcmCodec } from '../../../client/temporal/codec';
import { testCodecEnv, testCodecKeys, testKeyLeakForms } from '../../helpers/codec-keys';

const TOKEN = 'codec-test-token-0123456789';
const UI = 'http://127.0.0.1:8233';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const plainPayload = {
  metadata: { encoding: b64('json/plain') },
  data: b64(JSON.stringify({ name: 'Susie Smith', email: 'susie@example.com' })),
};

const logLines: string[] = [];
let server: Server;
let base: string;

async function listen(opts: { allowUiOriginWithoutToken?: boolean } = {}): Promise<{ server: Server; base: string }> {
  const log = pino(
    { level: 'debug' },
    new Writable({ write: (c: Buffer, _e, cb) => (logLines.push(c.toString()), cb()) }),
  );
  const s = createCodecServer({
    codec: new AesGcmCodec(testCodecKeys()),
    token: TOKEN,
    corsOrigins: [UI],
    bodyLimitBytes: 64 * 1024,
    log,
    ...opts,
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { server: s, base: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  ({ server, base } = await listen());
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const post = (
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  at = base,
) =>
  fetch(`${at}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('codec server', () => {
  it.each([
    ['missing', {}],
    ['wrong', { authorization: `Bearer ${TOKEN}x` }],
    ['not bearer', { authorization: `Basic ${b64(`u:${TOKEN}`)}` }],
    ['empty', { authorization: 'Bearer ' }],
  ])('refuses a %s token with 401 JSON', async (_what, headers) => {
    for (const path of ['/encode', '/decode']) {
      const res = await post(path, { payloads: [plainPayload] }, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toEqual({ error: 'Unauthorized', message: expect.any(String) });
    }
  });

  it('encodes then decodes the Temporal codec JSON shape, and decode passes plaintext through', async () => {
    const enc = await post('/encode', { payloads: [plainPayload] });
    expect(enc.status).toBe(200);
    const encoded = (await enc.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(encoded.payloads).toHaveLength(1);
    expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(encoded.payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe('test-b');
    expect(JSON.stringify(encoded)).not.toContain(plainPayload.data);

    const dec = await post('/decode', encoded, { authorization: `Bearer ${TOKEN}`, 'x-namespace': 'default' });
    expect(dec.status).toBe(200);
    expect(await dec.json()).toEqual({ payloads: [plainPayload] });

    const passthrough = await post('/api/v1/decode', { payloads: [plainPayload] });
    expect(await passthrough.json()).toEqual({ payloads: [plainPayload] });
  });

  it('answers CORS preflight for the configured origin only', async () => {
    const ok = await fetch(`${base}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type, authorization, x-namespace');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');

    const other = await fetch(`${base}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const actual = await post('/encode', { payloads: [] }, { authorization: `Bearer ${TOKEN}`, origin: UI });
    expect(actual.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('refuses the UI origin without a token unless allowed for the local demo', async () => {
    const refused = await post('/decode', { payloads: [plainPayload] }, { origin: UI });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(UI);

    const demo = await listen({ allowUiOriginWithoutToken: true });
    try {
      expect((await post('/decode', { payloads: [plainPayload] }, { origin: UI }, demo.base)).status).toBe(200);
      expect(
        (await post('/decode', { payloads: [plainPayload] }, { origin: 'http://evil.example' }, demo.base)).status,
      ).toBe(401);
      expect((await post('/decode', { payloads: [plainPayload] }, {}, demo.base)).status).toBe(401);
      expect(
        (
          await post(
            '/decode',
            { payloads: [plainPayload] },
            { origin: UI, authorization: 'Bearer wrong-token-123456' },
            demo.base,
          )
        ).status,
      ).toBe(401);
    } finally {
      await new Promise((r) => demo.server.close(r));
    }
  });

  it('rejects tampered ciphertext with 400 and a message without key material', async () => {
    const encoded = (await (await post('/encode', { payloads: [plainPayload] })).json()) as {
      payloads: Array<{ metadata: Record<string, string>; data: string }>;
    };
    const data = Buffer.from(encoded.payloads[0]!.data, 'base64');
    data[data.length - 1]! ^= 1;
    const res = await post('/decode', { payloads: [{ ...encoded.payloads[0], data: data.toString('base64') }] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body).toEqual({ error: 'DecodeFailed', message: expect.stringMatching(/authentication failed/) });
    for (const k of testKeyLeakForms()) expect(body.message).not.toContain(k);
  });

  it('answers bad input with JSON errors: not JSON, wrong shape, wrong content type, too large, unknown path', async () => {
    expect(await (await post('/decode', '{nope')).json()).toMatchObject({ error: 'InvalidJson' });
    expect((await post('/decode', { payloads: [{ data: '***' }] })).status).toBe(400);
    expect((await post('/decode', { nothing: 1 })).status).toBe(400);
    const ct = await fetch(`${base}/decode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(ct.status).toBe(415);
    const big = await post('/encode', { payloads: [{ data: b64('x'.repeat(100 * 1024)) }] });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: 'PayloadTooLarge' });
    expect((await fetch(`${base}/elsewhere`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/decode`)).status).toBe(405);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('logs requests without tokens, payloads, PII or key material', () => {
    const all = logLines.join('');
    expect(all).toContain('codec request');
    for (const s of [TOKEN, 'Susie Smith', 'susie@example.com', plainPayload.data, ...testKeyLeakForms()])
      expect(all).not.toContain(s);
  });
});

describe('codec server configuration', () => {
  const env = { CODEC_SERVER_TOKEN: TOKEN, ...testCodecEnv() };

  it('has defaults and keeps the token out of JSON', () => {
    const c = loadCodecServerConfig(env);
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8888, corsOrigins: [], allowUiOriginWithoutToken: false });
    expect(c.keys.currentKeyId).toBe('test-b');
    expect(c.token).toBe(TOKEN);
    const json = JSON.stringify(c);
    for (const s of [TOKEN, ...testKeyLeakForms()]) expect(json).not.toContain(s);
  });

  it('lists every problem: short token, no keys, bad origin, UI without token off loopback', () => {
    let msg = '';
    try {
      loadCodecServerConfig({
        CODEC_SERVER_TOKEN: 'short',
        CODEC_SERVER_HOST: '0.0.0.0',
        CODEC_SERVER_CORS_ORIGIN: 'http://127.0.0.1:8233/path',
        CODEC_SERVER_ALLOW_UI_ORIGIN_WITHOUT_TOKEN: 'true',
      });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/CODEC_SERVER_TOKEN/);
    expect(msg).toMatch(/CODEC_SERVER_CORS_ORIGIN/);
    expect(msg).toMatch(/loopback/);
    expect(msg).toMatch(/needs PAYLOAD_CODEC_KEYS/);
    expect(msg).not.toContain('short');
  });

  it('accepts several CORS origins and the demo flag on loopback', () => {
    const c = loadCodecServerConfig({
      ...env,
      CODEC_SERVER_CORS_ORIGIN: `${UI}, http://localhost:8233/`,
      CODEC_SERVER_ALLOW_UI_ORIGIN_WITHOUT_TOKEN: 'true',
    });
    expect(c.corsOrigins).toEqual([UI, 'http://localhost:8233']);
    expect(c.allowUiOriginWithoutToken).toBe(true);
  });
});
