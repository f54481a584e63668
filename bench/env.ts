// The benchmark's world: the local stack (Temporal dev server + MongoDB-wire store) in a temporary folder, and the
// emulator, the service's worker, its HTTP server and the floor's worker as separate child processes, as in
// production, so each one's CPU and RSS can be read from /proc. Everything is stopped by `stop()`.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { MongoClient, type Db } from 'mongodb';
import { createAmazonPayClient, type AmazonPayClient } from '../activities/amazon-pay/client';
import { CheckoutRecords } from '../records/checkout-sessions';
import { dataConverterFromEnv } from '../client/temporal/data-converter';
import { connectClient } from '../client/temporal/connection';
import { freePort, startProcess, waitReady, type ManagedProcess } from '../dev/process';
import { startStack, type Stack } from '../dev/stack';
import { startClusterStack } from '../dev/cluster-stack';
import { startJaeger } from '../dev/jaeger';
import type { Proc } from './metrics';

const ROOT = resolve(__dirname, '..');
export const HTTP_SERVER_ENTRY = join(ROOT, 'client/http/server.ts');

export const QUEUES = { service: 'bench-service', floor: 'bench-floor', traced: 'bench-service-traced' } as const;
export const DBS = { service: 'bench_service', floor: 'bench_floor', direct: 'bench_direct', traced: 'bench_service_traced' } as const;

export interface BenchEnvOptions {
  emulatorLatencyMs: number;
  /** The service's sticky cache bound (WORKER_MAX_CACHED_WORKFLOWS); the floor worker gets the same. */
  maxCachedWorkflows: number;
  withService: boolean;
  say: (line: string) => void;
  /** Temporal's production shape (dev/cluster-stack.ts) instead of the dev server. */
  cluster?: boolean;
  /**
   * Also a second worker and HTTP server (`worker-traced`, `http-traced`: own task queue and database) with tracing
   * on, exporting to a local Jaeger (dev/jaeger.ts), so tracing's cost is measured against the same build in one run.
   */
  traced?: boolean;
}

export interface ServiceEndpoint {
  url: string;
  token: string;
  ipnUrl: string;
}

export interface BenchEnv {
  dataDir: string;
  stack: Stack;
  temporal: Client;
  mongo: MongoClient;
  db(name: string): Db;
  /** The direct baseline's records (in this process). */
  directRecords: CheckoutRecords;
  /** This process's own Amazon Pay client (the direct baseline). */
  amazonPay: AmazonPayClient;
  publicKeyId: string;
  emulatorUrl: string;
  /** Present when the HTTP server runs. IPNs are off unless a scenario points the emulator at `ipnUrl`. */
  service?: ServiceEndpoint;
  /** The traced worker and HTTP server (BenchEnvOptions.traced). */
  tracedService?: ServiceEndpoint;
  /** Every process whose CPU and RSS are reported, this one included as `bench`. */
  procs: Proc[];
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Stops every process; the temporary folder (logs included) is kept when `keepData`. */
  stop(keepData?: boolean): Promise<void>;
}

export async function startBenchEnv(o: BenchEnvOptions): Promise<BenchEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'checkout-bench-'));
  const children: ManagedProcess[] = [];
  let stack: Stack | undefined;
  const closers: (() => Promise<void>)[] = [];
  const stop = async (keepData = false) => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
    await Promise.all(children.splice(0).reverse().map((p) => p.stop(10_000)));
    await stack?.stop();
    if (keepData) o.say(`logs kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    stack = o.cluster
      ? await startClusterStack({ dataDir, say: (l) => o.say(`cluster: ${l}`) })
      : await startStack({ dataDir, ui: false, say: (l) => o.say(`stack: ${l}`) });
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const publicKeyId = `SANDBOX-BENCH${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    const publicKeyPath = join(dataDir, 'amazon-pay-public.pem');
    const privateKeyPath = join(dataDir, 'amazon-pay-private.pem');
    writeFileSync(publicKeyPath, publicKey, { mode: 0o600 });
    writeFileSync(privateKeyPath, privateKey, { mode: 0o600 });

    // BENCH_CPU_PROF=worker,http: those processes write V8 CPU profiles (one per thread) into bench-results/profiles/.
    const profiled = new Set((process.env.BENCH_CPU_PROF ?? '').split(',').filter(Boolean));
    const profileDir = join(ROOT, 'bench-results', 'profiles');
    const tsChild = (name: string, script: string, args: string[], env: NodeJS.ProcessEnv, onStdout?: (s: string) => void) => {
      const prof = profiled.has(name) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      const p = startProcess({
        name,
        command: process.execPath,
        args: [...prof, '--require', 'tsx/cjs', script, ...args],
        env: { ...process.env, ...env },
        cwd: ROOT,
        logFile: join(dataDir, `${name}.log`),
        onStdout,
      });
      children.push(p);
      return p;
    };

    const httpPort = await freePort();
    let emulatorUrl: string | undefined;
    const emulator = tsChild(
      'emulator',
      'emulator/main.ts',
      [
        '--port', '0',
        '--public-key', `${publicKeyId}=${publicKeyPath}`,
        '--latency-ms', String(o.emulatorLatencyMs),
      ],
      {},
      (s) => {
        const line = s.split('\n').find((l) => l.includes('"baseUrl"'));
        if (line) emulatorUrl = (JSON.parse(line) as { baseUrl: string }).baseUrl;
      },
    );
    await waitReady(emulator, async () => emulatorUrl !== undefined, 30_000, 'emulator');

    const common = {
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.namespace,
      MONGODB_URI: stack.mongodbUri,
      PAYLOAD_CODEC_KEYS: `kbench:${randomBytes(32).toString('base64')}`,
      LOG_LEVEL: 'info',
    };
    const amazonEnv = {
      AMAZON_PAY_PUBLIC_KEY_ID: publicKeyId,
      AMAZON_PAY_PRIVATE_KEY: privateKeyPath,
      AMAZON_PAY_BASE_URL: emulatorUrl!,
      WORKER_MAX_CACHED_WORKFLOWS: String(o.maxCachedWorkflows),
    };
    const announces = (p: ManagedProcess, text: string) => {
      let seen = false;
      p.child.stdout?.on('data', (b: Buffer) => (seen ||= b.toString('utf8').includes(text)));
      return async () => seen;
    };

    const started: Promise<void>[] = [];
    const floor = tsChild('floor-worker', 'bench/floor-worker.ts', [], {
      ...common,
      ...amazonEnv,
      TASK_QUEUE: QUEUES.floor,
      MONGODB_DB: DBS.floor,
    }, () => undefined);
    started.push(waitReady(floor, announces(floor, 'floor worker ready'), 90_000, 'floor worker'));

    /** The service's worker and HTTP server, named `worker`/`http` plus `suffix`, on their own queue and database. */
    const startService = async (suffix: string, queue: string, db: string, extra: NodeJS.ProcessEnv): Promise<ServiceEndpoint> => {
      const port = suffix ? await freePort() : httpPort;
      const url = `http://127.0.0.1:${port}`;
      const worker = tsChild(`worker${suffix}`, 'worker/main.ts', [], {
        ...common,
        ...amazonEnv,
        ...extra,
        TASK_QUEUE: queue,
        MONGODB_DB: db,
      }, () => undefined);
      started.push(waitReady(worker, announces(worker, 'worker ready'), 90_000, `service worker${suffix}`));
      const token = randomBytes(24).toString('base64url');
      const http = tsChild(`http${suffix}`, HTTP_SERVER_ENTRY, [], {
        ...common,
        ...extra,
        TASK_QUEUE: queue,
        MONGODB_DB: db,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        MERCHANT_API_TOKEN: token,
        // Every simulated buyer comes from this one address: the per-address limits would measure themselves.
        PUBLIC_RATE_LIMIT_PER_SEC: '0',
        IPN_RATE_LIMIT_PER_SEC: '0',
        IPN_TRUST_EMULATOR_CERT_URL_PREFIX: `${emulatorUrl!}/_emulator/`,
      });
      started.push(waitReady(http, () => httpUp(url), 60_000, `HTTP server${suffix}`));
      return { url, token, ipnUrl: `${url}/amazon-pay/ipn` };
    };

    let service: BenchEnv['service'];
    let tracedService: BenchEnv['tracedService'];
    if (o.withService) service = await startService('', QUEUES.service, DBS.service, {});
    if (o.withService && o.traced) {
      const jaeger = await startJaeger({ dataDir, say: (l) => o.say(`jaeger: ${l}`) });
      children.push(jaeger.process);
      tracedService = await startService('-traced', QUEUES.traced, DBS.traced, { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint });
    }
    await Promise.all(started);

    const { connection, client: temporal } = await connectClient({ address: stack.temporalAddress, namespace: stack.namespace }, dataConverterFromEnv(common, 'bench'));
    closers.push(() => connection.close());
    // The service's payloads (memo, results) are encrypted: the bench reads them with the same key.
    const mongo = await MongoClient.connect(stack.mongodbUri, { maxPoolSize: 64 });
    closers.push(() => mongo.close());
    const directRecords = new CheckoutRecords(mongo.db(DBS.direct));
    await directRecords.ensureIndexes();
    const amazonPay = createAmazonPayClient({ publicKeyId, privateKey, region: 'na', baseUrl: emulatorUrl! });

    const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${emulatorUrl!}/_emulator${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`emulator ${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };

    const procs: Proc[] = [
      ...children.map((p) => ({ name: p.name, pid: p.pid })),
      ...stack.processes.map((p) => ({ name: p.name === 'temporal' || /^(temporal-|postgres)/.test(p.name) ? p.name : 'store', pid: p.pid })),
      { name: 'bench', pid: process.pid },
    ];
    return {
      dataDir,
      stack,
      temporal,
      mongo,
      db: (name) => mongo.db(name),
      directRecords,
      amazonPay,
      publicKeyId,
      emulatorUrl: emulatorUrl!,
      service,
      ...(tracedService ? { tracedService } : {}),
      procs,
      admin,
      stop,
    };
  } catch (err) {
    await stop(true);
    throw err;
  }
}

async function httpUp(url: string): Promise<boolean> {
  for (const path of ['/readyz', '/healthz']) {
    const r = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    if (r?.ok) return true;
  }
  return false;
}

export const httpServerExists = (): boolean => existsSync(HTTP_SERVER_ENTRY);
