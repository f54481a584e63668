// IPNs on the real stack: the emulator posts SNS-signed notifications to the listening server, which verifies
// them and signals the session's workflow; forged, tampered, off-allowlist and unknown messages.
import { randomUUID } from 'node:crypto';
import { checkoutWorkflowId, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { createHarness, deadlineIn, type Harness } from '../../helpers/checkout-harness';
import { fakeSns, freePort, jsonHeaders, listen, testApp, type FakeSns, type ListeningApp } from '../../helpers/http-app';

jest.setTimeout(90_000);

let h: Harness;
let app: ListeningApp;
let sns: FakeSns;
beforeAll(async () => {
  const port = await freePort();
  h = await createHarness({ ipnUrl: `http://127.0.0.1:${port}/amazon-pay/ipn` });
  sns = await fakeSns();
  app = await listen(testApp(h, {}, { fetchCert: sns.fetchCert }), port);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const ipn = (body: unknown, contentType = 'text/plain; charset=UTF-8', headers: Record<string, string> = {}) =>
  app.request({
    method: 'POST',
    url: '/amazon-pay/ipn',
    headers: { 'content-type': contentType, 'user-agent': 'Amazon Simple Notification Service Agent', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

const chargeMessage = (chargeId: string, chargePermissionId?: string) => ({
  MerchantID: 'A01TEST',
  ObjectType: 'CHARGE',
  ObjectId: chargeId,
  ...(chargePermissionId ? { ChargePermissionId: chargePermissionId } : {}),
  NotificationType: 'STATE_CHANGE',
  NotificationId: randomUUID(),
  NotificationVersion: 'V2',
});

/** A session whose authorization is pending at Amazon, with no polling before the test ends. */
async function pendingSession(): Promise<{ id: string; chargeId: string }> {
  const id = await h.createSession({ canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
  await h.buyer(id, 'approve-pending', { settleTo: 'Authorized', settleAfterMs: 24 * 3600_000 });
  const start = await app.request({
    method: 'POST',
    url: '/api/checkout-sessions',
    headers: jsonHeaders,
    payload: JSON.stringify({
      checkoutSessionId: id,
      flow: 'complete',
      chargeAmount: { amount: '14.00', currencyCode: 'USD' },
      deadline: deadlineIn(60_000),
      pending: { maxWaitMs: 60_000, initialPollMs: 50_000, maxPollMs: 50_000 },
    }),
  });
  expect(start.statusCode).toBe(201);
  const r = await app.request({ url: `/checkout/return?amazonCheckoutSessionId=${id}`, headers: { accept: 'application/json' } });
  expect(r.statusCode).toBe(202);
  const { chargeId } = r.json() as { chargeId: string };
  expect(chargeId).toMatch(/^S01-/);
  expect(await h.records.get(id)).toMatchObject({ state: 'AuthorizationPending', chargeId });
  return { id, chargeId };
}

const result = (id: string) => h.client.workflow.getHandle(checkoutWorkflowId(id)).result() as Promise<CheckoutOutcome>;

describe('POST /amazon-pay/ipn', () => {
  it('an emulator-signed IPN moves a pending session to Completed (no polling involved)', async () => {
    const { id, chargeId } = await pendingSession();
    // Amazon settles the authorization; the emulator posts the SNS notification to our server.
    await h.admin('POST', `/charges/${chargeId}/settle`, { to: 'Authorized' });
    const outcome = await result(id);
    expect(outcome).toMatchObject({ checkoutSessionId: id, state: 'Completed', chargeId });
    expect(await h.records.get(id)).toMatchObject({ state: 'Completed', chargeId });

    const deliveries = await h.admin<{ objectId: string; state: string; lastStatus: number }[]>('GET', '/ipn-deliveries');
    expect(deliveries.filter((d) => d.objectId === chargeId && d.state === 'delivered' && d.lastStatus === 200).length).toBeGreaterThan(0);
    const metrics = await app.request({ url: '/metrics' });
    expect(metrics.body).toMatch(/checkout_ipn_notifications_total\{result="signaled"\} [1-9]/);

    // A duplicate after the end is harmless.
    const dup = await ipn(sns.envelope(chargeMessage(chargeId)));
    expect(dup.statusCode).toBe(200);
    expect(dup.json()).toMatchObject({ action: 'ignored' });
  });

  it('finds the session by chargePermissionId when the charge is not the recorded one; JSON content type works too', async () => {
    const { id, chargeId } = await pendingSession();
    const doc = await h.records.get(id);
    await h.admin('POST', `/charges/${chargeId}/settle`, { to: 'Declined' });
    const r = await ipn(sns.envelope(chargeMessage(`S01-0000000-0000000-C${Date.now() % 1_000_000}`, doc!.chargePermissionId!)), 'application/json');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ ok: true, action: 'signaled', checkoutSessionId: id });
    expect(await result(id)).toMatchObject({ state: 'Declined' });
  });

  it('403 for a tampered signature, and nothing is signaled', async () => {
    const { id, chargeId } = await pendingSession();
    const good = sns.envelope(chargeMessage(chargeId));
    const tampered = { ...good, Message: good.Message.replace('STATE_CHANGE', 'ATTRIBUTE_CHANGE') };
    const r = await ipn(tampered);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ error: 'bad_signature', message: expect.any(String) });
    // The emulator's own certificate does not vouch for a signature made with another key.
    const forged = await ipn({ ...good, SigningCertURL: `${h.emulator.baseUrl}/_emulator/sns-cert.pem` });
    expect(forged.statusCode).toBe(403);
    const d = await h.client.workflow.getHandle(checkoutWorkflowId(id)).describe();
    expect(d.status.name).toBe('RUNNING');
    await h.client.workflow.getHandle(checkoutWorkflowId(id)).terminate('test done');
  });

  it('403 for a certificate URL on a host that is not allowed, without fetching it', async () => {
    const fetched: string[] = [];
    const guarded = await listen(
      testApp(h, {}, {
        fetchCert: async (url) => {
          fetched.push(url);
          return sns.certPem;
        },
      }),
    );
    try {
      for (const url of ['https://evil.example.com/SimpleNotificationService-x.pem', 'http://sns.us-east-1.amazonaws.com/x.pem', `http://127.0.0.1:1/_emulator/sns-cert.pem`]) {
        const e = sns.envelope(chargeMessage('S01-1-1-C1'), { SigningCertURL: url });
        const r = await guarded.request({ method: 'POST', url: '/amazon-pay/ipn', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(e) });
        expect(r.statusCode).toBe(403);
        expect(r.json()).toMatchObject({ error: 'untrusted_cert_url' });
      }
      expect(fetched).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('200 and ignored for unknown charges, other object types and unreadable messages', async () => {
    const unknown = await ipn(sns.envelope(chargeMessage('S01-9999999-9999999-C9999999')));
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({ ok: true, action: 'ignored', reason: 'no session holds this charge' });
    const refund = await ipn(sns.envelope({ ObjectType: 'REFUND', ObjectId: 'S01-1-1-R1', NotificationType: 'STATE_CHANGE' }));
    expect(refund.json()).toMatchObject({ action: 'ignored' });
    const lower = await ipn(sns.envelope({ objectType: 'CHARGE', objectId: 'S01-9999999-9999999-C1' }));
    expect(lower.json()).toMatchObject({ action: 'ignored', reason: 'no session holds this charge' });
    const garbage = await ipn(sns.envelope({}, { Message: 'not json' }));
    expect(garbage.statusCode).toBe(200);
    expect(garbage.json()).toMatchObject({ action: 'ignored', reason: 'unreadable message' });
  });

  it('SubscriptionConfirmation is acknowledged without fetching a foreign SubscribeURL', async () => {
    const r = await ipn(
      sns.envelope(
        {},
        { Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription', Token: 't' },
      ),
      'text/plain',
      { 'x-amz-sns-message-type': 'SubscriptionConfirmation' },
    );
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ action: 'logged' });
  });

  it('400 for malformed envelopes, $ keys and a message type header that disagrees', async () => {
    expect((await ipn('not json')).statusCode).toBe(400);
    expect((await ipn({ Type: 'Notification' })).json()).toMatchObject({ error: 'malformed' });
    expect((await ipn({ ...sns.envelope(chargeMessage('S01-1-1-C1')), $where: '1' })).json()).toMatchObject({ error: 'forbidden_key' });
    const mismatch = await ipn(sns.envelope(chargeMessage('S01-1-1-C1')), 'text/plain', { 'x-amz-sns-message-type': 'SubscriptionConfirmation' });
    expect(mismatch.statusCode).toBe(400);
  });
});
