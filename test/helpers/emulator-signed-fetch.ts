import { constants, createHash, sign } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

/**
 * A deliberately independent Amazon Pay request signer for the emulator tests (reference §2): it does not share
 * code with emulator/signature.ts, so a bug in one is not mirrored in the other. It can also misbehave on purpose
 * (wrong salt, tampered body, stale date, custom SignedHeaders).
 */
export type Algorithm = 'AMZN-PAY-RSASSA-PSS' | 'AMZN-PAY-RSASSA-PSS-V2';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface SignOptions {
  method: string;
  /** Full URL, e.g. `http://127.0.0.1:1234/sandbox/v2/checkoutSessions/<id>`. */
  url: string;
  /** The bytes that are signed. */
  body?: string | Buffer;
  publicKeyId: string;
  privateKeyPem: string;
  algorithm?: Algorithm;
  /** Default: the salt the algorithm implies (20 / 32). */
  saltLength?: number;
  /** `compact` = 20240102T030405Z (PHP/.NET/Java), `iso` = 2024-01-02T03:04:05Z (Node SDK). */
  dateFormat?: 'compact' | 'iso';
  date?: Date;
  /** x-amz-pay-host; default the URL's host:port (what the Node SDK sends with overrideServiceUrl). */
  host?: string;
  idempotencyKey?: string;
  /** Extra headers that are signed. */
  headers?: Record<string, string>;
  /** Names to sign, in this order and spelling; default every header, lower-case, sorted. */
  signedHeaderNames?: string[];
}

function isoDate(d: Date): string {
  return `${d.toISOString().split('.')[0]}Z`;
}

function compactDate(d: Date): string {
  return isoDate(d).replace(/[-:]/g, '');
}

function hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Returns every header to send, `authorization` included. */
export function signHeaders(o: SignOptions): Record<string, string> {
  const url = new URL(o.url);
  const algorithm = o.algorithm ?? 'AMZN-PAY-RSASSA-PSS-V2';
  const date = o.date ?? new Date();
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/json',
    'x-amz-pay-date': o.dateFormat === 'iso' ? isoDate(date) : compactDate(date),
    'x-amz-pay-host': o.host ?? url.host,
    'x-amz-pay-region': 'na',
    ...(o.idempotencyKey !== undefined ? { 'x-amz-pay-idempotency-key': o.idempotencyKey } : {}),
    ...o.headers,
  };
  const names =
    o.signedHeaderNames ??
    Object.keys(headers)
      .map((h) => h.toLowerCase())
      .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const query = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const canonical =
    `${o.method}\n${url.pathname}\n${query}\n` +
    names.map((n) => `${n.toLowerCase()}:${(lower[n.toLowerCase()] ?? '').trim()}\n`).join('') +
    `\n${names.join(';')}\n${hex(o.body ?? '')}`;
  const toSign = `${algorithm}\n${hex(canonical)}`;
  const signature = sign('sha256', Buffer.from(toSign), {
    key: o.privateKeyPem,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: o.saltLength ?? (algorithm === 'AMZN-PAY-RSASSA-PSS' ? 20 : 32),
  }).toString('base64');
  headers.authorization = `${algorithm} PublicKeyId=${o.publicKeyId}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

export interface RawRequestOptions {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Trusted CA for https URLs. */
  ca?: string;
}

/** One request on a fresh connection (no keep-alive), so socket faults hit only this request. */
export function rawRequest(o: RawRequestOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(o.url);
    const mod = url.protocol === 'https:' ? https : http;
    const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body);
    const req = mod.request(
      url,
      {
        method: o.method,
        agent: false,
        headers: { ...o.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        ...(url.protocol === 'https:' ? { ca: o.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: bytes,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface SignedRequestOptions extends SignOptions {
  /** Send these bytes instead of the signed ones (tampering). */
  sendBody?: string | Buffer;
  /** Headers sent but not signed. */
  unsignedHeaders?: Record<string, string>;
  ca?: string;
}

export function signedRequest(o: SignedRequestOptions): Promise<RawResponse> {
  const headers = signHeaders(o);
  return rawRequest({
    method: o.method,
    url: o.url,
    headers: { ...headers, ...o.unsignedHeaders },
    body: o.sendBody ?? o.body,
    ca: o.ca,
  });
}
