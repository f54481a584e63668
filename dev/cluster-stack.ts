// The production-shape Temporal stack (issue #14): the server's four services as separate processes from one config
// file, on PostgreSQL (persistence and SQL visibility, schemas set up with Temporal's own tool and versioned
// folders), a few history shards; the namespace and our search attributes registered; the MongoDB-wire store as in
// the dev stack. `npm start` keeps the single-process dev server; this is for `npm run cluster`, the soak's and the
// bench's --cluster, and the cluster integration test.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureTemporalServer, TEMPORAL_SERVER_VERSION } from './cluster-provision';
import { startPostgres, type Postgres } from './postgres';
import { startProcess, tcpOpen, waitReady, type ManagedProcess } from './process';
import { ProvisionError, type Say } from './provision';
import { startStack, type Stack } from './stack';

export const CLUSTER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

export interface ClusterStackOptions {
  dataDir: string;
  namespace?: string;
  historyShards?: number;
  say?: Say;
  readyTimeoutMs?: number;
}

export interface ClusterStack extends Stack {
  postgres: { host: string; port: number };
  /** The server's service processes by name. */
  services: Record<ClusterService, ManagedProcess>;
  /** Stops one Temporal service and starts it again on the same ports with the same config. */
  restartService(service: ClusterService, downMs?: number): Promise<void>;
  historyShards: number;
}

const execFileP = promisify(execFile);

/**
 * A free port below 32768: Temporal's SQL schema keeps membership ports in a smallint (cluster_membership.rpc_port),
 * so the kernel's ephemeral ports (32768+) make a service fail at start.
 */
async function lowFreePort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((res) => {
      const srv = createServer();
      srv.once('error', () => res(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new ProvisionError('no free TCP port found between 20000 and 32000 for the Temporal services');
}

interface Ports {
  grpc: number;
  membership: number;
  http?: number;
}

function serverConfig(o: { pg: Postgres; ports: Record<ClusterService, Ports>; shards: number; dynamicConfig: string; logLevel: string }): string {
  const store = (db: string, maxConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "${o.pg.host}:${o.pg.port}"
        connectProtocol: "tcp"
        user: "${o.pg.user}"
        password: "${o.pg.password}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const svc = (name: ClusterService) => {
    const p = o.ports[name];
    return `  ${name}:
    rpc:
      grpcPort: ${p.grpc}
      membershipPort: ${p.membership}
      bindOnIP: "127.0.0.1"${p.http ? `\n      httpPort: ${p.http}` : ''}`;
  };
  return `# Written by dev/cluster-stack.ts: one file for all four services (each started with --service <name>).
log:
  stdout: true
  level: ${o.logLevel}

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${o.shards}
  datastores:
    postgres-default:
${store('temporal', 20)}
    postgres-visibility:
${store('temporal_visibility', 10)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"

services:
${CLUSTER_SERVICES.map(svc).join('\n')}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${o.ports.frontend.grpc}"

dcRedirectionPolicy:
  policy: "noop"

publicClient:
  hostPort: "127.0.0.1:${o.ports.frontend.grpc}"

dynamicConfigClient:
  filepath: "${o.dynamicConfig}"
  pollInterval: "10s"
`;
}

/** The same switches the dev stack passes to the dev server, plus quick search-attribute visibility for tests. */
const DYNAMIC_CONFIG = `frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableUpdateWorkflowExecutionAsyncAccepted:
  - value: true
frontend.enableExecuteMultiOperation:
  - value: true
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
`;

async function sqlTool(bin: string, pg: Postgres, args: string[], dataDir: string): Promise<void> {
  try {
    await execFileP(bin, ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, ...args], {
      env: { ...process.env, SQL_PASSWORD: pg.password },
      cwd: dataDir,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new ProvisionError(`temporal-sql-tool ${args.join(' ')} failed: ${(e.stderr || e.stdout || e.message).trim().split('\n').slice(-8).join('\n')}`);
  }
}

export async function startClusterStack(opts: ClusterStackOptions): Promise<ClusterStack> {
  const say = opts.say ?? ((l: string) => console.log(`[cluster] ${l}`));
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const namespace = opts.namespace ?? 'default';
  const shards = opts.historyShards ?? 4;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
  const started = Date.now();

  // Build first (slow once), so no service is up and waiting while Go compiles.
  const bins = await ensureTemporalServer(say);
  let pg: Postgres | undefined;
  const services: Partial<Record<ClusterService, ManagedProcess>> = {};
  let store: Stack | undefined;
  const stop = async () => {
    await store?.stop();
    // Frontend first (no new work), history last among the server's services, then the database.
    for (const name of ['frontend', 'worker', 'matching', 'history'] as const) await services[name]?.stop(15_000);
    await pg?.stop();
  };
  try {
    pg = await startPostgres({ say, logFile: join(dataDir, 'postgres.log'), readyTimeoutMs });
    const schemaStarted = Date.now();
    for (const [db, folder] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      await sqlTool(bins.sqlTool, pg, ['--db', db, 'create-database'], dataDir);
      await sqlTool(bins.sqlTool, pg, ['--db', db, 'setup-schema', '-v', '0.0'], dataDir);
      await sqlTool(bins.sqlTool, pg, ['--db', db, 'update-schema', '-d', join(bins.schemaDir, folder, 'versioned')], dataDir);
    }
    say(`PostgreSQL: temporal and temporal_visibility created with Temporal ${TEMPORAL_SERVER_VERSION}'s schemas in ${((Date.now() - schemaStarted) / 1000).toFixed(1)} s`);

    const ports = {} as Record<ClusterService, Ports>;
    const taken = new Set<number>();
    for (const name of CLUSTER_SERVICES) ports[name] = { grpc: await lowFreePort(taken), membership: await lowFreePort(taken) };
    ports.frontend.http = await lowFreePort(taken);
    const configDir = join(dataDir, 'temporal-config');
    mkdirSync(configDir, { recursive: true });
    const dynamicConfig = join(configDir, 'dynamicconfig.yaml');
    writeFileSync(dynamicConfig, DYNAMIC_CONFIG);
    // The config holds the database password: readable by us only.
    writeFileSync(join(configDir, 'cluster.yaml'), serverConfig({ pg, ports, shards, dynamicConfig, logLevel: 'warn' }), { mode: 0o600 });

    const launch = (name: ClusterService) =>
      startProcess({
        name: `temporal-${name}`,
        command: bins.server,
        args: ['--root', '/', '--config', configDir, '--env', 'cluster', '--allow-no-auth', 'start', '--service', name],
        logFile: join(dataDir, `temporal-${name}.log`),
        cwd: dataDir,
      });
    const address = `127.0.0.1:${ports.frontend.grpc}`;
    const ready = async (name: ClusterService, proc: ManagedProcess) => {
      // The worker service serves no gRPC to speak of: it is up once it has joined the membership ring.
      const port = name === 'worker' ? ports[name].membership : ports[name].grpc;
      await waitReady(proc, () => tcpOpen('127.0.0.1', port), readyTimeoutMs, `Temporal ${name} service`);
    };
    // History first and alone: on a fresh database each service writes the cluster metadata record if missing, and
    // services starting together race for it (the loser exits). Then the rest; the frontend serves once all are up.
    services.history = launch('history');
    await ready('history', services.history);
    for (const name of CLUSTER_SERVICES.slice(1)) services[name] = launch(name);
    await Promise.all(CLUSTER_SERVICES.slice(1).map((n) => ready(n, services[n]!)));
    await waitReady(services.frontend!, () => frontendServes(address), readyTimeoutMs, `Temporal frontend (${address})`);
    await ensureNamespace(address, namespace, say);
    await waitReady(services.frontend!, () => namespaceVisible(address, namespace), readyTimeoutMs, `namespace ${namespace}`);
    say(`Temporal ${TEMPORAL_SERVER_VERSION}: frontend ${address}, history (${shards} shards), matching and worker services up`);

    // The store, and our search attributes registered through the operator API (startStack does both for an
    // external TEMPORAL_ADDRESS).
    store = await startStack({ dataDir, namespace, env: { ...process.env, TEMPORAL_ADDRESS: address }, say, readyTimeoutMs });
    const s = store;
    const restartService = async (name: ClusterService, downMs = 0) => {
      await services[name]!.stop(15_000);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      services[name] = launch(name);
      await ready(name, services[name]);
      if (name === 'frontend') await waitReady(services.frontend!, () => namespaceVisible(address, namespace), readyTimeoutMs, 'Temporal frontend');
    };
    // The soak's "temporal" restarts go round the services that hold state or serve clients: history, then frontend.
    let nextRestart = 0;
    const rotation: ClusterService[] = ['history', 'frontend', 'matching'];
    say(`cluster stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {
      temporalAddress: address,
      namespace,
      mongodbUri: s.mongodbUri,
      resolved: { temporal: `Temporal server ${TEMPORAL_SERVER_VERSION} (${bins.server}), 4 services on PostgreSQL`, mongodb: s.resolved.mongodb },
      get processes() {
        return [...s.processes, ...CLUSTER_SERVICES.map((n) => services[n]!), pg!.proc];
      },
      services: services as Record<ClusterService, ManagedProcess>,
      postgres: { host: pg.host, port: pg.port },
      historyShards: shards,
      restartService,
      async restart(service, downMs) {
        if (service === 'mongodb') return s.restart('mongodb', downMs);
        const name = rotation[nextRestart++ % rotation.length]!;
        say(`restarting the Temporal ${name} service`);
        await restartService(name, downMs);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function frontendServes(address: string): Promise<boolean> {
  const conn = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await conn.workflowService.getSystemInfo({});
    return true;
  } finally {
    await conn.close();
  }
}

async function ensureNamespace(address: string, namespace: string, say: Say): Promise<void> {
  const conn = await Connection.connect({ address, connectTimeout: 5_000 });
  try {
    try {
      await conn.workflowService.describeNamespace({ namespace });
      return;
    } catch {
      // not there yet
    }
    await conn.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
    say(`Temporal: namespace ${namespace} registered (retention 3 days)`);
  } catch (err) {
    if (!/already exists|AlreadyExists/i.test((err as Error).message)) throw err;
  } finally {
    await conn.close();
  }
}

async function namespaceVisible(address: string, namespace: string): Promise<boolean> {
  const conn = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await conn.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
    return true;
  } finally {
    await conn.close();
  }
}
