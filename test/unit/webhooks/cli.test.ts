// resend-webhook before it connects (help, arguments, configuration) and the webhook part of `status`.
import type { CheckoutSessionDoc } from '../../../records/checkout-sessions';
import { EXIT, runCli } from '../../../client/cli/cli';
import { formatStatus, shownRecord } from '../../../client/cli/format';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const doc: CheckoutSessionDoc = {
  _id: 'sess-1',
  seq: 5,
  state: 'Completed',
  workflowId: 'checkout-session-sess-1',
  runId: 'run-1',
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-01T00:01:00Z'),
  buyer: { name: 'Susie Smith', email: 'susie@example.com' },
  webhook: {
    state: 'retrying',
    lastEventId: 'sess-1:5',
    lastEventType: 'checkout.completed',
    lastEvent: { eventId: 'sess-1:5', type: 'checkout.completed' },
    attempts: 2,
    lastHttpStatus: 503,
    lastError: 'HTTP 503',
    updatedAt: new Date('2025-01-01T00:02:00Z'),
  },
};

describe('checkout resend-webhook', () => {
  it('has help like the other commands and is listed', async () => {
    const r = await run(['resend-webhook', '--help'], { TEMPORAL_TLS: 'invalid: help needs no configuration' });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/^Usage: checkout resend-webhook <checkoutSessionId>/);
    expect(r.out).toMatch(/same Checkout-Event-Id/);
    expect(r.out).toMatch(/Exit codes: [\s\S]*resend-webhook: no webhook\s+event recorded yet[\s\S]*4 unknown session/);
    expect(r.out).toMatch(/MERCHANT_WEBHOOK_URL/);
    expect((await run(['--help'])).out).toMatch(/\n {2}resend-webhook {2}send a session's last merchant webhook again/);
  });

  it('checks its argument, then needs MONGODB_URI and MERCHANT_WEBHOOK_URL (exit 2) before connecting', async () => {
    expect((await run(['resend-webhook'])).code).toBe(EXIT.usage);
    expect((await run(['resend-webhook', 'a/b'])).err).toMatch(/invalid checkoutSessionId/);
    // TEMPORAL_ADDRESS points nowhere: the answer comes before any connection.
    const none = await run(['resend-webhook', 'sess-1'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(none.code).toBe(EXIT.usage);
    expect(none.err).toMatch(/needs MONGODB_URI[\s\S]*needs MERCHANT_WEBHOOK_URL/);
    const noSecret = await run(['resend-webhook', 'sess-1'], { MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:1/h' });
    expect(noSecret).toMatchObject({ code: EXIT.usage, err: expect.stringMatching(/is required when MERCHANT_WEBHOOK_URL is set/) });
  });
});

describe('status shows the webhook delivery', () => {
  it('state, event, attempts and last status; no stored event and no buyer data', () => {
    const shown = shownRecord(doc, false);
    expect(shown.webhook).toEqual({
      state: 'retrying',
      lastEventId: 'sess-1:5',
      lastEventType: 'checkout.completed',
      attempts: 2,
      lastHttpStatus: 503,
      lastError: 'HTTP 503',
      updatedAt: new Date('2025-01-01T00:02:00Z'),
    });
    const text = formatStatus({ checkoutSessionId: 'sess-1', workflow: null, status: null, outcome: null, record: shown, warnings: [] });
    expect(text).toMatch(/\nWebhook\n {2}state\s+retrying\n {2}event\s+sess-1:5 \(checkout\.completed\)\n {2}attempts\s+2\n {2}last status\s+503\n {2}last error\s+HTTP 503/);
    expect(text).not.toMatch(/Susie|lastEvent/);
    expect(formatStatus({ checkoutSessionId: 'sess-1', workflow: null, status: null, outcome: null, record: shownRecord({ ...doc, webhook: undefined }, false), warnings: [] })).not.toMatch(/Webhook/);
  });
});
