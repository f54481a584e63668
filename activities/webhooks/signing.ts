// The `Checkout-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<raw body>">`, one `v1` per secret
// while a secret is being rotated, so a receiver holding either the old or the new secret accepts the delivery.
// The timestamp is signed with the body: a captured request cannot be replayed after the tolerance.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Checkout-Signature';
export const DEFAULT_TOLERANCE_SEC = 300;

const SHA256_HEX = /^[0-9a-f]{64}$/;

function hmacHex(secret: string, t: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
}

/** The header value for `body` at `nowMs`; `secrets[0]` is the current secret, a second one the previous. */
export function signWebhook(body: string | Buffer, secrets: readonly string[], nowMs: number = Date.now()): string {
  if (secrets.length === 0) throw new Error('signWebhook needs at least one secret');
  const t = Math.floor(nowMs / 1000);
  return [`t=${t}`, ...secrets.map((s) => `v1=${hmacHex(s, t, body)}`)].join(',');
}

export type VerifyFailure = 'missing-header' | 'malformed-header' | 'stale-timestamp' | 'no-matching-signature';
export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: VerifyFailure };

export interface VerifyOptions {
  /** How far `t` may be from now, either way; default 300 s. */
  toleranceSec?: number;
  nowMs?: number;
}

/**
 * Checks a received `Checkout-Signature` against the raw body bytes (before any JSON parsing). Accepts when any
 * `v1` matches any of `secrets` (rotation) and `t` is within the tolerance. Comparisons are constant-time.
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  header: string | null | undefined,
  secrets: readonly string[],
  opts: VerifyOptions = {},
): VerifyResult {
  if (!header) return { ok: false, reason: 'missing-header' };
  let t: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, reason: 'malformed-header' };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return { ok: false, reason: 'malformed-header' };
      t = Number(value);
    } else if (key === 'v1') {
      if (!SHA256_HEX.test(value)) return { ok: false, reason: 'malformed-header' };
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (a future v2) are skipped, so a receiver keeps working while both are sent.
  }
  if (t === undefined || signatures.length === 0) return { ok: false, reason: 'malformed-header' };
  const toleranceSec = opts.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  const nowSec = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSec - t) > toleranceSec) return { ok: false, reason: 'stale-timestamp' };
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(hmacHex(secret, t, rawBody), 'hex');
    // Every pair is compared (no early exit), so the timing says nothing about which one matched.
    for (const sig of signatures) matched = timingSafeEqual(expected, sig) || matched;
  }
  return matched ? { ok: true, timestamp: t } : { ok: false, reason: 'no-matching-signature' };
}
