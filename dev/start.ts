// `npm start`: the whole service on one machine, in one command — Temporal (with UI), a MongoDB-wire store, the
// Amazon Pay emulator (unless real credentials are configured), the worker, the HTTP server, the codec server
// and a demo shop — and everything stopped on Ctrl-C. Data lives in .data/ (ignored by git).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAmazonPayClient } from '../activities/amazon-pay/client';
import { startDemoShop } from './demo-shop';
import { freePort, startProcess, tcpOpen, waitReady, type ManagedProcess } from './process';
import { onShutdownSignal } from './shutdown';
import { startStack, type Stack } from './stack';

const ROOT = resolve(__dirname, '..');
const DATA = resolve(process.env.CHECKOUT_DATA_DIR ?? join(ROOT, '.data'));
const say = (l: string) => process.stdout.write(`[start] ${l}\n`);
const DEMO_KEY_ID = 'SANDBOX-LOCALDEMOKEY';

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

async function httpOk(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  return r.ok;
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(join(DATA, 'logs'), { recursive: true });
  const secrets = localSecrets();
  const processes: ManagedProcess[] = [];
  // Filled in as things start, so Ctrl-C at any moment stops what is already running.
  const running: { stack?: Stack; shop?: { close(): Promise<void> } } = {};
  const stopAll = async () => {
    await running.shop?.close();
    await Promise.all(processes.splice(0).reverse().map((p) => p.stop()));
    await running.stack?.stop();
  };
  onShutdownSignal(stopAll, say);

  const httpPort = Number(process.env.HTTP_PORT ?? (await portOr(3000)));
  const codecPort = await portOr(8888);
  const shopPort = await portOr(3100);
  const uiPort = await portOr(8233);
  const codecUrl = `http://127.0.0.1:${codecPort}`;
  const serviceUrl = `http://127.0.0.1:${httpPort}`;

  const stack = await startStack({ dataDir: DATA, ui: true, uiPort, uiCodecEndpoint: codecUrl, say: (l) => say(l) });
  running.stack = stack;
  const uiUrl = stack.temporalUiUrl;

  // Amazon Pay: real credentials from the environment, else the emulator with the demo key.
  const realAmazon = Boolean(process.env.AMAZON_PAY_PUBLIC_KEY_ID && process.env.AMAZON_PAY_PRIVATE_KEY && !process.env.AMAZON_PAY_BASE_URL);
  let amazon: { publicKeyId: string; privateKey: string; baseUrl?: string; amazonPage: (id: string) => string; emulatorBase?: string };
  if (realAmazon) {
    say('Amazon Pay: real API with AMAZON_PAY_PUBLIC_KEY_ID (no emulator)');
    amazon = {
      publicKeyId: process.env.AMAZON_PAY_PUBLIC_KEY_ID!,
      privateKey: process.env.AMAZON_PAY_PRIVATE_KEY!,
      amazonPage: () => 'https://pay.amazon.com/',
    };
  } else {
    let announced: { baseUrl: string } | undefined;
    const emu = tsProcess(
      'emulator',
      'emulator/main.ts',
      ['--port', '0', '--public-key', `${DEMO_KEY_ID}=${secrets.publicKeyPath}`, '--ipn-url', `${serviceUrl}/amazon-pay/ipn`],
      {},
      (s) => {
        const line = s.split('\n').find((l) => l.includes('"baseUrl"'));
        if (line) announced = JSON.parse(line) as { baseUrl: string };
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
      amazonPage: (id) => `${base}/_emulator/amazon-page/${id}`,
    };
  }

  const common = {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    MONGODB_URI: stack.mongodbUri,
    MONGODB_DB: process.env.MONGODB_DB ?? 'checkout',
    PAYLOAD_CODEC_KEYS: process.env.PAYLOAD_CODEC_KEYS ?? secrets.codecKeys,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };

  let workerReady = false;
  const workerMetrics = `127.0.0.1:${await freePort()}`;
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
    },
    (s) => {
      if (s.includes('worker ready')) workerReady = true;
    },
  );
  processes.push(worker);

  const http = tsProcess('http', 'client/http/server.ts', [], {
    ...common,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    MERCHANT_API_TOKEN: process.env.MERCHANT_API_TOKEN ?? secrets.merchantToken,
    CHECKOUT_SUCCESS_URL: `http://127.0.0.1:${shopPort}/order`,
    CHECKOUT_FAILURE_URL: `http://127.0.0.1:${shopPort}/order`,
    ...(uiUrl ? { TEMPORAL_UI_URL: uiUrl } : {}),
    ...(amazon.emulatorBase ? { IPN_TRUST_EMULATOR_CERT_URL_PREFIX: `${amazon.emulatorBase}/_emulator/` } : {}),
  });
  processes.push(http);

  const codec = tsProcess('codec-server', 'client/codec-server/main.ts', [], {
    ...common,
    CODEC_SERVER_PORT: String(codecPort),
    CODEC_SERVER_HOST: '127.0.0.1',
    CODEC_SERVER_TOKEN: process.env.CODEC_SERVER_TOKEN ?? secrets.codecToken,
    // The dev server's UI sends no bearer token: the local demo accepts its origin without one (loopback only).
    ...(uiUrl ? { CODEC_SERVER_CORS_ORIGIN: uiUrl, CODEC_SERVER_ALLOW_UI_ORIGIN_WITHOUT_TOKEN: 'true' } : {}),
  });
  processes.push(codec);

  await Promise.all([
    waitReady(worker, async () => workerReady, 60_000, 'worker'),
    waitReady(http, () => httpOk(`${serviceUrl}/readyz`), 60_000, 'HTTP server'),
    waitReady(codec, async () => (await fetch(`${codecUrl}/healthz`).catch(() => undefined))?.status !== undefined, 60_000, 'codec server'),
  ]);

  const amazonPay = createAmazonPayClient({ publicKeyId: amazon.publicKeyId, privateKey: amazon.privateKey, region: 'na', sandbox: true, ...(amazon.baseUrl ? { baseUrl: amazon.baseUrl } : {}) });
  const demo = await startDemoShop({
    port: shopPort,
    amazonPay,
    serviceUrl,
    merchantApiToken: process.env.MERCHANT_API_TOKEN ?? secrets.merchantToken,
    amazonPageUrl: amazon.amazonPage,
    temporalUiUrl: uiUrl,
    namespace: stack.namespace,
  });
  running.shop = demo;

  const lines = [
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  demo shop        ${demo.url}`,
    `  service (HTTP)   ${serviceUrl}   (merchant API token in ${join(DATA, 'secrets', 'local.json')})`,
    `  Temporal UI      ${uiUrl ?? '(external Temporal)'}`,
    `  Temporal         ${stack.temporalAddress} (${stack.resolved.temporal})`,
    `  MongoDB          ${stack.mongodbUri} (${stack.resolved.mongodb})`,
    `  codec server     ${codecUrl}`,
    `  metrics          ${serviceUrl}/metrics · http://${workerMetrics}/metrics (worker)`,
    `  logs             ${join(DATA, 'logs')}`,
    'Press Ctrl-C to stop everything.',
  ];
  for (const l of lines) say(l);
}

main().catch((err: unknown) => {
  process.stderr.write(`[start] failed: ${(err as Error).message}\n`);
  process.exit(1);
});
