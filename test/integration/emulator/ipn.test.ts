import { X509Certificate, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { snsStringToSign } from '../../../emulator/sns';
import { AMOUNT, startFixture, type Fixture } from '../../helpers/emulator-fixture';
import { rawRequest } from '../../helpers/emulator-signed-fetch';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Envelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL: string;
}

/** A local IPN endpoint that records what it receives and answers with scripted statuses. */
async function ipnSink(statuses: number[] = []) {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses.shift() ?? 200).end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/amazon-pay/ipn`;
  const waitFor = async (n: number, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (received.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} IPNs, got ${received.length}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return received;
  };
  return { url, received, waitFor, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('emulator: IPN', () => {
  let f: Fixture;
  let sink: Awaited<ReturnType<typeof ipnSink>>;
  beforeAll(async () => {
    sink = await ipnSink([500]);
    f = await startFixture({ ipnUrl: sink.url, ipnRetryDelaysMs: [50, 50, 50] });
  });
  afterAll(async () => {
    await f.close();
    await sink.close();
  });

  it('posts an SNS envelope signed with the served certificate on every charge state change (with retries)', async () => {
    const id = await f.approvedSession(
      { paymentIntent: 'Authorize', canHandlePendingAuthorization: true },
      { action: 'approve-pending', settleAfterMs: 10_000 },
    );
    const r = await f.api('POST', `/v2/checkoutSessions/${id}/complete`, { chargeAmount: AMOUNT });
    expect(r.status).toBe(202);
    const { chargeId, chargePermissionId } = r.json<{ chargeId: string; chargePermissionId: string }>();

    // First attempt answered 500, the retry 200: two POSTs of the same message.
    const [first, retried] = await sink.waitFor(2);
    expect(retried!.body).toBe(first!.body);
    expect(first!.headers).toMatchObject({
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'user-agent': 'Amazon Simple Notification Service Agent',
    });
    const env = JSON.parse(first!.body) as Envelope;
    expect(env).toMatchObject({
      Type: 'Notification',
      SignatureVersion: '2',
      TopicArn: expect.stringMatching(/^arn:aws:sns:/),
    });
    expect(env.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(env.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first!.headers['x-amz-sns-message-id']).toBe(env.MessageId);
    expect(JSON.parse(env.Message)).toEqual({
      MerchantID: expect.any(String),
      ObjectType: 'CHARGE',
      ObjectId: chargeId,
      ChargePermissionId: chargePermissionId,
      NotificationType: 'STATE_CHANGE',
      NotificationId: expect.any(String),
      NotificationVersion: 'V2',
    });

    // Verify like a service would: the certificate from SigningCertURL, SHA256withRSA over the SNS string to sign.
    expect(env.SigningCertURL).toBe(f.emu.ipnCertUrl);
    const pem = (await rawRequest({ method: 'GET', url: env.SigningCertURL })).text;
    expect(pem).toBe(f.emu.ipnCertPem);
    const cert = new X509Certificate(pem);
    expect(snsStringToSign(env as unknown as Record<string, unknown>)).toBe(
      `Message\n${env.Message}\nMessageId\n${env.MessageId}\nTimestamp\n${env.Timestamp}\nTopicArn\n${env.TopicArn}\nType\nNotification\n`,
    );
    const data = Buffer.from(snsStringToSign(env as unknown as Record<string, unknown>));
    expect(verify('sha256', data, cert.publicKey, Buffer.from(env.Signature, 'base64'))).toBe(true);
    const forged = Buffer.from(snsStringToSign({ ...env, Message: env.Message.replace('CHARGE', 'REFUND') }));
    expect(verify('sha256', forged, cert.publicKey, Buffer.from(env.Signature, 'base64'))).toBe(false);

    // The pending authorization settles on the emulator clock: one more notification for the same charge.
    await f.admin('POST', '/clock/advance', { ms: 10_000 });
    const all = await sink.waitFor(3);
    const settled = JSON.parse(all[2]!.body) as Envelope;
    expect(JSON.parse(settled.Message)).toMatchObject({ ObjectType: 'CHARGE', ObjectId: chargeId });
    expect(settled.MessageId).not.toBe(env.MessageId);
    const charge = (await f.api('GET', `/v2/charges/${chargeId}`)).json<{ statusDetails: { state: string } }>();
    expect(charge.statusDetails.state).toBe('Authorized');

    const deliveries = f.emu.state.ipnDeliveries();
    expect(deliveries.map((d) => [d.objectType, d.state, d.attempts])).toEqual([
      ['CHARGE', 'delivered', 2],
      ['CHARGE', 'delivered', 1],
    ]);
  });

  it('gives up after the bounded retries', async () => {
    const dead = await ipnSink([500, 500, 500, 500, 500]);
    await f.admin('POST', '/config', { ipnUrl: dead.url });
    try {
      const id = await f.approvedSession();
      await f.api('POST', `/v2/checkoutSessions/${id}/complete`, { chargeAmount: AMOUNT });
      await dead.waitFor(4);
      await new Promise((r) => setTimeout(r, 200));
      expect(dead.received).toHaveLength(4);
      const last = f.emu.state.ipnDeliveries().at(-1);
      expect(last).toMatchObject({ state: 'failed', attempts: 4, lastStatus: 500 });
    } finally {
      await f.admin('POST', '/config', { ipnUrl: sink.url });
      await dead.close();
    }
  });
});
