// `npm start`: the whole service on one machine, in one command — Temporal (with UI), a MongoDB-wire store, the
// Amazon Pay emulator (unless real credentials are configured), the worker, the HTTP server, the codec server
// and a demo shop — and everything stopped on Ctrl-C. Data lives in .data/ (ignored by git).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAmazonPayClient } from '../activities/amazon-pay/client';
import { startDemoShop } from './demo-shop';
import { startJaeger, type Jaeger } from './jaeger';
import { freePort, startProcess, tcpOpen, waitReady, type ManagedProcess } from './process';
import { onShutdownSignal } from './shutdown';
import { startStack, type Stack } from './stack';

const ROOT = resolve(__dirname, '..');
const DATA = resolve(process.env.CHECKOUT_DATA_DIR ?? join(ROOT, '.data'));
const say = (l: string) => process.stdout.write(`[start] ${l}\n`);
const DEMO_KEY_ID = 'SANDBOX-LOCALDEMOKEY';
/** `npm start -- --jaeger`: traces to a local Jaeger (its first build takes minutes, so it is asked for). */
const WITH_JAEGER = process.argv.slice(2).includes('--jaeger');

/** The well-known port when it is free (stable URLs for a newcomer), else any free one. */
async function portOr(preferred: number): Promise<number> {
  return (await tcpOpen('127.0.0.1', preferred, 300)) ? freePort() : preferred;
}

/** Secrets for the local demo, made once and kept in .data/ so restarts keep the same ones. */
function localSecrets(): { merchantToken: string; codecToken: string; codecKeys: string; privateKeyPath: string; publicKeyPath: string } {
  const dir = join(DATA, 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'local.json');
  if (!existsSync(file)) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(join(dir, 'amazon-pay-private.pem'), privateKey, { mode: 0o600 });
    writeFileSync(join(dir, 'amazon-pay-public.pem'), publicKey, { mode: 0o600 });
    const day = new Date().toISOString().slice(0, 10);
    writeFileSync(
      file,
      JSON.stringify({
        merchantToken: randomBytes(24).toString('base64url'),
        codecToken: randomBytes(24).toString('base64url'),
        codecKeys: `k${day}:${randomBytes(32).toString('base64')}`,
      }),
      { mode: 0o600 },
    );
  }
  const s = JSON.parse(readFileSync(file, 'utf8')) as { merchantToken: string; codecToken: string; codecKeys: string };
  return { ...s, privateKeyPath: join(dir, 'amazon-pay-private.pem'), publicKeyPath: join(dir, 'amazon-pay-public.pem') };
}

function tsProcess(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, onStdout?: (s: string) => void): ManagedProcess {
  return startProcess({
    name,
    command: process.execPath,
    args: ['--require', 'tsx/cjs', join(ROOT, script), ...args],
    env: { ...process.env, ...env },
    cwd: ROOT,
    logFile: join(DATA, 'logs', `${name}.log`),
    onStdout,
  });
}

/**
 * Starts one of our own servers on the preferred port (any free one if it is taken) and waits for the ready line
 * that this child writes with its URL, so a server of another run on the same port is never taken for ours. A child
 * that loses the port to another process between the check and its bind is started again on a free port.
 */
async function startOwnServer(o: {
  name: string;
  script: string;
  preferredPort: number;
  readyMsg: string;
  env: (port: number) => NodeJS.ProcessEnv;
  processes: ManagedProcess[];
}): Promise<{ proc: ManagedProcess; url: string }> {
  for (let attempt = 0; ; attempt++) {
    const port = attempt === 0 ? await portOr(o.preferredPort) : await freePort();
    let url: string | undefined;
    const proc = tsProcess(o.name, o.script, [], o.env(port), (chunk) => {
      for (const line of chunk.split('\n')) {
        if (!line.includes(`"msg":"${o.readyMsg}"`)) continue;
        url = (JSON.parse(line) as { url?: string }).url;
      }
    });
    o.processes.push(proc);
    try {
      await waitReady(proc, async () => url !== undefined, 60_000, o.name);
      return { proc, url: url! };
    } catch (err) {
      if (attempt >= 2 || !/EADDRINUSE/.test(proc.logTail())) throw err;
      o.processes.splice(o.processes.indexOf(proc), 1);
      say(`${o.name}: port ${port} was taken meanwhile; trying another`);
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(join(DATA, 'logs'), { recursive: true });
  const secrets = localSecrets();
  const processes: ManagedProcess[] = [];
  // Filled in as things start, so Ctrl-C at any moment stops what is already running.
  const running: { stack?: Stack; shop?: { close(): Promise<void> }; jaeger?: Jaeger } = {};
  const stopAll = async () => {
    await running.shop?.close();
    await Promise.all(processes.splice(0).reverse().map((p) => p.stop()));
    await running.jaeger?.stop();
    await running.stack?.stop();
  };
  onShutdownSignal(stopAll, say);

  // The codec server must be up before the Temporal UI (which is told its URL), and it must know the UI's origin.
  let codec: { proc: ManagedProcess; url: string } | undefined;
  let stack: Stack | undefined;
  for (let attempt = 0; !stack; attempt++) {
    const uiPort = attempt === 0 ? await portOr(8233) : await freePort();
    const uiOrigin = `http://127.0.0.1:${uiPort}`;
    codec = await startOwnServer({
      name: 'codec-server',
      script: 'client/codec-server/main.ts',
      preferredPort: 8888,
      readyMsg: 'codec server ready',
      processes,
      env: (port) => ({
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
        PAYLOAD_CODEC_KEYS: process.env.PAYLOAD_CODEC_KEYS ?? secrets.codecKeys,
        CODEC_SERVER_PORT: String(port),
        CODEC_SERVER_HOST: '127.0.0.1',
        CODEC_SERVER_TOKEN: process.env.CODEC_SERVER_TOKEN ?? secrets.codecToken,
        // The dev server's UI sends no bearer token: the local demo accepts its origin without one (loopback only).
        CODEC_SERVER_CORS_ORIGIN: uiOrigin,
        CODEC_SERVER_ALLOW_UI_ORIGIN_WITHOUT_TOKEN: 'true',
      }),
    });
    try {
      stack = await startStack({ dataDir: DATA, ui: true, uiPort, uiCodecEndpoint: codec.url, say: (l) => say(l) });
    } catch (err) {
      // The UI's port was taken between the check and the dev server's bind: both again on other ports.
      processes.splice(processes.indexOf(codec.proc), 1);
      await codec.proc.stop();
      if (attempt >= 1 || !/address already in use|EADDRINUSE/i.test((err as Error).message)) throw err;
      say(`Temporal UI: port ${uiPort} was taken meanwhile; trying another`);
    }
  }
  running.stack = stack;
  const codecUrl = codec!.url;
  const uiUrl = stack.temporalUiUrl;

  // Amazon Pay: real credentials from the environment, else the emulator with the demo key.
  const realAmazon = Boolean(process.env.AMAZON_PAY_PUBLIC_KEY_ID && process.env.AMAZON_PAY_PRIVATE_KEY && !process.env.AMAZON_PAY_BASE_URL);
  let amazon: {
    publicKeyId: string;
    privateKey: string;
    baseUrl?: string;
    amazonPage: (id: string) => string;
    emulatorBase?: string;
    emulatorAdmin?: string;
  };
  if (realAmazon) {
    say('Amazon Pay: real API with AMAZON_PAY_PUBLIC_KEY_ID (no emulator)');
    amazon = {
      publicKeyId: process.env.AMAZON_PAY_PUBLIC_KEY_ID!,
      privateKey: process.env.AMAZON_PAY_PRIVATE_KEY!,
      amazonPage: () => 'https://pay.amazon.com/',
    };
  } else {
    let announced: { baseUrl: string; adminUrl: string } | undefined;
    const emu = tsProcess(
      'emulator',
      'emulator/main.ts',
      // Its IPN URL is set once the HTTP server has its port (below).
      ['--port', '0', '--public-key', `${DEMO_KEY_ID}=${secrets.publicKeyPath}`],
      {},
      (s) => {
        const line = s.split('\n').find((l) => l.includes('"baseUrl"'));
        if (line) announced = JSON.parse(line) as { baseUrl: string; adminUrl: string };
      },
    );
    processes.push(emu);
    await waitReady(emu, async () => announced !== undefined, 30_000, 'Amazon Pay emulator');
    const base = announced!.baseUrl;
    say(`Amazon Pay: local emulator at ${base}`);
    amazon = {
      publicKeyId: DEMO_KEY_ID,
      privateKey: secrets.privateKeyPath,
      baseUrl: base,
      emulatorBase: base,
      emulatorAdmin: announced!.adminUrl,
      amazonPage: (id) => `${base}/_emulator/amazon-page/${id}`,
    };
  }

  // Last of the services the worker and the HTTP server export to; they flush before they stop.
  let jaeger: Jaeger | undefined;
  if (WITH_JAEGER) {
    const dir = join(DATA, 'jaeger');
    mkdirSync(dir, { recursive: true });
    jaeger = await startJaeger({ dataDir: dir, say, otlpPort: await portOr(4318), queryPort: await portOr(16686) });
    running.jaeger = jaeger;
  }
  const tracing = jaeger ? { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '500' } : {};

  const common = {
    ...tracing,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    MONGODB_URI: stack.mongodbUri,
    MONGODB_DB: process.env.MONGODB_DB ?? 'checkout',
    PAYLOAD_CODEC_KEYS: process.env.PAYLOAD_CODEC_KEYS ?? secrets.codecKeys,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };

  let workerReady = false;
  const workerMetrics = `127.0.0.1:${await freePort()}`;
  const workerProm = await freePort();
  const worker = tsProcess(
    'worker',
    'worker/main.ts',
    [],
    {
      ...common,
      AMAZON_PAY_PUBLIC_KEY_ID: amazon.publicKeyId,
      AMAZON_PAY_PRIVATE_KEY: amazon.privateKey,
      ...(amazon.baseUrl ? { AMAZON_PAY_BASE_URL: amazon.baseUrl } : {}),
      WORKER_METRICS_ADDRESS: workerMetrics,
      WORKER_PROM_PORT: String(workerProm),
      WORKER_PROM_HOST: '127.0.0.1',
    },
    (s) => {
      if (s.includes('worker ready')) workerReady = true;
    },
  );
  processes.push(worker);

  // The demo shop listens first (it reads the service's URL at request time), so the service's success and failure
  // URLs name the port the shop really has.
  let serviceUrl = '';
  const amazonPay = createAmazonPayClient({ publicKeyId: amazon.publicKeyId, privateKey: amazon.privateKey, region: 'na', sandbox: true, ...(amazon.baseUrl ? { baseUrl: amazon.baseUrl } : {}) });
  const demo = await startDemoShop({
    port: await portOr(3100),
    amazonPay,
    serviceUrl: () => serviceUrl,
    merchantApiToken: process.env.MERCHANT_API_TOKEN ?? secrets.merchantToken,
    amazonPageUrl: amazon.amazonPage,
    temporalUiUrl: uiUrl,
    ...(jaeger ? { jaegerQueryUrl: jaeger.queryUrl } : {}),
    namespace: stack.namespace,
    metricsTargets: () => [
      { job: 'worker', url: `http://127.0.0.1:${workerProm}/metrics` },
      { job: 'http', url: `${serviceUrl}/metrics` },
    ],
  });
  running.shop = demo;
  const http = await startOwnServer({
    name: 'http',
    script: 'client/http/server.ts',
    preferredPort: process.env.HTTP_PORT ? Number(process.env.HTTP_PORT) : 3000,
    readyMsg: 'http server ready',
    processes,
    env: (port) => ({
      ...common,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      MERCHANT_API_TOKEN: process.env.MERCHANT_API_TOKEN ?? secrets.merchantToken,
      CHECKOUT_SUCCESS_URL: `${demo.url}/order`,
      CHECKOUT_FAILURE_URL: `${demo.url}/order`,
      ...(uiUrl ? { TEMPORAL_UI_URL: uiUrl } : {}),
      ...(amazon.emulatorBase ? { IPN_TRUST_EMULATOR_CERT_URL_PREFIX: `${amazon.emulatorBase}/_emulator/` } : {}),
    }),
  });
  serviceUrl = http.url.replace('localhost', '127.0.0.1');
  if (amazon.emulatorAdmin) {
    const r = await fetch(new URL('config', `${amazon.emulatorAdmin.replace(/\/?$/, '/')}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ipnUrl: `${serviceUrl}/amazon-pay/ipn` }),
    });
    if (!r.ok) throw new Error(`could not set the emulator's IPN URL: ${r.status} ${await r.text()}`);
  }
  await waitReady(worker, async () => workerReady, 60_000, 'worker');

  const lines = [
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  demo shop        ${demo.url}`,
    `  service (HTTP)   ${serviceUrl}`,
    process.env.MERCHANT_API_TOKEN
      ? '  merchant token   MERCHANT_API_TOKEN from the environment'
      : `  merchant token   "merchantToken" in ${join(DATA, 'secrets', 'local.json')} (Authorization: Bearer <token>)`,
    `  Temporal UI      ${uiUrl ?? '(external Temporal)'}`,
    `  Temporal         ${stack.temporalAddress} (${stack.resolved.temporal})`,
    `  MongoDB          ${stack.mongodbUri} (${stack.resolved.mongodb})`,
    `  codec server     ${codecUrl}`,
    jaeger
      ? `  traces           Jaeger ${jaeger.queryUrl} (query API: /api/traces, /api/v3; OTLP in ${jaeger.otlpEndpoint}) · a checkout's trace: its order page in the demo shop`
      : process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
        ? '  traces           to OTEL_EXPORTER_OTLP_* from the environment'
        : '  traces           off (npm start -- --jaeger for a local Jaeger)',
    ...(amazon.emulatorBase
      ? [`  Amazon Pay       emulator ${amazon.emulatorBase} · admin API ${amazon.emulatorAdmin} (see emulator/README.md)`]
      : ['  Amazon Pay       real API (AMAZON_PAY_PUBLIC_KEY_ID)']),
    `  metrics          ${serviceUrl}/metrics · http://127.0.0.1:${workerProm}/metrics (worker) · http://${workerMetrics}/metrics (Temporal SDK) · the dashboard's metrics now: ${demo.url}/ops/metrics`,
    `  logs             ${join(DATA, 'logs')}`,
    'Press Ctrl-C to stop everything.',
  ];
  for (const l of lines) say(l);
}

main().catch((err: unknown) => {
  process.stderr.write(`[start] failed: ${(err as Error).message}\n`);
  process.exit(1);
});
