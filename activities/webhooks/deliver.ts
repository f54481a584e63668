// One HTTP POST of a webhook, classified. No retries here: the activity throws and Temporal retries
// (CONVENTIONS.md 4); the CLI's resend makes a single attempt. Never reads or echoes the response body.
import type { WebhookDelivery } from '../../records/types';
import { webhookEvent } from './body';
import { SIGNATURE_HEADER, signWebhook } from './signing';
import type { WebhookEventInput } from './types';

export const EVENT_ID_HEADER = 'Checkout-Event-Id';
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const WEBHOOK_USER_AGENT = 'checkout-orchestrator-webhooks/1';
/** Bound on the stored / thrown error text. */
const MAX_ERROR_LENGTH = 200;

export interface WebhookEndpoint {
  url: string;
  /** Current secret first; the previous one too while rotating. */
  secrets: readonly string[];
  timeoutMs?: number;
}

export type WebhookAttempt =
  | { kind: 'delivered'; httpStatus: number }
  /** The receiver refused the event (4xx other than 408/429, or a redirect): repeating it gives the same answer. */
  | { kind: 'rejected'; httpStatus: number; error: string }
  /** Worth another attempt: 408, 429, 5xx, network error or timeout. */
  | { kind: 'retryable'; httpStatus?: number; error: string; retryAfterMs?: number };

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export function classifyWebhookStatus(status: number): WebhookAttempt['kind'] {
  if (status >= 200 && status <= 299) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retryable';
  // 4xx, and 3xx: redirects are not followed (the signature names no URL; point MERCHANT_WEBHOOK_URL at the target).
  return 'rejected';
}

/** `Retry-After` as delta-seconds or an HTTP date, in ms; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const bounded = (text: string) => (text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text);

/** A transport error as a short, URL-free text: the code of the cause (ECONNREFUSED, UND_ERR_SOCKET…) when there is one. */
function transportError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; name?: unknown } } | undefined;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no response within ${timeoutMs} ms`;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : undefined;
  return bounded(`network error${code ? ` (${code})` : ''}`);
}

/**
 * POSTs `body` once, signed with every secret, and says what happened. The event ID header lets the receiver drop
 * a repeated delivery; the body is sent as given, byte for byte.
 */
export async function deliverWebhookOnce(
  cfg: WebhookEndpoint,
  body: string,
  eventId: string,
  fetchImpl: FetchLike = fetch,
  nowMs: () => number = Date.now,
): Promise<WebhookAttempt> {
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  let res: Response;
  try {
    res = await fetchImpl(cfg.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        [SIGNATURE_HEADER]: signWebhook(body, cfg.secrets, nowMs()),
        [EVENT_ID_HEADER]: eventId,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { kind: 'retryable', error: transportError(err, timeoutMs) };
  }
  // The answer's body is never read (it could echo anything): release the connection.
  await res.body?.cancel().catch(() => undefined);
  const httpStatus = res.status;
  const kind = classifyWebhookStatus(httpStatus);
  if (kind === 'delivered') return { kind, httpStatus };
  if (kind === 'rejected') {
    return {
      kind,
      httpStatus,
      error: httpStatus < 400 ? `HTTP ${httpStatus} (redirects are not followed)` : `HTTP ${httpStatus}`,
    };
  }
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), nowMs());
  return { kind, httpStatus, error: `HTTP ${httpStatus}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** The session record of one attempt's result (the activity's and the CLI resend's): no buyer data, no response body. */
export function deliveryRecord(
  event: WebhookEventInput,
  attempt: WebhookAttempt,
  attempts: number,
  now: Date,
): WebhookDelivery {
  const base = {
    lastEventId: event.eventId,
    lastEventType: event.type,
    lastEvent: { ...webhookEvent(event) },
    attempts,
    updatedAt: now,
  };
  if (attempt.kind === 'delivered')
    return { ...base, state: 'delivered', lastHttpStatus: attempt.httpStatus, lastError: null, deliveredAt: now };
  return {
    ...base,
    state: attempt.kind === 'rejected' ? 'rejected' : 'retrying',
    lastHttpStatus: attempt.httpStatus ?? null,
    lastError: attempt.error,
  };
}
