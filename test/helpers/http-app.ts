// The HTTP app on the integration harness: built with app.inject in mind, optionally listening on a real port.
import { randomBytes, randomUUID, sign } from 'node:crypto';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { generate } from 'selfsigned';
import { buildApp } from '../../client/http/app';
import { loadHttpConfig, type HttpConfig } from '../../client/http/config';
import { fetchCert, stringToSign, type CertFetcher, type SnsEnvelope } from '../../client/http/sns';
import { createLogger } from '../../client/temporal/logger';
import type { Harness } from './checkout-harness';
import { testStack } from './env';
import { checkoutWorkflowId } from '../../workflows/checkout-session';

export const TOKEN = randomBytes(24).toString('base64url');
export const auth = { authorization: `Bearer ${TOKEN}` };
export const jsonHeaders = { ...auth, 'content-type': 'application/json', accept: 'application/json' };

/** A stand-in for an Amazon SNS certificate: its URL has SNS's exact shape (hex file name), its PEM comes from here. */
export const FAKE_SNS_CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem';
/** The topic fakeSns() publishes on. */
export const FAKE_SNS_TOPIC_ARN = 'arn:aws:sns:us-east-1:291180941288:A01TEST';

export interface FakeSns {
  certPem: string;
  fetchCert: CertFetcher;
  envelope(message: Record<string, unknown>, over?: Partial<SnsEnvelope>): SnsEnvelope;
}

export async function fakeSns(): Promise<FakeSns> {
  const pems = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], { keySize: 2048, algorithm: 'sha256' });
  return {
    certPem: pems.cert,
    fetchCert: async (url) => (url === FAKE_SNS_CERT_URL ? pems.cert : fetchCert(url)),
    envelope(message, over = {}) {
      const unsigned = {
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: FAKE_SNS_TOPIC_ARN,
        Message: JSON.stringify(message),
        Timestamp: new Date().toISOString(),
        SignatureVersion: '2',
        SigningCertURL: FAKE_SNS_CERT_URL,
        UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
        ...over,
      } as SnsEnvelope;
      // SignatureVersion 1 is SHA1withRSA; 2, and any version the server must refuse, SHA256withRSA.
      const algorithm = unsigned.SignatureVersion === '1' ? 'sha1' : 'sha256';
      return { ...unsigned, Signature: sign(algorithm, Buffer.from(stringToSign(unsigned)), pems.private).toString('base64'), ...over };
    },
  };
}

export function testConfig(h: Harness, env: Record<string, string> = {}): HttpConfig {
  return loadHttpConfig({
    MONGODB_URI: testStack().mongodbUri,
    MERCHANT_API_TOKEN: TOKEN,
    TASK_QUEUE: h.taskQueue,
    RETURN_WAIT_MS: '20000',
    // Every request of a test comes from one address; the rate-limit tests turn the limits on.
    PUBLIC_RATE_LIMIT_PER_SEC: '0',
    IPN_RATE_LIMIT_PER_SEC: '0',
    IPN_TRUST_EMULATOR_CERT_URL_PREFIX: `${h.emulator.baseUrl}/_emulator/`,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export function testApp(h: Harness, env: Record<string, string> = {}, extra: { fetchCert?: CertFetcher } = {}): FastifyInstance {
  const config = testConfig(h, env);
  return buildApp({ client: h.client, db: h.db, records: h.records, config, logger: createLogger(config.LOG_LEVEL, 'http'), ...extra });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface TestResponse {
  statusCode: number;
  headers: Headers;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ListeningApp {
  url: string;
  request(o: { method?: string; url: string; headers?: Record<string, string>; payload?: string }): Promise<TestResponse>;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 and talks real HTTP. (Fastify's `inject` loads light-my-request, which requires the ESM-only
 * `cookie` package that Jest's CommonJS runtime cannot load on this Node version.)
 */
export async function listen(app: FastifyInstance, port = 0): Promise<ListeningApp> {
  const url = await app.listen({ host: '127.0.0.1', port });
  return {
    url,
    async request(o) {
      const res = await fetch(`${url}${o.url}`, { method: o.method ?? 'GET', headers: o.headers, body: o.payload, redirect: 'manual' });
      const body = await res.text();
      return { statusCode: res.status, headers: res.headers, body, json: () => JSON.parse(body) };
    },
    close: () => app.close(),
  };
}

/** Whether the session's workflow exists at all (routes that must start nothing are checked with it). */
export const workflowExists = (h: Harness, id: string): Promise<boolean> =>
  h.client.workflow
    .getHandle(checkoutWorkflowId(id))
    .describe()
    .then(
      () => true,
      () => false,
    );
