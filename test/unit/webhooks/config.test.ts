// The MERCHANT_WEBHOOK_* variables, as the worker and the CLI parse them.
import { webhookTarget } from '../../../activities/webhooks/config';
import { loadCliConfig } from '../../../client/cli/config';
import { loadWorkerConfig, workerWebhookConfig } from '../../../worker/config';

const WORKER_BASE = { MONGODB_URI: 'mongodb://127.0.0.1:27017', AMAZON_PAY_PUBLIC_KEY_ID: 'SANDBOX-K', AMAZON_PAY_PRIVATE_KEY: 'pem' };
const SECRET = 'whsec-0123456789abcdef';
const OLD_SECRET = 'whsec-old-0123456789ab';

function configError(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('webhook configuration', () => {
  it('is not configured by default: no URL, the documented defaults', () => {
    expect(workerWebhookConfig(loadWorkerConfig(WORKER_BASE))).toEqual({
      secrets: [],
      maxDeliveryMs: 259_200_000,
      includeBuyer: false,
      timeoutMs: 10_000,
    });
    expect(loadCliConfig({}).webhook).toEqual({ secrets: [], maxDeliveryMs: 259_200_000, includeBuyer: false, timeoutMs: 10_000 });
    expect(workerWebhookConfig(loadWorkerConfig({ ...WORKER_BASE, MERCHANT_WEBHOOK_URL: '' })).url).toBeUndefined();
  });

  it('reads every variable; the current secret signs first, the previous one second', () => {
    const c = workerWebhookConfig(
      loadWorkerConfig({
        ...WORKER_BASE,
        MERCHANT_WEBHOOK_URL: 'https://merchant.example/hooks/checkout?token=t0k3n',
        MERCHANT_WEBHOOK_SECRET: SECRET,
        MERCHANT_WEBHOOK_SECRET_PREVIOUS: OLD_SECRET,
        MERCHANT_WEBHOOK_MAX_DELIVERY_MS: '60000',
        MERCHANT_WEBHOOK_TIMEOUT_MS: '2500',
        MERCHANT_WEBHOOK_INCLUDE_BUYER: 'true',
      }),
    );
    expect(c).toEqual({
      url: 'https://merchant.example/hooks/checkout?token=t0k3n',
      secrets: [SECRET, OLD_SECRET],
      maxDeliveryMs: 60_000,
      includeBuyer: true,
      timeoutMs: 2_500,
    });
    expect(Object.isFrozen(c)).toBe(true);
    // What the worker logs: the origin, never the path or query (a token may sit there), never a secret.
    expect(webhookTarget(c)).toBe('https://merchant.example');
    expect(webhookTarget({ ...c, url: undefined })).toBe('not configured');
  });

  it('refuses a URL without a secret, a short secret and a non-http URL, all at once, without echoing a secret', () => {
    expect(configError(() => loadWorkerConfig({ ...WORKER_BASE, MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:9000/h' }))).toMatch(
      /is required when MERCHANT_WEBHOOK_URL is set\s+→ at MERCHANT_WEBHOOK_SECRET/,
    );
    const message = configError(() =>
      loadWorkerConfig({
        ...WORKER_BASE,
        MERCHANT_WEBHOOK_URL: 'ftp://merchant.example/h',
        MERCHANT_WEBHOOK_SECRET: 'short-secret',
        MERCHANT_WEBHOOK_SECRET_PREVIOUS: 'tiny',
        MERCHANT_WEBHOOK_MAX_DELIVERY_MS: '-1',
        MERCHANT_WEBHOOK_INCLUDE_BUYER: 'yes',
      }),
    );
    expect(message).toMatch(/^worker configuration is invalid/);
    expect(message).toMatch(/must be an http:\/\/ or https:\/\/ URL\s+→ at MERCHANT_WEBHOOK_URL/);
    expect(message).toMatch(/must be at least 16 characters\s+→ at MERCHANT_WEBHOOK_SECRET\n/);
    expect(message).toMatch(/must be at least 16 characters\s+→ at MERCHANT_WEBHOOK_SECRET_PREVIOUS/);
    expect(message).toMatch(/MERCHANT_WEBHOOK_MAX_DELIVERY_MS/);
    expect(message).toMatch(/MERCHANT_WEBHOOK_INCLUDE_BUYER/);
    expect(message).not.toMatch(/short-secret|tiny/);

    const missing = configError(() => loadCliConfig({ MERCHANT_WEBHOOK_URL: 'https://merchant.example/h' }));
    expect(missing).toMatch(/^CLI configuration is invalid[\s\S]*is required when MERCHANT_WEBHOOK_URL is set\s+→ at MERCHANT_WEBHOOK_SECRET/);
  });

  it('the CLI reads the same variables as the worker', () => {
    expect(loadCliConfig({ MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:9000/h', MERCHANT_WEBHOOK_SECRET: SECRET }).webhook).toMatchObject({
      url: 'http://127.0.0.1:9000/h',
      secrets: [SECRET],
    });
  });
});
