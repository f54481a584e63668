// The real parts for workflow tests: the integration stack's Temporal and MongoDB-wire store, the emulator as
// Amazon Pay (in-process, real HTTP), our client signing against it, and a worker on a task queue of its own.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { MongoClient, type Db } from 'mongodb';
import { createActivities } from '../../activities';
import { createAmazonPayClient, type AmazonPayClient } from '../../activities/amazon-pay/client';
import { CheckoutRecords } from '../../records/checkout-sessions';
import type { WebhookConfig } from '../../activities/webhooks/types';
import type { CheckoutMetrics } from '../../activities/metrics';
import type { CodecKeys } from '../../client/temporal/codec';
import { createDataConverter } from '../../client/temporal/data-converter';
import { startEmulator } from '../../emulator';
import { DEMO_ADDRESS, demoBuyer } from '../../dev/fixtures';
import { testCodecKeys } from './codec-keys';
import { testStack, uniqueId } from './env';
import { workflowBundleOptions } from '../../worker/bundle';

let runtimeInstalled = false;
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundled once per test file (CONVENTIONS.md 14). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('ERROR') });
  return bundle;
}

export interface Emulator {
  baseUrl: string;
  adminUrl: string;
  close(): Promise<void>;
}

export interface Harness {
  client: Client;
  /** What the client and the worker encode payloads with (the fixed test keys unless the test chose otherwise). */
  dataConverter: DataConverter;
  taskQueue: string;
  db: Db;
  records: CheckoutRecords;
  amazonPay: AmazonPayClient;
  emulator: Emulator;
  publicKeyId: string;
  privateKeyPem: string;
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Creates a session at the emulator as Amazon's button would. */
  createSession(opts?: Record<string, unknown>): Promise<string>;
  buyer(id: string, action: 'approve' | 'approve-pending' | 'decline' | 'cancel', extra?: Record<string, unknown>): Promise<void>;
  counters(id: string): Promise<{ completeCalls: number; finalizeCalls: number; completeEffects: number; finalizeEffects: number }>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export const buyerAddress = DEMO_ADDRESS;

export interface HarnessOptions {
  worker?: boolean;
  /** Business metrics the worker's activities count into (worker/metrics.ts). */
  metrics?: CheckoutMetrics;
  ipnUrl?: string;
  /** Payload codec keys for the client and the worker; default: the fixed test keys (A and B, current B); null: no codec. */
  codecKeys?: CodecKeys | null;
  /** Merchant webhooks for the worker's activities; default: not configured. */
  webhooks?: WebhookConfig;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  installQuietRuntime();
  const stack = testStack();
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicKeyId = `SANDBOX-${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
  const emulator = await startEmulator({ port: 0, publicKeys: { [publicKeyId]: publicKey }, ...(opts.ipnUrl ? { ipnUrl: opts.ipnUrl } : {}) });
  const amazonPay = createAmazonPayClient({ publicKeyId, privateKey, region: 'na', baseUrl: emulator.baseUrl, timeoutMs: 3_000 });

  const mongo = await MongoClient.connect(stack.mongodbUri);
  const db = mongo.db(uniqueId('t').replace(/[^a-zA-Z0-9_-]/g, '_').slice(-60));
  const records = new CheckoutRecords(db);
  await records.ensureIndexes();

  const dataConverter = createDataConverter(opts.codecKeys === null ? undefined : (opts.codecKeys ?? testCodecKeys()));
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: stack.namespace, dataConverter });
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const taskQueue = uniqueId('checkout');

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${emulator.adminUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator admin ${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  const h: Harness = {
    client,
    dataConverter,
    taskQueue,
    db,
    records,
    amazonPay,
    emulator,
    publicKeyId,
    privateKeyPem: privateKey,
    admin,
    async createSession(o = {}) {
      const s = await admin<{ checkoutSessionId: string }>('POST', '/checkout-sessions', {
        chargeAmount: { amount: '14.00', currencyCode: 'USD' },
        paymentIntent: 'AuthorizeWithCapture',
        publicKeyId,
        buyer: demoBuyer('buyer-1'),
        shippingAddress: buyerAddress,
        billingAddress: buyerAddress,
        ...o,
      });
      return s.checkoutSessionId;
    },
    async buyer(id, action, extra = {}) {
      await admin('POST', `/checkout-sessions/${id}/buyer`, { action, ...extra });
    },
    counters: (id) => admin('GET', `/checkout-sessions/${id}/counters`),
    async startWorker() {
      worker = await Worker.create({
        connection: nativeConnection,
        namespace: stack.namespace,
        taskQueue,
        workflowBundle: await workflowBundle(),
        dataConverter: { payloadCodecs: dataConverter.payloadCodecs ?? [] },
        activities: createActivities({ amazonPay, records, webhooks: opts.webhooks, metrics: opts.metrics }),
      });
      running = worker.run();
    },
    async stopWorker() {
      if (!worker) return;
      worker.shutdown();
      await running;
      worker = undefined;
    },
    async close() {
      await h.stopWorker();
      await nativeConnection.close();
      await connection.close();
      await db.dropDatabase().catch(() => undefined);
      await mongo.close();
      await emulator.close();
    },
  };
  if (opts.worker !== false) await h.startWorker();
  return h;
}

/** An absolute deadline `ms` from now, the way tests exercise the 24-hour branch on the same code path. */
export const deadlineIn = (ms: number): string => new Date(Date.now() + ms).toISOString();

export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
