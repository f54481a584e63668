// The webhook variables, one definition for the worker and the CLI (CONVENTIONS.md 10): each process spreads
// `webhookEnv` into its own schema, adds `.check(webhookRules)` and turns the result into a WebhookConfig here.
// Problems name the variable, never its value.
import { z } from 'zod';
import { DEFAULT_WEBHOOK_TIMEOUT_MS } from './deliver';
import type { WebhookConfig } from './types';

const MIN_SECRET_LENGTH = 16;
export const DEFAULT_MAX_DELIVERY_MS = 259_200_000; // 3 days

/** An empty variable means unset, as a shell user expects. */
const unsetIfEmpty = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const secret = z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`);

export const webhookEnv = {
  MERCHANT_WEBHOOK_URL: unsetIfEmpty(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })),
  MERCHANT_WEBHOOK_SECRET: unsetIfEmpty(secret),
  MERCHANT_WEBHOOK_SECRET_PREVIOUS: unsetIfEmpty(secret),
  MERCHANT_WEBHOOK_MAX_DELIVERY_MS: z.coerce.number().int().positive().default(DEFAULT_MAX_DELIVERY_MS),
  MERCHANT_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().max(120_000).default(DEFAULT_WEBHOOK_TIMEOUT_MS),
  MERCHANT_WEBHOOK_INCLUDE_BUYER: bool.default(false),
};

export const WebhookEnvSchema = z.object(webhookEnv);
export type WebhookEnv = z.output<typeof WebhookEnvSchema>;

/**
 * The cross-field rule, for `.check()` on a process's schema: a URL needs a signing secret. It runs even when
 * other variables are invalid (`when`), so every problem is still reported at once.
 */
export const webhookRules = z.refine<{ MERCHANT_WEBHOOK_URL?: unknown; MERCHANT_WEBHOOK_SECRET?: unknown }>(
  (e) => !e.MERCHANT_WEBHOOK_URL || e.MERCHANT_WEBHOOK_SECRET !== undefined,
  {
    path: ['MERCHANT_WEBHOOK_SECRET'],
    message: 'is required when MERCHANT_WEBHOOK_URL is set',
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  },
);

/** The WebhookConfig of parsed variables; no URL = not configured (events are recorded, nothing is sent). */
export function webhookConfigFromEnv(e: WebhookEnv): WebhookConfig {
  const secrets = [e.MERCHANT_WEBHOOK_SECRET, e.MERCHANT_WEBHOOK_SECRET_PREVIOUS].filter(
    (s): s is string => s !== undefined,
  );
  return Object.freeze({
    ...(e.MERCHANT_WEBHOOK_URL ? { url: e.MERCHANT_WEBHOOK_URL } : {}),
    secrets: Object.freeze(secrets),
    maxDeliveryMs: e.MERCHANT_WEBHOOK_MAX_DELIVERY_MS,
    includeBuyer: e.MERCHANT_WEBHOOK_INCLUDE_BUYER,
    timeoutMs: e.MERCHANT_WEBHOOK_TIMEOUT_MS,
  });
}

/** Where the webhooks go, for logs: the origin only (a path or query may carry a token). */
export function webhookTarget(c: WebhookConfig): string {
  return c.url ? new URL(c.url).origin : 'not configured';
}
