// SNS message verification for Amazon Pay IPNs (reference §8, after aws/aws-php-sns-message-validator, but stricter):
// required keys, SignatureVersion 1 or 2, a certificate URL of SNS's exact shape, an allowed TopicArn, a recent
// Timestamp, then the signing certificate (bounded cache) and SHA1withRSA (v1) / SHA256withRSA (v2). Every check that
// needs no network runs before the certificate fetch, so a forged message costs nothing and reaches no host.
import { X509Certificate, verify } from 'node:crypto';
import { z } from 'zod';

export const SnsEnvelope = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(512),
  Subject: z.string().max(512).optional(),
  Message: z.string().max(256 * 1024),
  Timestamp: z.string().min(1).max(64),
  /** Checked after parsing, so an unknown version is a 403 refusal rather than a malformed body. */
  SignatureVersion: z.string().min(1).max(8),
  Signature: z.string().min(1).max(4096),
  SigningCertURL: z.string().min(1).max(2048),
  SubscribeURL: z.string().max(2048).optional(),
  Token: z.string().max(2048).optional(),
  UnsubscribeURL: z.string().max(2048).optional(),
});
export type SnsEnvelope = z.infer<typeof SnsEnvelope>;

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const SUBSCRIPTION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** `key\nvalue\n` for each present key, in SNS's fixed order for the message type. */
export function stringToSign(e: SnsEnvelope): string {
  const keys = e.Type === 'Notification' ? NOTIFICATION_KEYS : SUBSCRIPTION_KEYS;
  let out = '';
  for (const k of keys) {
    const v = (e as Record<string, unknown>)[k];
    if (v === undefined || v === null) continue;
    out += `${k}\n${String(v)}\n`;
  }
  return out;
}

export type SnsRejection =
  | 'malformed'
  | 'unsupported_signature_version'
  | 'untrusted_cert_url'
  | 'topic_not_allowed'
  | 'stale_timestamp'
  | 'cert_unavailable'
  | 'bad_signature';

export class SnsVerificationError extends Error {
  override name = 'SnsVerificationError';
  constructor(
    readonly reason: SnsRejection,
    message: string,
  ) {
    super(message);
  }
}

/** Fetches a signing certificate (PEM). Injected so tests and the local stack need no network. */
export type CertFetcher = (url: string) => Promise<string>;

export const fetchCert: CertFetcher = async (url) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
  if (!res.ok) throw new Error(`certificate ${url} answered ${res.status}`);
  const text = await res.text();
  if (text.length > 64 * 1024) throw new Error(`certificate ${url} is too large`);
  return text;
};

/** `sns.*.amazonaws.com` → a host regex; `*` is one DNS label of at least 3 characters (reference §8). */
export function hostPattern(glob: string): RegExp {
  const body = glob
    .toLowerCase()
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[a-z0-9-]{3,}');
  return new RegExp(`^${body}$`);
}

/**
 * SNS's own certificate URLs, `https://sns.<region>.amazonaws.com[.cn]/SimpleNotificationService-<hex>.pem`. AWS's
 * validators accept any label of 3+ characters for the region and any path; a region name and this file name only
 * are accepted here.
 */
const SNS_CERT_HOST = /^sns\.[a-z]{2}(-gov)?-[a-z]+-\d\.amazonaws\.com(\.cn)?$/;
const SNS_CERT_PATH = /^\/SimpleNotificationService-[0-9a-f]+\.pem$/;
/** SNS writes `2026-01-01T00:00:00.000Z`; looser spellings are refused (Date.parse alone accepts `"1"`). */
const SNS_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const SIGNATURE_ALGORITHMS = new Map([
  ['1', 'sha1'],
  ['2', 'sha256'],
]);

export const DEFAULT_MAX_AGE_MS = 3_600_000;
/** How far in the future a Timestamp may be: the sender's clock may run ahead of ours. */
export const FUTURE_SKEW_MS = 5 * 60_000;
export const DEFAULT_MAX_CACHED_CERTS = 32;
export const DEFAULT_CERT_TTL_MS = 3_600_000;

/** What the caller accepts beyond a valid signature: from the HTTP config, passed on each call. */
export interface SnsPolicy {
  /** TopicArns accepted; empty = any. */
  allowedTopicArns?: readonly string[];
  /** The oldest Timestamp accepted, in ms before now; default 1 hour. */
  maxAgeMs?: number;
}

export interface SnsVerifierOptions {
  /** Narrows the SNS certificate hosts (`*` = one label); it cannot admit a host or path of another shape. */
  allowedCertHosts: readonly string[];
  /** A URL prefix trusted as is (http allowed): the local emulator's `/_emulator/`. */
  trustedCertUrlPrefix?: string;
  fetchCert?: CertFetcher;
  /** Certificates kept, the least recently used evicted first; default 32. */
  maxCachedCerts?: number;
  /** How long a fetched certificate is reused; default 1 hour. */
  certTtlMs?: number;
  /** The clock for Timestamp age and certificate expiry. */
  now?: () => number;
  /** Certificate fetches in flight at once; a message needing another is refused as cert_unavailable; default 4. */
  maxConcurrentFetches?: number;
  /** How long a URL whose fetch failed is refused without fetching it again; default 1 minute. */
  failedCertTtlMs?: number;
}

const DEFAULT_MAX_CONCURRENT_FETCHES = 4;
const DEFAULT_FAILED_CERT_TTL_MS = 60_000;
const MAX_FAILED_CERTS = 256;

interface CachedCert {
  cert: Promise<X509Certificate>;
  expiresAt: number;
}

export class SnsVerifier {
  private readonly hosts: RegExp[];
  /** In least-recently-used order: a hit is moved to the end, the first entry is evicted. */
  private readonly certs = new Map<string, CachedCert>();
  private readonly fetcher: CertFetcher;
  private readonly now: () => number;
  private readonly maxCachedCerts: number;
  private readonly certTtlMs: number;
  /** URLs whose fetch failed lately, with the time they may be tried again (bounded, oldest dropped first). */
  private readonly failedCerts = new Map<string, number>();
  private fetching = 0;
  /** Certificate fetches made (a test and the flood script read it). */
  fetches = 0;

  constructor(private readonly o: SnsVerifierOptions) {
    this.hosts = o.allowedCertHosts.map(hostPattern);
    this.fetcher = o.fetchCert ?? fetchCert;
    this.now = o.now ?? Date.now;
    this.maxCachedCerts = Math.max(1, o.maxCachedCerts ?? DEFAULT_MAX_CACHED_CERTS);
    this.certTtlMs = o.certTtlMs ?? DEFAULT_CERT_TTL_MS;
  }

  /**
   * Parses the envelope (throws `malformed`), checks its SignatureVersion, certificate URL, TopicArn and Timestamp,
   * then fetches the certificate and checks the signature.
   */
  async verify(raw: unknown, policy: SnsPolicy = {}): Promise<SnsEnvelope> {
    const r = SnsEnvelope.safeParse(raw);
    if (!r.success) throw new SnsVerificationError('malformed', `not an SNS message: ${z.prettifyError(r.error)}`);
    const e = r.data;
    const algorithm = SIGNATURE_ALGORITHMS.get(e.SignatureVersion);
    if (!algorithm) throw new SnsVerificationError('unsupported_signature_version', 'SignatureVersion must be 1 or 2');
    if (!this.certUrlAllowed(e.SigningCertURL)) {
      throw new SnsVerificationError('untrusted_cert_url', 'SigningCertURL is not an SNS signing certificate URL');
    }
    const topics = policy.allowedTopicArns ?? [];
    if (topics.length > 0 && !topics.includes(e.TopicArn)) {
      throw new SnsVerificationError('topic_not_allowed', 'TopicArn is not an allowed topic');
    }
    this.checkTimestamp(e.Timestamp, policy.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
    const cert = await this.cert(e.SigningCertURL);
    let ok = false;
    try {
      ok = verify(algorithm, Buffer.from(stringToSign(e), 'utf8'), cert.publicKey, Buffer.from(e.Signature, 'base64'));
    } catch {
      ok = false;
    }
    if (!ok) throw new SnsVerificationError('bad_signature', 'the SNS signature does not verify');
    return e;
  }

  certUrlAllowed(url: string): boolean {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    // Only the normalised spelling passes, so `prefix/../elsewhere`, `:443`, `HTTPS://` or a bare `?` do not.
    if (url !== u.href) return false;
    if (this.o.trustedCertUrlPrefix && u.href.startsWith(this.o.trustedCertUrlPrefix)) return true;
    if (u.protocol !== 'https:' || u.username || u.password || u.port || /[?#]/.test(url)) return false;
    if (!SNS_CERT_HOST.test(u.hostname) || !SNS_CERT_PATH.test(u.pathname)) return false;
    return this.hosts.some((h) => h.test(u.hostname));
  }

  /** A replayed message keeps its valid signature forever; its Timestamp bounds how long it is accepted. */
  private checkTimestamp(timestamp: string, maxAgeMs: number): void {
    const at = SNS_TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : NaN;
    // Date.parse rolls 2026-02-31 over into March: a date that does not come back the same is not a date.
    if (!Number.isFinite(at) || new Date(at).toISOString().slice(0, 19) !== timestamp.slice(0, 19)) {
      throw new SnsVerificationError('stale_timestamp', 'Timestamp is not an ISO 8601 UTC time');
    }
    const age = this.now() - at;
    if (age > maxAgeMs) throw new SnsVerificationError('stale_timestamp', `Timestamp is more than ${maxAgeMs} ms old`);
    if (age < -FUTURE_SKEW_MS) throw new SnsVerificationError('stale_timestamp', 'Timestamp is in the future');
  }

  private cert(url: string): Promise<X509Certificate> {
    const now = this.now();
    let entry = this.certs.get(url);
    this.certs.delete(url);
    if (!entry || entry.expiresAt <= now) {
      // Forged messages can name any URL of SNS's shape: a URL that failed lately is not fetched again, and only a
      // few fetches run at once; the refusal is cert_unavailable (503), which real SNS deliveries retry later.
      if ((this.failedCerts.get(url) ?? 0) > now) return Promise.reject(new SnsVerificationError('cert_unavailable', 'signing certificate unavailable (failed lately)'));
      if (this.fetching >= (this.o.maxConcurrentFetches ?? DEFAULT_MAX_CONCURRENT_FETCHES)) {
        return Promise.reject(new SnsVerificationError('cert_unavailable', 'signing certificate unavailable (too many fetches in flight)'));
      }
      this.fetching++;
      this.fetches++;
      const created: CachedCert = {
        cert: this.fetcher(url)
          .then((pem) => new X509Certificate(pem))
          .finally(() => this.fetching--),
        expiresAt: now + this.certTtlMs,
      };
      // A failed fetch is not cached as a certificate; its URL is refused for a while.
      created.cert.catch(() => {
        if (this.certs.get(url) === created) this.certs.delete(url);
        this.failedCerts.delete(url);
        this.failedCerts.set(url, this.now() + (this.o.failedCertTtlMs ?? DEFAULT_FAILED_CERT_TTL_MS));
        while (this.failedCerts.size > MAX_FAILED_CERTS) this.failedCerts.delete(this.failedCerts.keys().next().value!);
      });
      entry = created;
    }
    this.certs.set(url, entry);
    while (this.certs.size > this.maxCachedCerts) this.certs.delete(this.certs.keys().next().value!);
    return entry.cert.catch((err: unknown) => {
      throw new SnsVerificationError('cert_unavailable', `signing certificate unavailable: ${(err as Error).message}`);
    });
  }
}
