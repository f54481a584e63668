// SNS message verification for Amazon Pay IPNs (reference §8, after aws/aws-php-sns-message-validator): required
// keys, a signing certificate from an allowed host only, the SNS string to sign, SHA1withRSA (v1) / SHA256withRSA (v2).
import { X509Certificate, verify } from 'node:crypto';
import { z } from 'zod';

export const SnsEnvelope = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(512),
  Subject: z.string().max(512).optional(),
  Message: z.string().max(256 * 1024),
  Timestamp: z.string().min(1).max(64),
  SignatureVersion: z.enum(['1', '2']),
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

export type SnsRejection = 'malformed' | 'untrusted_cert_url' | 'cert_unavailable' | 'bad_signature';

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

export interface SnsVerifierOptions {
  allowedCertHosts: readonly string[];
  /** A URL prefix trusted as is (http allowed): the local emulator's `/_emulator/`. */
  trustedCertUrlPrefix?: string;
  fetchCert?: CertFetcher;
  maxCachedCerts?: number;
}

export class SnsVerifier {
  private readonly hosts: RegExp[];
  private readonly certs = new Map<string, Promise<X509Certificate>>();
  private readonly fetcher: CertFetcher;

  constructor(private readonly o: SnsVerifierOptions) {
    this.hosts = o.allowedCertHosts.map(hostPattern);
    this.fetcher = o.fetchCert ?? fetchCert;
  }

  /** Parses the envelope (throws `malformed`), then checks its certificate URL and signature. */
  async verify(raw: unknown): Promise<SnsEnvelope> {
    const r = SnsEnvelope.safeParse(raw);
    if (!r.success) throw new SnsVerificationError('malformed', `not an SNS message: ${z.prettifyError(r.error)}`);
    const e = r.data;
    if (!this.certUrlAllowed(e.SigningCertURL)) {
      throw new SnsVerificationError('untrusted_cert_url', 'SigningCertURL is not on an allowed SNS host');
    }
    const cert = await this.cert(e.SigningCertURL);
    const algorithm = e.SignatureVersion === '1' ? 'sha1' : 'sha256';
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
    // Compared after normalisation, so `prefix/../elsewhere` does not pass.
    if (this.o.trustedCertUrlPrefix && url === u.href && u.href.startsWith(this.o.trustedCertUrlPrefix)) return true;
    if (u.protocol !== 'https:' || u.username || u.password || u.port) return false;
    if (!u.pathname.endsWith('.pem')) return false;
    const host = u.hostname.toLowerCase();
    return this.hosts.some((h) => h.test(host));
  }

  private cert(url: string): Promise<X509Certificate> {
    let p = this.certs.get(url);
    if (!p) {
      p = this.fetcher(url).then((pem) => new X509Certificate(pem));
      // A failed fetch is not cached: the next delivery tries again.
      p.catch(() => this.certs.delete(url));
      if (this.certs.size >= (this.o.maxCachedCerts ?? 100)) this.certs.delete(this.certs.keys().next().value!);
      this.certs.set(url, p);
    }
    return p.catch((err: unknown) => {
      throw new SnsVerificationError('cert_unavailable', `signing certificate unavailable: ${(err as Error).message}`);
    });
  }
}
