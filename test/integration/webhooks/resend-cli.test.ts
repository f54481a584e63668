// `checkout resend-webhook` as operators run it: `node bin/checkout.js` against the integration stack, sending to
// a real receiver on 127.0.0.1 that verifies the signature (CONVENTIONS.md 14).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { webhookActivities } from '../../../activities/webhooks/activities';
import type { WebhookEventInput } from '../../../activities/webhooks/types';
import { buyerAddress, createHarness, type Harness } from '../../helpers/checkout-harness';
import { testCodecEnv } from '../../helpers/codec-keys';
import { testStack } from '../../helpers/env';
import { startReceiver, type Receiver } from '../../helpers/webhook-receiver';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '../../..');
const BIN = join(ROOT, 'bin/checkout.js');
const CURRENT = 'whsec-current-cli-test-00001';
const PREVIOUS = 'whsec-previous-cli-test-0001';

let h: Harness;
let receiver: Receiver;
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  h = await createHarness({ worker: false });
  receiver = await startReceiver({ current: CURRENT, previous: PREVIOUS });
  const stack = testStack();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAYLOAD_CODEC_') && !k.startsWith('MERCHANT_WEBHOOK_')));
  cliEnv = {
    ...inherited,
    NODE_OPTIONS: '',
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    TASK_QUEUE: h.taskQueue,
    MONGODB_URI: stack.mongodbUri,
    MONGODB_DB: h.db.databaseName,
    ...testCodecEnv(),
    MERCHANT_WEBHOOK_URL: receiver.url,
    MERCHANT_WEBHOOK_SECRET: CURRENT,
    MERCHANT_WEBHOOK_SECRET_PREVIOUS: PREVIOUS,
  };
});
afterAll(async () => {
  await receiver?.close();
  await h?.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...cliEnv, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const BUYER_DATA = /susie|Susie Smith|Ditka|Chicago|800-000-0000/;

/** A recorded session; with `delivered`, its completion webhook was delivered once by the activity. */
async function session(delivered: boolean): Promise<{ id: string; event: WebhookEventInput }> {
  const id = `wh-cli-${randomUUID()}`;
  await h.records.applyStep(
    {
      checkoutSessionId: id,
      step: { seq: 4, workflowId: `checkout-session-${id}`, runId: 'run-1', at: new Date().toISOString() },
      event: { type: 'Completed' },
      set: { state: 'Completed', chargeAmount: { amount: '14.00', currencyCode: 'USD' } },
    },
    { chargeId: 'S01-C1', buyer: { name: 'Susie Smith', email: 'susie@example.com' }, shippingAddress: buyerAddress },
  );
  const event: WebhookEventInput = {
    eventId: `${id}:4`,
    type: 'checkout.completed',
    checkoutSessionId: id,
    state: 'Completed',
    reasonCode: null,
    chargeId: 'S01-C1',
    chargePermissionId: null,
    chargeState: 'Captured',
    chargeAmount: { amount: '14.00', currencyCode: 'USD' },
    totalOrderAmount: null,
    merchantReferenceId: null,
    recovered: true,
    occurredAt: new Date().toISOString(),
  };
  if (delivered) {
    const { deliverMerchantWebhook } = webhookActivities({
      records: h.records,
      config: { url: receiver.url, secrets: [CURRENT, PREVIOUS], maxDeliveryMs: 60_000, includeBuyer: false, timeoutMs: 2_000 },
    });
    const env = new MockActivityEnvironment({ attempt: 1, scheduledTimestampMs: Date.now() }, { logger: new DefaultLogger('ERROR') });
    await env.run(deliverMerchantWebhook, event);
  }
  return { id, event };
}

describe('checkout resend-webhook', () => {
  it('sends the recorded event again with the same event ID and body, records it, and status shows it', async () => {
    const { id, event } = await session(true);
    const [original] = receiver.received(id);

    const r = await cli(['resend-webhook', id]);
    expect(r).toMatchObject({ code: 0, stdout: `resent ${event.eventId} (checkout.completed): delivered, HTTP 200\n` });

    const got = receiver.received(id);
    expect(got).toHaveLength(2);
    expect(got[1]!.eventId).toBe(event.eventId);
    expect(got[1]!.rawBody).toBe(original!.rawBody);
    expect(got[1]!.verified).toMatchObject({ ok: true });
    expect(got[1]!.verifiedWithPrevious).toMatchObject({ ok: true });
    expect(got[1]!.rawBody).not.toMatch(BUYER_DATA);

    expect((await h.records.get(id))?.webhook).toMatchObject({
      state: 'delivered',
      lastEventId: event.eventId,
      attempts: 2,
      lastHttpStatus: 200,
      resentAt: expect.any(Date),
      deliveredAt: expect.any(Date),
    });

    const status = await cli(['status', id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(`\\nWebhook\\n {2}state\\s+delivered\\n {2}event\\s+${event.eventId} \\(checkout\\.completed\\)\\n {2}attempts\\s+2\\n {2}last status\\s+200`),
    );
  });

  it('adds the buyer only when MERCHANT_WEBHOOK_INCLUDE_BUYER=true, as the worker does', async () => {
    const { id } = await session(true);
    expect((await cli(['resend-webhook', id], { MERCHANT_WEBHOOK_INCLUDE_BUYER: 'true' })).code).toBe(0);
    const got = receiver.received(id);
    expect(got[1]!.body.buyer).toMatchObject({ name: 'Susie Smith', email: 'susie@example.com', shippingAddress: buyerAddress });
    expect(JSON.stringify((await h.records.get(id))?.webhook)).not.toMatch(BUYER_DATA);
  });

  it('a 500 is failed and a 400 rejected: exit 1, recorded, nothing retries', async () => {
    const { id, event } = await session(true);
    receiver.script(id, [{ status: 200 }, { status: 500, headers: { 'retry-after': '30' } }, { status: 400 }]);

    const failed = await cli(['resend-webhook', id]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`resend of ${event.eventId} (checkout.completed) failed: HTTP 500; retry after 30 s`);
    expect((await h.records.get(id))?.webhook).toMatchObject({ state: 'failed', attempts: 2, lastHttpStatus: 500, lastError: 'HTTP 500' });

    const rejected = await cli(['resend-webhook', id]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('rejected: HTTP 400');
    expect((await h.records.get(id))?.webhook).toMatchObject({ state: 'rejected', attempts: 3, lastHttpStatus: 400 });
    expect(receiver.received(id)).toHaveLength(3);
  });

  it('no event recorded yet: exit 3; unknown session: exit 4; no URL: exit 2; nothing sent', async () => {
    const { id } = await session(false);
    const unknown = `wh-cli-${randomUUID()}`;
    const [none, missing, noUrl] = await Promise.all([
      cli(['resend-webhook', id]),
      cli(['resend-webhook', unknown]),
      cli(['resend-webhook', id], { MERCHANT_WEBHOOK_URL: '' }),
    ]);
    expect(none).toMatchObject({ code: 3, stderr: expect.stringContaining(`checkout session ${id} has no webhook event recorded yet`) });
    expect(missing).toMatchObject({ code: 4, stderr: expect.stringContaining(`unknown checkout session ${unknown}`) });
    expect(noUrl).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs MERCHANT_WEBHOOK_URL/) });
    expect(receiver.received(id)).toHaveLength(0);
  });

  it('a bad secret is a configuration error (exit 2) that does not echo it', async () => {
    const r = await cli(['resend-webhook', 'whatever'], { MERCHANT_WEBHOOK_SECRET: 'too-short' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must be at least 16 characters[\s\S]*MERCHANT_WEBHOOK_SECRET/);
    expect(r.stderr).not.toContain('too-short');
  });
});
