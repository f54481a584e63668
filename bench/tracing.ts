// `npm run bench -- --tracing`: what tracing costs (README "Tracing"). The service runs twice in one run on one
// machine, as two deployments of the same build on their own task queues and databases: `service` (tracing off, as
// in production by default) and `service-traced` (worker-traced and http-traced exporting OTLP to a local Jaeger).
// Both get the same closed-loop load, alternating, and each reports checkouts/s, latency and the CPU milliseconds
// its own worker and HTTP server spent per checkout (and, for the traced one, Jaeger's).
import type { BenchEnv } from './env';
import { serviceImpl } from './impls';
import { table } from './report';
import { runThroughput, type ThroughputPoint } from './throughput';

export interface TracingPoint {
  impl: 'service' | 'service-traced';
  concurrency: number;
  perSecond: number;
  errors: number;
  e2eMs: { p50: number; p95: number };
  /** CPU ms per completed checkout of the implementation's own processes. */
  cpuMsPerCheckout: { worker: number; http: number; jaeger?: number };
  firstError?: string;
}

export interface TracingResult {
  durationS: number;
  points: TracingPoint[];
}

const own = (p: ThroughputPoint): TracingPoint['cpuMsPerCheckout'] =>
  p.impl === 'service-traced'
    ? { worker: p.cpuMsPerCheckout['worker-traced']!, http: p.cpuMsPerCheckout['http-traced']!, jaeger: p.cpuMsPerCheckout.jaeger! }
    : { worker: p.cpuMsPerCheckout.worker!, http: p.cpuMsPerCheckout.http! };

export async function runTracingCompare(
  env: BenchEnv,
  o: { concurrency: number[]; durationS: number; warmupS: number; say: (l: string) => void },
): Promise<TracingResult> {
  const r = await runThroughput(env, [serviceImpl(env, 'service'), serviceImpl(env, 'service-traced')], o);
  return {
    durationS: o.durationS,
    points: r.points.map((p) => ({
      impl: p.impl as TracingPoint['impl'],
      concurrency: p.concurrency,
      perSecond: p.perSecond,
      errors: p.errors,
      e2eMs: p.e2eMs,
      cpuMsPerCheckout: own(p),
      ...(p.firstError ? { firstError: p.firstError } : {}),
    })),
  };
}

export function renderTracing(r: TracingResult): string {
  return table(
    `Tracing off and on, same build, same run (closed loop, ${r.durationS} s per point; CPU ms per completed checkout of each deployment's own processes)`,
    ['impl', 'conc', 'ckout/s', 'e2e p50', 'e2e p95', 'errors', 'worker cpu ms', 'http cpu ms', 'jaeger cpu ms'],
    r.points.map((p) => [p.impl, p.concurrency, p.perSecond, p.e2eMs.p50, p.e2eMs.p95, p.errors, p.cpuMsPerCheckout.worker, p.cpuMsPerCheckout.http, p.cpuMsPerCheckout.jaeger]),
  );
}
