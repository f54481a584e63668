import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  sign as rsaSign,
  verify as rsaVerify,
} from 'node:crypto';

/** PEM text (PKCS#8, PKCS#1 or SPKI as fits) or a KeyObject. */
export type KeyInput = string | Buffer | KeyObject;

/** Reference §2.3: V1 (the SDK default, used by Magento and WooCommerce) has salt 20, V2 has salt 32. */
export type SigningAlgorithm = 'AMZN-PAY-RSASSA-PSS' | 'AMZN-PAY-RSASSA-PSS-V2';

export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['AMZN-PAY-RSASSA-PSS', 'AMZN-PAY-RSASSA-PSS-V2'];

const SALT_LENGTH: Record<SigningAlgorithm, number> = {
  'AMZN-PAY-RSASSA-PSS': 20,
  'AMZN-PAY-RSASSA-PSS-V2': 32,
};

/** Headers every request signs (reference §2.1); `x-amz-pay-*` headers given by the caller are signed too. */
const REQUIRED_SIGNED_HEADERS = ['accept', 'content-type', 'x-amz-pay-date', 'x-amz-pay-host', 'x-amz-pay-region'];

export interface CanonicalRequestInput {
  method: string;
  /** The path exactly as sent, including any `/sandbox` or `/live` segment and `/v2`. */
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  /** Lines are written in this order; `signRequest` passes the names lower-cased and sorted. */
  signedHeaders: string[];
  body: string | Buffer;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function saltLength(alg: SigningAlgorithm): number {
  const salt = SALT_LENGTH[alg];
  if (salt === undefined) throw new Error(`unsupported signing algorithm: ${String(alg)}`);
  return salt;
}

function lowerCaseHeaders(headers: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (out.has(lower)) throw new Error(`header ${lower} given twice`);
    out.set(lower, String(value));
  }
  return out;
}

function canonicalQuery(query: Record<string, string> | undefined): string {
  if (!query) return '';
  return Object.keys(query)
    .sort()
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(query[name] ?? '')}`)
    .join('&');
}

/**
 * Reference §2.2: method, URI, query, one `name:value` line per signed header, an empty line, the signed names
 * joined by `;`, and the hex SHA-256 of the exact body bytes. Header names are lower-cased and values trimmed.
 */
export function canonicalRequest(input: CanonicalRequestInput): string {
  const headers = lowerCaseHeaders(input.headers);
  const names = input.signedHeaders.map((n) => n.toLowerCase());
  const lines = names.map((name) => {
    const value = headers.get(name);
    if (value === undefined) throw new Error(`signed header ${name} is missing from the request headers`);
    return `${name}:${value.trim()}\n`;
  });
  return [
    input.method.toUpperCase(),
    input.path,
    canonicalQuery(input.query),
    lines.join(''),
    names.join(';'),
    sha256Hex(input.body),
  ].join('\n');
}

export function stringToSign(alg: SigningAlgorithm, canonical: string): string {
  saltLength(alg);
  return `${alg}\n${sha256Hex(canonical)}`;
}

/** RSASSA-PSS with SHA-256 and MGF1(SHA-256), salt from the algorithm name; standard base64. */
export function sign(privateKey: KeyInput, alg: SigningAlgorithm, toSign: string): string {
  return rsaSign('sha256', Buffer.from(toSign, 'utf8'), {
    key: privateKey instanceof KeyObject ? privateKey : createPrivateKey(privateKey),
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: saltLength(alg),
  }).toString('base64');
}

/** PSS signatures are randomised, so they are compared by verifying, never as strings (reference §2.3). */
export function verify(publicKey: KeyInput, alg: SigningAlgorithm, toSign: string, signature: string): boolean {
  const key = publicKey instanceof KeyObject ? publicKey : createPublicKey(publicKey);
  return rsaVerify(
    'sha256',
    Buffer.from(toSign, 'utf8'),
    { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLength(alg) },
    Buffer.from(signature, 'base64'),
  );
}

/** `20240102T030405Z`, the form PHP, .NET and Java send in `x-amz-pay-date`. */
export function formatAmzDate(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new RangeError('formatAmzDate: invalid date');
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export interface SignRequestInput {
  method: string;
  path: string;
  query?: Record<string, string>;
  /** Must contain x-amz-pay-date, x-amz-pay-host and x-amz-pay-region; accept and content-type default to JSON. */
  headers: Record<string, string>;
  body: string | Buffer;
  privateKey: KeyInput;
  publicKeyId: string;
  algorithm: SigningAlgorithm;
}

/**
 * The request's headers (names lower-cased) plus `authorization`. Signs accept, content-type and every `x-amz-pay-*`
 * header present (so the idempotency key when given); never `authorization`, `user-agent` or `content-length`.
 */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const headers = lowerCaseHeaders(input.headers);
  headers.delete('authorization');
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  const missing = REQUIRED_SIGNED_HEADERS.filter((name) => !headers.has(name));
  if (missing.length > 0) throw new Error(`signRequest: missing header(s) ${missing.join(', ')}`);

  const signedHeaders = [...headers.keys()]
    .filter((name) => name === 'accept' || name === 'content-type' || name.startsWith('x-amz-pay-'))
    .sort();
  const all = Object.fromEntries(headers);
  const canonical = canonicalRequest({
    method: input.method,
    path: input.path,
    query: input.query,
    headers: all,
    signedHeaders,
    body: input.body,
  });
  const signature = sign(input.privateKey, input.algorithm, stringToSign(input.algorithm, canonical));
  all['authorization'] =
    `${input.algorithm} PublicKeyId=${input.publicKeyId}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return all;
}
