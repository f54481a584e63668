import { randomUUID, sign } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Notification } from './domain';

/**
 * Instant Payment Notifications as Amazon Pay sends them: an SNS HTTP(S) notification (reference §8), signed with
 * SignatureVersion 2 (SHA256withRSA) by a test certificate the emulator serves at SigningCertURL. The emulator only
 * signs; verifying is the service's job.
 */
export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL: string;
}

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const SUBSCRIPTION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** SNS string to sign: `key\nvalue\n` for each present key, in SNS's fixed order for the message type. */
export function snsStringToSign(envelope: Readonly<Record<string, unknown>>): string {
  const keys =
    envelope.Type === 'SubscriptionConfirmation' || envelope.Type === 'UnsubscribeConfirmation'
      ? SUBSCRIPTION_KEYS
      : NOTIFICATION_KEYS;
  let out = '';
  for (const k of keys) {
    const v = envelope[k];
    if (v === undefined || v === null) continue;
    out += `${k}\n${String(v)}\n`;
  }
  return out;
}

export interface IpnDelivery {
  notificationId: string;
  messageId: string;
  objectType: string;
  objectId: string;
  url: string;
  attempts: number;
  state: 'pending' | 'delivered' | 'failed';
  lastStatus: number | null;
  lastError: string | null;
}

export interface IpnDispatcherOptions {
  getUrl: () => string | undefined;
  merchantId: string;
  topicArn: string;
  signingCertUrl: string;
  unsubscribeUrl: string;
  signingKeyPem: string;
  /** Wall clock for SNS timestamps (a verifier compares them with its own clock). */
  wallNow: () => number;
  /** Delays before each retry; the length bounds the retries. */
  retryDelaysMs?: readonly number[];
  requestTimeoutMs?: number;
  /** Accept a self-signed IPN endpoint (test servers). */
  rejectUnauthorized?: boolean;
}

const DEFAULT_RETRY_DELAYS_MS = [200, 1000, 3000];
const MAX_DELIVERY_RECORDS = 2000;

export class IpnDispatcher {
  private readonly records: IpnDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<http.ClientRequest>();
  private closed = false;

  constructor(private readonly o: IpnDispatcherOptions) {}

  envelope(n: Notification, notificationId = randomUUID()): SnsEnvelope {
    const message = JSON.stringify({
      MerchantID: this.o.merchantId,
      ObjectType: n.objectType,
      ObjectId: n.objectId,
      ChargePermissionId: n.chargePermissionId,
      NotificationType: n.notificationType,
      NotificationId: notificationId,
      NotificationVersion: 'V2',
    });
    const unsigned = {
      Type: 'Notification',
      MessageId: randomUUID(),
      TopicArn: this.o.topicArn,
      Message: message,
      Timestamp: new Date(this.o.wallNow()).toISOString(),
      SignatureVersion: '2',
    };
    const signature = sign('sha256', Buffer.from(snsStringToSign(unsigned)), this.o.signingKeyPem).toString('base64');
    return {
      ...unsigned,
      Signature: signature,
      SigningCertURL: this.o.signingCertUrl,
      UnsubscribeURL: this.o.unsubscribeUrl,
    };
  }

  /** Queues a notification if an IPN URL is configured; delivery is asynchronous and never blocks the API. */
  notify(n: Notification): void {
    const url = this.o.getUrl();
    if (!url || this.closed) return;
    const notificationId = randomUUID();
    const env = this.envelope(n, notificationId);
    const record: IpnDelivery = {
      notificationId,
      messageId: env.MessageId,
      objectType: n.objectType,
      objectId: n.objectId,
      url,
      attempts: 0,
      state: 'pending',
      lastStatus: null,
      lastError: null,
    };
    this.records.push(record);
    if (this.records.length > MAX_DELIVERY_RECORDS) this.records.shift();
    const body = JSON.stringify(env);
    const run = () => this.attempt(record, env, body);
    // After the API response that caused it has been written.
    const t = setTimeout(() => {
      this.timers.delete(t);
      run();
    }, 0);
    this.timers.add(t);
  }

  deliveries(): IpnDelivery[] {
    return this.records.map((r) => ({ ...r }));
  }

  clear(): void {
    this.records.length = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.inflight) r.destroy();
    this.inflight.clear();
  }

  private attempt(record: IpnDelivery, env: SnsEnvelope, body: string): void {
    if (this.closed) return;
    record.attempts++;
    this.post(record.url, env, body).then(
      (status) => {
        record.lastStatus = status;
        if (status >= 200 && status < 300) record.state = 'delivered';
        else this.retryOrFail(record, env, body);
      },
      (err: unknown) => {
        record.lastError = err instanceof Error ? err.message : String(err);
        this.retryOrFail(record, env, body);
      },
    );
  }

  private retryOrFail(record: IpnDelivery, env: SnsEnvelope, body: string): void {
    const delays = this.o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const delay = delays[record.attempts - 1];
    if (delay === undefined || this.closed) {
      record.state = 'failed';
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.attempt(record, env, body);
    }, delay);
    t.unref();
    this.timers.add(t);
  }

  private post(url: string, env: SnsEnvelope, body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        reject(new Error(`invalid IPN URL ${url}`));
        return;
      }
      const mod = target.protocol === 'https:' ? https : http;
      const req = mod.request(
        target,
        {
          method: 'POST',
          headers: {
            'content-type': 'text/plain; charset=UTF-8',
            'content-length': Buffer.byteLength(body),
            'x-amz-sns-message-type': env.Type,
            'x-amz-sns-message-id': env.MessageId,
            'x-amz-sns-topic-arn': env.TopicArn,
            'user-agent': 'Amazon Simple Notification Service Agent',
          },
          timeout: this.o.requestTimeoutMs ?? 5000,
          rejectUnauthorized: this.o.rejectUnauthorized ?? true,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            this.inflight.delete(req);
            resolve(res.statusCode ?? 0);
          });
          res.on('error', (e) => {
            this.inflight.delete(req);
            reject(e);
          });
        },
      );
      this.inflight.add(req);
      req.on('timeout', () => req.destroy(new Error('IPN request timed out')));
      req.on('error', (e) => {
        this.inflight.delete(req);
        reject(e);
      });
      req.end(body);
    });
  }
}
