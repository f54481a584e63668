import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseAmzDate } from './time';

/**
 * The emulator's own verifier for Amazon Pay request signatures (reference §2). It rebuilds the canonical request
 * from what was received (raw path, declared SignedHeaders order, raw body bytes) and checks RSASSA-PSS
 * SHA-256/MGF1-SHA-256 with the salt the algorithm name implies: 20 for V1, 32 for V2 (§2.3).
 */
export const SALT_BY_ALGORITHM: Readonly<Record<string, number>> = {
  'AMZN-PAY-RSASSA-PSS': 20,
  'AMZN-PAY-RSASSA-PSS-V2': 32,
};

export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface ParsedAuthorization {
  algorithm: string;
  publicKeyId: string;
  /** Verbatim as declared: the Node SDK may copy mixed-case names here, and they are signed that way (§2.2). */
  signedHeaders: string;
  signature: string;
}

/** `<ALG> PublicKeyId=<id>, SignedHeaders=<h1;h2>, Signature=<base64>`; whitespace around commas tolerated. */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  if (space <= 0) return undefined;
  const algorithm = trimmed.slice(0, space);
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const publicKeyId = fields.get('PublicKeyId');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!publicKeyId || !signedHeaders || !signature) return undefined;
  return { algorithm, publicKeyId, signedHeaders, signature };
}

/** Names sorted, values percent-encoded like the SDKs (`encodeURIComponent`); empty for our calls. */
export function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? '' : p.slice(eq + 1);
      return [safeDecode(name), safeDecode(value)] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(',') : v).trim();
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface CanonicalInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  signedHeaders: string;
  body: Buffer;
}

/** Canonical request per §2.2, header lines in the declared order. Returns the missing header name on failure. */
export function canonicalRequest(input: CanonicalInput): { ok: true; value: string } | { ok: false; missing: string } {
  const names = input.signedHeaders.split(';').map((n) => n.trim().toLowerCase());
  let lines = '';
  for (const name of names) {
    const value = headerValue(input.headers, name);
    if (value === undefined) return { ok: false, missing: name };
    lines += `${name}:${value}\n`;
  }
  const bodyHash = input.body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(input.body);
  return {
    ok: true,
    value: `${input.method}\n${input.rawPath}\n${canonicalQuery(input.rawQuery)}\n${lines}\n${input.signedHeaders}\n${bodyHash}`,
  };
}

export function stringToSign(algorithm: string, canonical: string): string {
  return `${algorithm}\n${sha256Hex(canonical)}`;
}

export type VerifyResult =
  | { ok: true; publicKeyId: string; algorithm: string }
  | { ok: false; status: number; reasonCode: string; message: string };

export interface VerifyInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  keys: ReadonlyMap<string, KeyObject>;
  /** Wall-clock ms the date is checked against (not the emulator's advanceable clock: clients sign with real time). */
  nowMs: number;
  skewMs: number;
}

const denied = (message: string): VerifyResult => ({
  ok: false,
  status: 403,
  reasonCode: 'InvalidRequestSignature',
  message,
});

/** Headers the signature must cover, or a captured request could be replayed forever / re-targeted. */
const MUST_SIGN = ['x-amz-pay-date', 'x-amz-pay-host'];

export function verifyRequest(input: VerifyInput): VerifyResult {
  const auth = headerValue(input.headers, 'authorization');
  if (!auth) return { ok: false, status: 400, reasonCode: 'MissingHeader', message: 'Missing header: authorization' };
  const date = headerValue(input.headers, 'x-amz-pay-date');
  if (!date) return { ok: false, status: 400, reasonCode: 'MissingHeader', message: 'Missing header: x-amz-pay-date' };

  const parsed = parseAuthorization(auth);
  if (!parsed) return denied('The authorization header is malformed.');
  const saltLength = SALT_BY_ALGORITHM[parsed.algorithm];
  if (saltLength === undefined) return denied(`Unsupported signature algorithm ${parsed.algorithm}.`);
  const key = input.keys.get(parsed.publicKeyId);
  if (!key) return denied('The public key ID is not registered.');

  const signedAt = parseAmzDate(date);
  if (signedAt === undefined) return denied('x-amz-pay-date is not a valid timestamp.');
  if (Math.abs(input.nowMs - signedAt) > input.skewMs)
    return denied('x-amz-pay-date is outside the allowed clock skew.');

  const names = parsed.signedHeaders.split(';').map((n) => n.trim().toLowerCase());
  if (names.includes('authorization')) return denied('The authorization header cannot be signed.');
  for (const required of MUST_SIGN) {
    if (!names.includes(required)) return denied(`SignedHeaders must include ${required}.`);
  }
  if (input.headers['x-amz-pay-idempotency-key'] !== undefined && !names.includes('x-amz-pay-idempotency-key')) {
    return denied('x-amz-pay-idempotency-key is present but not signed.');
  }

  const canonical = canonicalRequest({ ...input, signedHeaders: parsed.signedHeaders });
  if (!canonical.ok) return denied(`Signed header ${canonical.missing} is missing from the request.`);

  const signature = Buffer.from(parsed.signature, 'base64');
  let valid = false;
  try {
    valid = verify(
      'sha256',
      Buffer.from(stringToSign(parsed.algorithm, canonical.value)),
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
      signature,
    );
  } catch {
    valid = false;
  }
  if (!valid) return denied('The request signature does not match.');
  return { ok: true, publicKeyId: parsed.publicKeyId, algorithm: parsed.algorithm };
}
