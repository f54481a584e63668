import { AMOUNT, makeKey, startFixture, type Fixture } from '../../helpers/emulator-fixture';

type Json = Record<string, unknown>;

/** Idempotency keys (reference §3.1) and fault rules: the exactly-once evidence tests rely on. */
describe('emulator: idempotency', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  const complete = (id: string, key: string | undefined, body: unknown = { chargeAmount: AMOUNT }) =>
    f.api(
      'POST',
      `/sandbox/v2/checkoutSessions/${id}/complete`,
      body,
      key === undefined ? {} : { idempotencyKey: key },
    );

  it('replays the first response byte for byte; the effect happens once', async () => {
    const id = await f.approvedSession();
    const first = await complete(id, 'complete-abc');
    const second = await complete(id, 'complete-abc');
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.equals(first.body)).toBe(true);
    expect(f.emu.state.counters(id)).toMatchObject({ completeCalls: 2, completeEffects: 1 });
    // Replays stay identical after the underlying state moved on (the clock runs; another GET changes nothing).
    await f.admin('POST', '/clock/advance', { ms: 5000 });
    const third = await complete(id, 'complete-abc');
    expect(third.body.equals(first.body)).toBe(true);
    expect(f.emu.state.log({ checkoutSessionId: id }).map((e) => e.replayed)).toEqual([false, true, true]);
  });

  it('the same key with a different body, path or method → 400 DuplicateIdempotencyKey', async () => {
    const id = await f.approvedSession();
    expect((await complete(id, 'dup-1')).status).toBe(200);
    const other = await complete(id, 'dup-1', { chargeAmount: { amount: '14.0', currencyCode: 'USD' } });
    expect(other.status).toBe(400);
    expect(other.json()).toMatchObject({ reasonCode: 'DuplicateIdempotencyKey' });
    const otherPath = await f.api(
      'POST',
      `/sandbox/v2/checkoutSessions/${id}/finalize`,
      { chargeAmount: AMOUNT },
      { idempotencyKey: 'dup-1' },
    );
    expect(otherPath.json()).toMatchObject({ reasonCode: 'DuplicateIdempotencyKey' });
    // The same request through another path form is the same request.
    const samePlain = await f.api(
      'POST',
      `/v2/checkoutSessions/${id}/complete/`,
      { chargeAmount: AMOUNT },
      { idempotencyKey: 'dup-1' },
    );
    expect(samePlain.status).toBe(200);
  });

  it('validates the key: at most 32 characters of [A-Za-z0-9_-]', async () => {
    const id = await f.approvedSession();
    for (const bad of ['x'.repeat(33), 'has space', 'dotted.key', '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d']) {
      const r = await complete(id, bad);
      expect({ bad, status: r.status, body: r.json() }).toMatchObject({
        bad,
        status: 400,
        body: { reasonCode: 'InvalidHeaderValue' },
      });
    }
    expect((await complete(id, 'x'.repeat(32))).status).toBe(200);
  });

  it('keys are scoped per merchant key; validation errors are not stored', async () => {
    const other = makeKey('AEMUTESTKEY2');
    f.emu.state.addPublicKey(other.publicKeyId, other.publicKeyPem);
    const a = await f.approvedSession();
    const b = await f.approvedSession();
    expect((await complete(a, 'shared-key')).status).toBe(200);
    const asOther = await f.api(
      'POST',
      `/sandbox/v2/checkoutSessions/${b}/complete`,
      { chargeAmount: AMOUNT },
      { idempotencyKey: 'shared-key', publicKeyId: other.publicKeyId, privateKeyPem: other.privateKeyPem },
    );
    expect(asOther.status).toBe(200);

    // 422 before the buyer approved is not stored: the retry after approval with the same key proceeds.
    const c = await f.newSession();
    expect((await complete(c, 'early-key')).status).toBe(422);
    await f.admin('POST', `/checkout-sessions/${c}/buyer`, { action: 'approve' });
    expect((await complete(c, 'early-key')).status).toBe(200);
  });

  it('a decline is an effect: its 422 is stored and replayed', async () => {
    const id = await f.approvedSession({}, { action: 'decline' });
    const a = await complete(id, 'declined-1');
    const b = await complete(id, 'declined-1');
    expect(a.status).toBe(422);
    expect(b.body.equals(a.body)).toBe(true);
    expect(f.emu.state.counters(id)).toMatchObject({ completeEffects: 1 });
  });

  it('GET / PATCH / DELETE ignore the key', async () => {
    const id = await f.newSession();
    const r = await f.api('GET', `/v2/checkoutSessions/${id}`, undefined, { idempotencyKey: 'not valid for POST!' });
    expect(r.status).toBe(200);
  });
});

describe('emulator: fault rules', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());
  afterEach(async () => {
    await f.admin('DELETE', '/faults');
  });

  const complete = (id: string, key?: string) =>
    f.api(
      'POST',
      `/sandbox/v2/checkoutSessions/${id}/complete`,
      { chargeAmount: AMOUNT },
      key ? { idempotencyKey: key } : {},
    );

  it('status fault: 503 with Retry-After once, before any effect, then success', async () => {
    const id = await f.approvedSession();
    const added = await f.admin('POST', '/faults', {
      match: { method: 'POST', pathRegex: `/checkoutSessions/${id}/complete$` },
      action: { type: 'status', status: 503, reasonCode: 'ServiceUnavailable', retryAfterSeconds: 2 },
      count: 1,
    });
    expect(added.status).toBe(201);
    expect(added.json()).toEqual({ id: expect.any(String) });

    const first = await complete(id, 'k-503');
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('2');
    expect(first.json()).toMatchObject({ reasonCode: 'ServiceUnavailable' });
    expect(first.headers['x-amz-pay-request-id']).toEqual(expect.any(String));
    expect(f.emu.state.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 0 });

    const second = await complete(id, 'k-503');
    expect(second.status).toBe(200);
    expect(f.emu.state.counters(id)).toMatchObject({ completeCalls: 2, completeEffects: 1 });
    expect((await f.admin('GET', '/faults')).json()).toEqual([]);
  });

  it('drop-after-commit: the socket dies, the effect is applied once, the retry with the key replays', async () => {
    const id = await f.approvedSession();
    await f.admin('POST', '/faults', {
      match: { pathRegex: `/checkoutSessions/${id}/complete$` },
      action: { type: 'drop-after-commit' },
      count: 1,
    });
    await expect(complete(id, 'k-drop')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(f.emu.state.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
    const session = f.emu.state.getCheckoutSession(id);
    expect(session?.record.state).toBe('Completed');

    const retry = await complete(id, 'k-drop');
    expect(retry.status).toBe(200);
    expect(retry.json()).toMatchObject({ statusDetails: { state: 'Completed' }, chargeId: session?.record.chargeId });
    expect(f.emu.state.counters(id)).toMatchObject({ completeCalls: 2, completeEffects: 1 });

    // Without the key, the retry after a lost response sees InvalidCheckoutSessionStatus (reference §3.1).
    const noKey = await complete(id);
    expect(noKey.json()).toMatchObject({ reasonCode: 'InvalidCheckoutSessionStatus' });
  });

  it('reset: the socket dies before any effect', async () => {
    const id = await f.approvedSession();
    await f.admin('POST', '/faults', { match: { method: 'POST' }, action: { type: 'reset' }, count: 1 });
    await expect(complete(id, 'k-reset')).rejects.toThrow();
    expect(f.emu.state.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 0 });
    expect(f.emu.state.getCheckoutSession(id)?.record.state).toBe('Open');
    expect((await complete(id, 'k-reset')).status).toBe(200);
    const log = f.emu.state.log({ checkoutSessionId: id });
    expect(log.map((e) => [e.status, e.fault !== null])).toEqual([
      [null, true],
      [200, false],
    ]);
  });

  it('latency adds delay; rules can be deleted one by one', async () => {
    const id = await f.newSession();
    const { id: ruleId } = (
      await f.admin('POST', '/faults', { match: { method: 'GET' }, action: { type: 'latency', ms: 150 } })
    ).json<{ id: string }>();
    const t0 = Date.now();
    expect((await f.api('GET', `/v2/checkoutSessions/${id}`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect((await f.admin('DELETE', `/faults/${ruleId}`)).status).toBe(200);
    expect((await f.admin('DELETE', `/faults/${ruleId}`)).status).toBe(404);
  });

  it('rates are reproducible with a seed', async () => {
    const pattern = async (): Promise<number[]> => {
      const id = await f.newSession();
      await f.admin('POST', '/faults', {
        match: { pathRegex: id },
        action: { type: 'status', status: 500, reasonCode: 'InternalServerError' },
        rate: 0.5,
        seed: 42,
      });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await f.api('GET', `/v2/checkoutSessions/${id}`)).status);
      await f.admin('DELETE', '/faults');
      return out;
    };
    const a = await pattern();
    const b = await pattern();
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  it('admin routes are never faulted and reject bad rules', async () => {
    await f.admin('POST', '/faults', { action: { type: 'status', status: 500, reasonCode: 'InternalServerError' } });
    expect((await f.admin('GET', '/clock')).status).toBe(200);
    const bad = await f.admin('POST', '/faults', { action: { type: 'explode' } });
    expect(bad.status).toBe(400);
    const badRegex = await f.admin('POST', '/faults', { match: { pathRegex: '(' }, action: { type: 'reset' } });
    expect(badRegex.status).toBe(400);
  });

  it('configured latency applies to API calls', async () => {
    const id = await f.newSession();
    expect((await f.admin('POST', '/config', { latencyMs: 100 })).json<Json>()).toMatchObject({ latencyMs: 100 });
    const t0 = Date.now();
    await f.api('GET', `/v2/checkoutSessions/${id}`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    await f.admin('POST', '/config', { latencyMs: 0 });
  });
});
