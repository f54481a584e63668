import { createHash } from 'node:crypto';

/** Amazon Pay accepts at most 32 characters of `[A-Za-z0-9_-]` (amazon-pay-api-v2/idempotency.html). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

// Bumping the tag changes every key; Amazon stores keys indefinitely, so never change it for live sessions.
const DOMAIN = 'checkout-orchestrator/amazon-pay-idempotency/v1';

/**
 * The key for one Amazon Pay operation on one checkout session (CONVENTIONS.md, convention 7): derived, never random,
 * so a retried activity, a replayed workflow or another worker process sends the same key. 32 base64url characters
 * of SHA-256 (192 bits); the inputs are JSON-encoded so ("a:b", "c") and ("a", "b:c") cannot collide.
 */
export function idempotencyKey(checkoutSessionId: string, operation: string): string {
  if (typeof checkoutSessionId !== 'string' || checkoutSessionId.length === 0) {
    throw new TypeError('idempotencyKey: checkoutSessionId must be a non-empty string');
  }
  if (typeof operation !== 'string' || operation.length === 0) {
    throw new TypeError('idempotencyKey: operation must be a non-empty string');
  }
  return createHash('sha256')
    .update(JSON.stringify([DOMAIN, checkoutSessionId, operation]), 'utf8')
    .digest('base64url')
    .slice(0, 32);
}
