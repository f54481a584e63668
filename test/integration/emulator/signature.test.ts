import { AMOUNT, makeKey, startFixture, type Fixture } from '../../helpers/emulator-fixture';
import { rawRequest, signHeaders } from '../../helpers/emulator-signed-fetch';

/** The emulator's verifier accepts what real SDKs send (reference §2.6) and refuses everything else with 403. */
describe('emulator: request signatures', () => {
  let f: Fixture;
  let id: string;
  beforeAll(async () => {
    f = await startFixture();
    id = await f.newSession();
  });
  afterAll(() => f.close());

  const get = (o: Parameters<Fixture['api']>[3] = {}, path = `/sandbox/v2/checkoutSessions/${id}`) =>
    f.api('GET', path, undefined, o);

  it('accepts V1 (salt 20) and V2 (salt 32) signatures', async () => {
    const v1 = await get({ algorithm: 'AMZN-PAY-RSASSA-PSS' });
    const v2 = await get({ algorithm: 'AMZN-PAY-RSASSA-PSS-V2' });
    expect(v1.status).toBe(200);
    expect(v2.status).toBe(200);
    expect(v2.json()).toMatchObject({ checkoutSessionId: id, statusDetails: { state: 'Open' } });
  });

  it('refuses the wrong salt for the declared algorithm', async () => {
    const a = await get({ algorithm: 'AMZN-PAY-RSASSA-PSS-V2', saltLength: 20 });
    const b = await get({ algorithm: 'AMZN-PAY-RSASSA-PSS', saltLength: 32 });
    for (const r of [a, b]) {
      expect(r.status).toBe(403);
      expect(r.json()).toMatchObject({ reasonCode: 'InvalidRequestSignature' });
    }
  });

  it('refuses a body that differs from the signed bytes', async () => {
    const id2 = await f.approvedSession();
    const signed = JSON.stringify({ chargeAmount: AMOUNT });
    const r = await f.api('POST', `/sandbox/v2/checkoutSessions/${id2}/complete`, signed, {
      sendBody: JSON.stringify({ chargeAmount: { ...AMOUNT, amount: '1.00' } }),
    });
    expect(r.status).toBe(403);
    expect(r.json()).toMatchObject({ reasonCode: 'InvalidRequestSignature' });
    expect((await f.admin('GET', `/checkout-sessions/${id2}/counters`)).json()).toMatchObject({
      completeCalls: 1,
      completeEffects: 0,
    });
    // A whitespace change is a different body too: the hash is over raw bytes, never a re-serialisation.
    const spaced = await f.api('POST', `/sandbox/v2/checkoutSessions/${id2}/complete`, signed, {
      sendBody: JSON.stringify({ chargeAmount: AMOUNT }, null, 1),
    });
    expect(spaced.status).toBe(403);
  });

  it('accepts both x-amz-pay-date formats', async () => {
    expect((await get({ dateFormat: 'compact' })).status).toBe(200);
    expect((await get({ dateFormat: 'iso' })).status).toBe(200);
  });

  it('refuses dates outside the 15-minute skew, in either direction', async () => {
    const old = await get({ date: new Date(Date.now() - 16 * 60_000) });
    const future = await get({ date: new Date(Date.now() + 16 * 60_000) });
    const inside = await get({ date: new Date(Date.now() - 14 * 60_000) });
    expect(old.status).toBe(403);
    expect(future.status).toBe(403);
    expect(inside.status).toBe(200);
  });

  it('serves /v2, /sandbox/v2 and /live/v2, with or without a trailing slash', async () => {
    for (const prefix of ['/v2', '/sandbox/v2', '/live/v2']) {
      for (const slash of ['', '/']) {
        const r = await get({}, `${prefix}/checkoutSessions/${id}${slash}`);
        expect({ path: `${prefix}${slash}`, status: r.status }).toEqual({ path: `${prefix}${slash}`, status: 200 });
      }
    }
  });

  it('honours the declared SignedHeaders: user-agent, extra x-amz-pay-* headers, mixed-case names', async () => {
    const withUa = await get({
      headers: {
        'user-agent': 'amazon-pay-api-sdk-nodejs/2.3.4 (JS/20.0.0; linux)',
        'x-amz-pay-integrator-id': 'integrator-1',
      },
    });
    expect(withUa.status).toBe(200);
    // The Node SDK copies the caller's spelling into SignedHeaders; the canonical lines stay lower-case.
    const mixed = await get({
      signedHeaderNames: ['accept', 'content-type', 'X-Amz-Pay-Date', 'x-amz-pay-host', 'x-amz-pay-region'],
    });
    expect(mixed.status).toBe(200);
    const unsignedExtra = await get({ unsignedHeaders: { 'x-amz-pay-sdk-type': 'PHP', 'x-custom': '1' } });
    expect(unsignedExtra.status).toBe(200);
    // A signed header that was changed in transit is refused.
    const changed = await get({ unsignedHeaders: { 'x-amz-pay-region': 'eu' } });
    expect(changed.status).toBe(403);
  });

  it('accepts x-amz-pay-host with or without a port (it is signed, not compared with Host)', async () => {
    expect((await get({ host: new URL(f.emu.baseUrl).host })).status).toBe(200);
    expect((await get({ host: 'pay-api.amazon.com' })).status).toBe(200);
  });

  it('accepts an identical replay of a signed request', async () => {
    const url = `${f.emu.baseUrl}/v2/checkoutSessions/${id}`;
    const headers = signHeaders({
      method: 'GET',
      url,
      publicKeyId: f.key.publicKeyId,
      privateKeyPem: f.key.privateKeyPem,
    });
    const a = await rawRequest({ method: 'GET', url, headers });
    const b = await rawRequest({ method: 'GET', url, headers });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers['x-amz-pay-request-id']).not.toEqual(b.headers['x-amz-pay-request-id']);
  });

  it('refuses unknown keys, requests signed with another key, and missing headers', async () => {
    const stranger = makeKey('AUNKNOWNKEY');
    const unknown = await get({ publicKeyId: stranger.publicKeyId, privateKeyPem: stranger.privateKeyPem });
    expect(unknown.status).toBe(403);
    const wrongKey = await get({ privateKeyPem: stranger.privateKeyPem });
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.json()).toMatchObject({ reasonCode: 'InvalidRequestSignature' });

    const noAuth = await rawRequest({ method: 'GET', url: `${f.emu.baseUrl}/v2/checkoutSessions/${id}` });
    expect(noAuth.status).toBe(400);
    expect(noAuth.json()).toMatchObject({ reasonCode: 'MissingHeader' });
    expect(noAuth.headers['x-amz-pay-request-id']).toEqual(expect.any(String));

    // Declared but absent signed header; date not signed.
    const missingSigned = await get({
      signedHeaderNames: ['accept', 'x-amz-pay-date', 'x-amz-pay-host', 'x-amz-pay-foo'],
    });
    expect(missingSigned.status).toBe(403);
    const dateUnsigned = await get({
      signedHeaderNames: ['accept', 'content-type', 'x-amz-pay-host', 'x-amz-pay-region'],
    });
    expect(dateUnsigned.status).toBe(403);
  });

  it('puts x-amz-pay-request-id on every API response', async () => {
    const ok = await get();
    const missing = await f.api('GET', '/v2/checkoutSessions/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ reasonCode: 'ResourceNotFound' });
    for (const r of [ok, missing]) expect(r.headers['x-amz-pay-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
