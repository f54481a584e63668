// A local Jaeger for traces (README "Tracing"): the pinned build (provision.ts ensureJaeger), in-memory storage,
// OTLP over HTTP in and the query API out, both on loopback ports chosen here so that parallel test workers and
// a running `npm start` never collide. Nothing else of the all-in-one default is opened (no gRPC receivers, Zipkin,
// sampling or admin ports).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureJaeger, type Say } from './provision';
import { freePort, startProcess, waitReady, type ManagedProcess } from './process';

export interface Jaeger {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (the exporters add /v1/traces). */
  otlpEndpoint: string;
  /** Jaeger's query service: the HTTP API (/api/traces, /api/v3/…) and, where its assets were built in, the UI. */
  queryUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface JaegerOptions {
  dataDir: string;
  say: Say;
  env?: NodeJS.ProcessEnv;
  otlpPort?: number;
  queryPort?: number;
  /** Traces kept in memory; the oldest go first. */
  maxTraces?: number;
  readyTimeoutMs?: number;
}

/** The collector configuration: OTLP/HTTP receiver → batch → in-memory store ← query extension. */
export function jaegerConfig(o: { otlpPort: number; queryPort: number; queryGrpcPort: number; maxTraces: number }): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: ${o.maxTraces}
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${o.queryPort}
    grpc:
      endpoint: 127.0.0.1:${o.queryGrpcPort}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${o.otlpPort}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

export async function startJaeger(opts: JaegerOptions): Promise<Jaeger> {
  const bin = await ensureJaeger(opts.say, opts.env);
  const otlpPort = opts.otlpPort ?? (await freePort());
  const queryPort = opts.queryPort ?? (await freePort());
  const queryGrpcPort = await freePort();
  const configFile = join(opts.dataDir, 'jaeger.yaml');
  writeFileSync(configFile, jaegerConfig({ otlpPort, queryPort, queryGrpcPort, maxTraces: opts.maxTraces ?? 20_000 }));
  const proc = startProcess({ name: 'jaeger', command: bin, args: ['--config', configFile], logFile: join(opts.dataDir, 'jaeger.log'), env: opts.env ?? process.env });
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  const otlpEndpoint = `http://127.0.0.1:${otlpPort}`;
  await waitReady(
    proc,
    async () => {
      const [q, o] = await Promise.all([fetch(`${queryUrl}/api/services`), fetch(`${otlpEndpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })]);
      return q.ok && o.status < 500;
    },
    opts.readyTimeoutMs ?? 30_000,
    'Jaeger',
  );
  return { otlpEndpoint, queryUrl, process: proc, stop: () => proc.stop() };
}
