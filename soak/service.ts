// The service under soak, on its own local stack: Temporal and the store, the Amazon Pay emulator, the merchant's
// webhook receiver, and the worker and the HTTP server as child processes that chaos kills and starts again.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { CheckoutRecords } from '../records/checkout-sessions';
import { dataConverterFromEnv } from '../client/temporal/data-converter';
import { connectClient } from '../client/temporal/connection';
import { freePort, startProcess, waitReady, type ManagedProcess } from '../dev/process';
import { startStack, type Stack } from '../dev/stack';
import { startClusterStack } from '../dev/cluster-stack';
import { startEmulator, type Emulator } from '../emulator';
import { mulberry32 } from './prng';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const ROOT = resolve(__dirname, '..');

export interface Service {
  stack: Stack;
  emulator: Emulator;
  receiver: WebhookReceiver;
  /** The worker and the HTTP server now running: chaos kills them and puts new ones here. */
  procs: { worker?: ManagedProcess; http?: ManagedProcess };
  /** --cluster: a second worker and a second HTTP server (the emulator's IPNs go to it) that chaos leaves alone. */
  steady: ManagedProcess[];
  spawnWorker(): ManagedProcess;
  spawnHttp(): ManagedProcess;
  httpReady(p: ManagedProcess): Promise<void>;
  serviceUrl: string;
  token: string;
  publicKeyId: string;
  taskQueue: string;
  /** The MongoDB database the service writes to. */
  db: string;
  connection: Connection;
  client: Client;
  records: CheckoutRecords;
  /** Stops every part that started and removes the data directory (unless KEEP_SOAK_DATA). */
  stop(): Promise<void>;
}

/** Starts every part; when one fails to start, the parts already started are stopped before the error is thrown. */
export async function startService(o: {
  seed: number;
  webhookFaultRate: number;
  log: (line: string) => void;
  /** Added to the HTTP server's environment (e.g. live rate limits for the flood script). */
  httpEnv?: Record<string, string>;
  /** Temporal's production shape (dev/cluster-stack.ts) and two workers and two HTTP servers. */
  cluster?: boolean;
}): Promise<Service> {
  const log = o.log;
  const dataDir = mkdtempSync(join(tmpdir(), 'checkout-soak-'));
  const taskQueue = `soak-${o.seed}-${randomBytes(3).toString('hex')}`;
  const db = `soak_${o.seed}_${randomBytes(3).toString('hex')}`;
  const token = randomBytes(24).toString('base64url');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicKeyId = 'SANDBOX-SOAKKEY';

  let stack: Stack | undefined;
  let emulator: Emulator | undefined;
  const procs: { worker?: ManagedProcess; http?: ManagedProcess } = {};
  const steady: ManagedProcess[] = [];
  let mongo: MongoClient | undefined;
  let receiver: WebhookReceiver | undefined;
  const stop = async () => {
    await mongo?.close().catch(() => undefined);
    await procs.http?.stop(3_000);
    await procs.worker?.stop(3_000);
    await Promise.all(steady.map((p) => p.stop(3_000)));
    await emulator?.close();
    await receiver?.close();
    await stack?.stop();
    if (!process.env.KEEP_SOAK_DATA) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    stack = o.cluster ? await startClusterStack({ dataDir, say: (l) => log(l) }) : await startStack({ dataDir, ui: false, say: (l) => log(l) });
    const httpPort = await freePort();
    const serviceUrl = `http://127.0.0.1:${httpPort}`;
    const http2Port = o.cluster ? await freePort() : httpPort;
    emulator = await startEmulator({ port: 0, publicKeys: { [publicKeyId]: publicKey }, ipnUrl: `http://127.0.0.1:${http2Port}/amazon-pay/ipn`, ipnRetryDelaysMs: [500, 1000, 2000, 4000] });
    const baseEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.namespace,
      TASK_QUEUE: taskQueue,
      MONGODB_URI: stack.mongodbUri,
      MONGODB_DB: db,
      LOG_LEVEL: 'warn',
      // As in production: every payload encrypted (the soak's own client below reads results with the same key).
      PAYLOAD_CODEC_KEYS: `ksoak:${randomBytes(32).toString('base64')}`,
    };
    const webhookSecret = randomBytes(24).toString('base64url');
    receiver = await startWebhookReceiver({ secrets: [webhookSecret], faultRate: o.webhookFaultRate, rnd: mulberry32(o.seed + 101), slowMs: 2_500 });
    const hooks = receiver;
    const s = stack;
    const em = emulator;
    const spawnWorker = (name = 'worker') =>
      startProcess({
        name,
        command: process.execPath,
        args: ['--require', 'tsx/cjs', join(ROOT, 'worker/main.ts')],
        env: {
          ...baseEnv,
          AMAZON_PAY_PUBLIC_KEY_ID: publicKeyId,
          AMAZON_PAY_PRIVATE_KEY: privateKey,
          AMAZON_PAY_BASE_URL: em.baseUrl,
          AMAZON_PAY_TIMEOUT_MS: '3000',
          WORKER_SHUTDOWN_GRACE: '2s',
          MERCHANT_WEBHOOK_URL: hooks.url,
          MERCHANT_WEBHOOK_SECRET: webhookSecret,
          MERCHANT_WEBHOOK_TIMEOUT_MS: '2000',
        },
        logFile: join(dataDir, `${name}.log`),
      });
    const spawnHttp = (name = 'http', port = httpPort) =>
      startProcess({
        name,
        command: process.execPath,
        args: ['--require', 'tsx/cjs', join(ROOT, 'client/http/server.ts')],
        env: {
          ...baseEnv,
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(port),
          MERCHANT_API_TOKEN: token,
          RETURN_WAIT_MS: '15000',
          IPN_TRUST_EMULATOR_CERT_URL_PREFIX: `${em.baseUrl}/_emulator/`,
          // Every simulated buyer comes from 127.0.0.1: per-address limits would refuse the soak's own traffic.
          PUBLIC_RATE_LIMIT_PER_SEC: '0',
          IPN_RATE_LIMIT_PER_SEC: '0',
          ...o.httpEnv,
        },
        logFile: join(dataDir, `${name}.log`),
      });
    const readyAt = async (p: ManagedProcess, url: string) =>
      waitReady(p, async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok, 60_000, 'HTTP server');
    const httpReady = (p: ManagedProcess) => readyAt(p, serviceUrl);
    procs.worker = spawnWorker();
    procs.http = spawnHttp();
    if (o.cluster) {
      steady.push(spawnWorker('worker-2'), spawnHttp('http-2', http2Port));
      await readyAt(steady[1]!, `http://127.0.0.1:${http2Port}`);
    }
    await httpReady(procs.http);

    const { connection, client } = await connectClient({ address: s.temporalAddress, namespace: s.namespace }, dataConverterFromEnv(baseEnv, 'soak'));
    mongo = await MongoClient.connect(s.mongodbUri);
    const records = new CheckoutRecords(mongo.db(db));
    return { stack: s, emulator: em, receiver: hooks, procs, steady, spawnWorker: () => spawnWorker(), spawnHttp: () => spawnHttp(), httpReady, serviceUrl, token, publicKeyId, taskQueue, db, connection, client, records, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
