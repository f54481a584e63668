// IPNs on the real stack: the emulator posts SNS-signed notifications to the listening server, which verifies
// them and signals the session's workflow; forged (certificate URL, topic, timestamp, version, signature), tampered
// and unknown messages.
import { randomUUID } from 'node:crypto';
import { checkoutWorkflowId, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { createHarness, deadlineIn, eventually, type Harness } from '../../helpers/checkout-harness';
import {
  FAKE_SNS_CERT_URL,
  FAKE_SNS_TOPIC_ARN,
  fakeSns,
  freePort,
  jsonHeaders,
  listen,
  testApp,
  type FakeSns,
  type ListeningApp,
} from '../../helpers/http-app';

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

const ipnTo = (target: ListeningApp, body: unknown, contentType = 'text/plain; charset=UTF-8', headers: Record<string, string> = {}) =>
  target.request({
    method: 'POST',
    url: '/amazon-pay/ipn',
    headers: { 'content-type': contentType, 'user-agent': 'Amazon Simple Notification Service Agent', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
const ipn = (body: unknown, contentType?: string, headers?: Record<string, string>) => ipnTo(app, body, contentType, headers);

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

/** chargeStateChanged signals in the workflow's history: what an IPN that got through leaves behind. */
async function chargeSignals(id: string): Promise<number> {
  const history = await h.client.workflow.getHandle(checkoutWorkflowId(id)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'chargeStateChanged').length;
}

/** Waits until the emulator has delivered (or given up on) every IPN it queued for the charge. */
const emulatorIpnsSettled = (chargeId: string) =>
  eventually(async () => {
    const deliveries = await h.admin<{ objectId: string; state: string }[]>('GET', '/ipn-deliveries');
    return deliveries.every((d) => d.objectId !== chargeId || d.state !== 'pending');
  });

/** The result label values of checkout_ipn_notifications_total and their counts. */
function ipnCounts(metricsText: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of metricsText.matchAll(/^checkout_ipn_notifications_total\{result="([^"]*)"\} (\d+)$/gm)) counts[m[1]!] = Number(m[2]);
  return counts;
}

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

  it('403 with its reason for each forged IPN, before any certificate fetch; nothing is signaled; /metrics counts reasons', async () => {
    const { id, chargeId } = await pendingSession();
    await emulatorIpnsSettled(chargeId);
    const signalsBefore = await chargeSignals(id);
    const fetched: string[] = [];
    const strict = await listen(
      testApp(
        h,
        { IPN_ALLOWED_TOPIC_ARNS: `arn:aws:sns:eu-west-1:291180941288:Other,${FAKE_SNS_TOPIC_ARN}`, IPN_MAX_AGE_MS: '600000' },
        {
          fetchCert: async (url) => {
            fetched.push(url);
            if (url !== FAKE_SNS_CERT_URL) throw new Error(`fetched ${url}`);
            return sns.certPem;
          },
        },
      ),
    );
    try {
      const message = chargeMessage(chargeId);
      const good = sns.envelope(message);
      const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
      const hex = 'SimpleNotificationService-0123456789abcdef.pem';
      const untrusted = [
        `https://sns.amazonaws.com.evil.com/${hex}`,
        `https://sns.us-east-1.amazonaws.com.evil.com/${hex}`,
        `http://sns.us-east-1.amazonaws.com/${hex}`,
        'https://sns.us-east-1.amazonaws.com/other.pem',
        'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem?x=1',
        `https://s3.amazonaws.com/sns/${hex}`,
        `https://sns.s3.amazonaws.com/${hex}`,
        'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem',
        'https://evil.example.com/SimpleNotificationService-x.pem',
        // The emulator's certificate path on a host other than the trusted prefix.
        'http://127.0.0.1:1/_emulator/sns-cert.pem',
      ];
      const cheap: [string, unknown][] = [
        ...untrusted.map((SigningCertURL): [string, unknown] => ['untrusted_cert_url', sns.envelope(message, { SigningCertURL })]),
        ['topic_not_allowed', sns.envelope(message, { TopicArn: 'arn:aws:sns:us-east-1:291180941288:A01OTHER' })],
        ['stale_timestamp', sns.envelope(message, { Timestamp: minutesFromNow(-11) })],
        ['stale_timestamp', sns.envelope(message, { Timestamp: minutesFromNow(6) })],
        ['stale_timestamp', sns.envelope(message, { Timestamp: new Date().toUTCString() })],
        ['unsupported_signature_version', sns.envelope(message, { SignatureVersion: '3' })],
      ];
      for (const [reason, body] of cheap) {
        const r = await ipnTo(strict, body);
        expect([reason, r.statusCode, r.json()]).toEqual([reason, 403, { error: reason, message: expect.any(String) }]);
      }
      expect(fetched).toEqual([]);

      const tampered = { ...good, Message: good.Message.replace('STATE_CHANGE', 'ATTRIBUTE_CHANGE') };
      const v1CheckedAsV2 = { ...sns.envelope(message, { SignatureVersion: '1' }), SignatureVersion: '2' };
      for (const body of [tampered, v1CheckedAsV2]) {
        const r = await ipnTo(strict, body);
        expect([r.statusCode, r.json()]).toEqual([403, { error: 'bad_signature', message: expect.any(String) }]);
      }
      expect(fetched).toEqual([FAKE_SNS_CERT_URL]);
      expect(await chargeSignals(id)).toBe(signalsBefore);

      // The same message, signed properly with either version, gets through: the refusals above were the checks.
      for (const SignatureVersion of ['1', '2'] as const) {
        const r = await ipnTo(strict, sns.envelope(message, { SignatureVersion }));
        expect([SignatureVersion, r.statusCode, r.json()]).toEqual([SignatureVersion, 200, { ok: true, action: 'signaled', checkoutSessionId: id }]);
      }
      // A signal that arrives while a workflow task is in flight is buffered: history shows it once that task ends.
      await eventually(async () => (await chargeSignals(id)) === signalsBefore + 2);
      expect(await chargeSignals(id)).toBe(signalsBefore + 2);
      expect(fetched).toEqual([FAKE_SNS_CERT_URL]);

      const metrics = await strict.request({ url: '/metrics' });
      expect(ipnCounts(metrics.body)).toEqual({
        untrusted_cert_url: untrusted.length,
        topic_not_allowed: 1,
        stale_timestamp: 3,
        unsupported_signature_version: 1,
        bad_signature: 2,
        signaled: 2,
      });
      expect(metrics.body).not.toContain(chargeId);
      expect(metrics.body).not.toContain(id);
    } finally {
      await strict.close();
      await h.client.workflow.getHandle(checkoutWorkflowId(id)).terminate('test done');
    }
  });

  it('by default, IPNs older than an hour are refused and any topic is accepted', async () => {
    const unknownCharge = chargeMessage('S01-9999999-9999999-C9999998');
    const old = await ipn(sns.envelope(unknownCharge, { Timestamp: new Date(Date.now() - 61 * 60_000).toISOString() }));
    expect([old.statusCode, old.json()]).toEqual([403, { error: 'stale_timestamp', message: expect.any(String) }]);
    const recent = await ipn(sns.envelope(unknownCharge, { Timestamp: new Date(Date.now() - 59 * 60_000).toISOString(), TopicArn: 'arn:aws:sns:us-east-1:1:Any' }));
    expect([recent.statusCode, recent.json()]).toEqual([200, { ok: true, action: 'ignored', reason: 'no session holds this charge' }]);
    expect(ipnCounts((await app.request({ url: '/metrics' })).body).stale_timestamp).toBeGreaterThanOrEqual(1);
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
