// `npm run cluster`: the service on Temporal's production shape (dev/cluster-stack.ts) — PostgreSQL, the server's
// frontend, history, matching and worker services as separate processes — with the Amazon Pay emulator, two of our
// workers and two HTTP servers on one task queue. Ctrl-C stops everything. Data and logs in .data/cluster/ (the
// PostgreSQL cluster itself lives in a private temporary folder and is removed on stop).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEmulator, type Emulator } from '../emulator';
import { startClusterStack, type ClusterStack } from './cluster-stack';
import { freePort, startProcess, waitReady, type ManagedProcess } from './process';
import { onShutdownSignal } from './shutdown';

const ROOT = resolve(__dirname, '..');
const DATA = resolve(process.env.CHECKOUT_DATA_DIR ?? join(ROOT, '.data'), 'cluster');
const say = (l: string) => process.stdout.write(`[cluster] ${l}\n`);
const WORKERS = 2;
const HTTP_SERVERS = 2;

const running: { stack?: ClusterStack; emulator?: Emulator; procs: ManagedProcess[] } = { procs: [] };
const stopAll = async () => {
  await Promise.all(running.procs.splice(0).map((p) => p.stop()));
  await running.emulator?.close();
  await running.stack?.stop();
};

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(join(DATA, 'logs'), { recursive: true });
  onShutdownSignal(stopAll, say);

  const stack = await startClusterStack({ dataDir: DATA, say });
  running.stack = stack;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicKeyId = 'SANDBOX-CLUSTERKEY';
  const ports = await Promise.all(Array.from({ length: HTTP_SERVERS }, () => freePort()));
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  const emulator = await startEmulator({ port: 0, publicKeys: { [publicKeyId]: publicKey }, ipnUrl: `${urls[1]}/amazon-pay/ipn` });
  running.emulator = emulator;
  const token = process.env.MERCHANT_API_TOKEN ?? randomBytes(24).toString('base64url');
  const secrets = join(DATA, 'secrets.json');
  writeFileSync(secrets, JSON.stringify({ merchantToken: token }), { mode: 0o600 });
  const common = {
    ...process.env,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    MONGODB_URI: stack.mongodbUri,
    MONGODB_DB: process.env.MONGODB_DB ?? 'checkout',
    PAYLOAD_CODEC_KEYS: process.env.PAYLOAD_CODEC_KEYS ?? `kcluster:${randomBytes(32).toString('base64')}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const node = (name: string, script: string, env: NodeJS.ProcessEnv) =>
    startProcess({ name, command: process.execPath, args: ['--require', 'tsx/cjs', join(ROOT, script)], env, cwd: ROOT, logFile: join(DATA, 'logs', `${name}.log`) });
  const workers = Array.from({ length: WORKERS }, (_, i) =>
    node(`worker-${i + 1}`, 'worker/main.ts', {
      ...common,
      AMAZON_PAY_PUBLIC_KEY_ID: publicKeyId,
      AMAZON_PAY_PRIVATE_KEY: privateKey,
      AMAZON_PAY_BASE_URL: emulator.baseUrl,
    }),
  );
  const https = ports.map((port, i) =>
    node(`http-${i + 1}`, 'client/http/server.ts', {
      ...common,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      MERCHANT_API_TOKEN: token,
      IPN_TRUST_EMULATOR_CERT_URL_PREFIX: `${emulator.baseUrl}/_emulator/`,
    }),
  );
  running.procs.push(...workers, ...https);
  await Promise.all(
    https.map((p, i) => waitReady(p, async () => (await fetch(`${urls[i]}/readyz`, { signal: AbortSignal.timeout(1000) })).ok, 90_000, p.name)),
  );
  for (const l of [
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  Temporal         ${stack.temporalAddress} (${stack.resolved.temporal}; ${stack.historyShards} history shards)`,
    `  PostgreSQL       ${stack.postgres.host}:${stack.postgres.port} (temporal, temporal_visibility)`,
    `  MongoDB          ${stack.mongodbUri} (${stack.resolved.mongodb})`,
    `  Amazon Pay       emulator ${emulator.baseUrl}`,
    `  workers          ${workers.map((w) => `${w.name} pid ${w.pid}`).join(', ')}`,
    `  HTTP servers     ${urls.join(', ')} (merchant token in ${secrets})`,
    `  logs             ${DATA}`,
    'Press Ctrl-C to stop everything.',
  ])
    say(l);
}

main().catch(async (err: unknown) => {
  process.stderr.write(`[cluster] failed: ${(err as Error).message}\n`);
  await stopAll().catch(() => undefined);
  process.exit(1);
});
