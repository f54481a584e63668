// Starts and stops the local stack: Temporal (dev server with SQLite and UI) and a MongoDB-wire store.
// Each service is resolved in order: explicit address in the environment → a binary on PATH → the pinned build.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { temporal } from '@temporalio/proto';
import { checkoutSearchAttributes } from '../workflows/checkout-session/search-attributes';
import { ensureFerretDb, ensureTemporalCli, which, type Say } from './provision';
import { freePort, startProcess, tcpOpen, waitReady, type ManagedProcess } from './process';

export interface StackOptions {
  /** Where SQLite files and logs go. `.data/` for `npm start`, a temporary folder for tests. */
  dataDir: string;
  /** Serve the Temporal Web UI (npm start) or run headless (tests). */
  ui?: boolean;
  uiPort?: number;
  temporalPort?: number;
  /** Passed to the dev server so the UI decodes payloads through the codec server. */
  uiCodecEndpoint?: string;
  namespace?: string;
  env?: NodeJS.ProcessEnv;
  say?: Say;
  readyTimeoutMs?: number;
}

export interface Stack {
  temporalAddress: string;
  namespace: string;
  temporalUiUrl?: string;
  mongodbUri: string;
  /** How each service was resolved, for the banner. */
  resolved: { temporal: string; mongodb: string };
  processes: ManagedProcess[];
  /** Stops one local service and starts it again on the same port with the same data (fault-injection runs). */
  restart(service: 'temporal' | 'mongodb', downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** How to (re)launch a service this stack started, and how to tell it is ready. */
interface Relaunchable {
  launch(): ManagedProcess;
  ready(proc: ManagedProcess): Promise<void>;
}

const searchAttributeFlags = checkoutSearchAttributes.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);

export async function startStack(opts: StackOptions): Promise<Stack> {
  const env = opts.env ?? process.env;
  const say = opts.say ?? ((l: string) => console.log(`[stack] ${l}`));
  const namespace = opts.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default';
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const processes: ManagedProcess[] = [];
  const relaunch = new Map<string, Relaunchable>();
  const stop = async () => {
    await Promise.all(processes.splice(0).reverse().map((p) => p.stop()));
  };
  const restart = async (service: 'temporal' | 'mongodb', downMs = 0) => {
    const name = service === 'temporal' ? 'temporal' : relaunch.has('ferretdb') ? 'ferretdb' : 'mongod';
    const r = relaunch.get(name);
    const i = processes.findIndex((p) => p.name === name);
    if (!r || i < 0) throw new Error(`${service} was not started by this stack; nothing to restart`);
    await processes[i]!.stop();
    if (downMs > 0) await new Promise((res) => setTimeout(res, downMs));
    const proc = r.launch();
    processes[i] = proc;
    await r.ready(proc);
  };

  try {
    // Build both (if needed) before starting either, so a slow first build never races a readiness timeout.
    const temporalBin = env.TEMPORAL_ADDRESS ? undefined : (which('temporal', env) ?? (await ensureTemporalCli(say, env)));
    const mongoChoice = env.MONGODB_URI
      ? ({ kind: 'env' } as const)
      : which('mongod', env)
        ? ({ kind: 'mongod', bin: which('mongod', env)! } as const)
        : ({ kind: 'ferretdb', bin: await ensureFerretDb(say, env) } as const);

    const [t, m] = await Promise.all([
      startTemporal({ opts, env, say, namespace, dataDir, temporalBin, processes, relaunch, readyTimeoutMs }),
      startMongo({ env, say, dataDir, choice: mongoChoice, processes, relaunch, readyTimeoutMs }),
    ]);
    return { ...t, ...m, namespace, resolved: { temporal: t.how, mongodb: m.how }, processes, restart, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startTemporal(a: {
  opts: StackOptions;
  env: NodeJS.ProcessEnv;
  say: Say;
  namespace: string;
  dataDir: string;
  temporalBin: string | undefined;
  processes: ManagedProcess[];
  relaunch: Map<string, Relaunchable>;
  readyTimeoutMs: number;
}): Promise<{ temporalAddress: string; temporalUiUrl?: string; how: string }> {
  if (a.env.TEMPORAL_ADDRESS) {
    const address = a.env.TEMPORAL_ADDRESS;
    a.say(`Temporal: using TEMPORAL_ADDRESS=${address}`);
    await registerSearchAttributes(address, a.namespace, a.say);
    return { temporalAddress: address, how: `TEMPORAL_ADDRESS (${address})` };
  }
  const bin = a.temporalBin!;
  const port = a.opts.temporalPort ?? (await freePort());
  const uiPort = a.opts.ui ? (a.opts.uiPort ?? (await freePort())) : undefined;
  const how = which('temporal', a.env) === bin ? `temporal on PATH (${bin})` : `pinned Temporal CLI build (${bin})`;
  a.say(`Temporal: ${how}, dev server on 127.0.0.1:${port}${uiPort ? `, UI on ${uiPort}` : ', headless'}`);
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    a.namespace,
    '--db-filename',
    join(a.dataDir, 'temporal.sqlite'),
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--dynamic-config-value',
    'frontend.enableExecuteMultiOperation=true',
    ...searchAttributeFlags,
    ...(uiPort ? ['--ui-port', String(uiPort), '--ui-ip', '127.0.0.1'] : ['--headless']),
    ...(a.opts.uiCodecEndpoint ? ['--ui-codec-endpoint', a.opts.uiCodecEndpoint] : []),
  ];
  const address = `127.0.0.1:${port}`;
  const r: Relaunchable = {
    launch: () => startProcess({ name: 'temporal', command: bin, args, logFile: join(a.dataDir, 'temporal.log') }),
    async ready(proc) {
      await waitReady(proc, () => temporalReady(address, a.namespace), a.readyTimeoutMs, `Temporal dev server (${address})`);
      if (uiPort) await waitReady(proc, () => tcpOpen('127.0.0.1', uiPort), a.readyTimeoutMs, `Temporal UI (port ${uiPort})`);
    },
  };
  a.relaunch.set('temporal', r);
  const proc = r.launch();
  a.processes.push(proc);
  await r.ready(proc);
  return { temporalAddress: address, temporalUiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined, how };
}

async function temporalReady(address: string, namespace: string): Promise<boolean> {
  const [host, port] = address.split(':');
  if (!(await tcpOpen(host!, Number(port)))) return false;
  const conn = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await conn.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await conn.close();
  }
}

/** For an external server: make sure the project's search attributes exist (idempotent). */
async function registerSearchAttributes(address: string, namespace: string, say: Say): Promise<void> {
  const conn = await Connection.connect({ address, connectTimeout: 10_000 });
  try {
    const existing = await conn.operatorService.listSearchAttributes({ namespace });
    const missing = checkoutSearchAttributes.filter((k) => !(k.name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    await conn.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, KEYWORD])),
    });
    say(`Temporal: registered search attributes ${missing.map((k) => k.name).join(', ')}`);
  } catch (err) {
    say(`Temporal: could not register search attributes (${(err as Error).message}); register them yourself`);
  } finally {
    await conn.close();
  }
}

async function startMongo(a: {
  env: NodeJS.ProcessEnv;
  say: Say;
  dataDir: string;
  choice: { kind: 'env' } | { kind: 'mongod'; bin: string } | { kind: 'ferretdb'; bin: string };
  processes: ManagedProcess[];
  relaunch: Map<string, Relaunchable>;
  readyTimeoutMs: number;
}): Promise<{ mongodbUri: string; how: string }> {
  if (a.choice.kind === 'env') {
    a.say('MongoDB: using MONGODB_URI');
    return { mongodbUri: a.env.MONGODB_URI!, how: 'MONGODB_URI' };
  }
  if (a.choice.kind === 'mongod') {
    const port = await freePort();
    const dbpath = join(a.dataDir, 'mongod');
    mkdirSync(dbpath, { recursive: true });
    a.say(`MongoDB: mongod on PATH (${a.choice.bin}) on 127.0.0.1:${port}`);
    const bin = a.choice.bin;
    const uri = `mongodb://127.0.0.1:${port}/`;
    const r: Relaunchable = {
      launch: () =>
        startProcess({
          name: 'mongod',
          command: bin,
          args: ['--dbpath', dbpath, '--port', String(port), '--bind_ip', '127.0.0.1'],
          logFile: join(a.dataDir, 'mongod.log'),
        }),
      ready: (proc) => waitReady(proc, () => mongoReady(uri), a.readyTimeoutMs, `mongod (${uri})`),
    };
    a.relaunch.set('mongod', r);
    const proc = r.launch();
    a.processes.push(proc);
    await r.ready(proc);
    return { mongodbUri: uri, how: `mongod on PATH (${a.choice.bin})` };
  }
  const port = await freePort();
  const dir = join(a.dataDir, 'ferretdb');
  a.say(`MongoDB: embedded FerretDB v1.24.2 (${a.choice.bin}) on 127.0.0.1:${port}`);
  let announced: string | undefined;
  const bin = a.choice.bin;
  const r: Relaunchable = {
    launch: () => {
      announced = undefined;
      return startProcess({
        name: 'ferretdb',
        command: bin,
        args: ['-data-dir', dir, '-listen', `127.0.0.1:${port}`, '-exit-on-stdin-eof'],
        logFile: join(a.dataDir, 'ferretdb.log'),
        stdinPipe: true,
        onStdout: (s) => {
          const m = /"uri":"([^"]+)"/.exec(s);
          if (m) announced = m[1];
        },
      });
    },
    ready: (proc) =>
      waitReady(proc, async () => announced !== undefined && (await mongoReady(announced)), a.readyTimeoutMs, `FerretDB (port ${port})`),
  };
  a.relaunch.set('ferretdb', r);
  const proc = r.launch();
  a.processes.push(proc);
  await r.ready(proc);
  return { mongodbUri: announced!, how: `embedded FerretDB v1.24.2 (${bin})` };
}

async function mongoReady(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1_000, connectTimeoutMS: 1_000 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close();
  }
}
