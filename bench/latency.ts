// Scenario 1: return → outcome latency of the three implementations, interleaved in one run (round i times every
// implementation once, in rotating order) after an uncounted warm-up. Only `complete()` is timed: the session is
// created at the emulator, the workflow started and idle, and the buyer has approved before the timer starts.
import type { BenchEnv } from './env';
import { waitIdle, type Impl, type ImplName } from './impls';
import { summarize, round2, type LatencySummary } from './metrics';
import { pool } from './pool';

export interface LatencyResult {
  sessions: number;
  warmup: number;
  concurrency: number;
  byImpl: Partial<Record<ImplName, LatencySummary & { errors: number; firstError?: string }>>;
  /** Filled in once the floor is chosen (bench/floor-choice.ts). */
  ratios?: LatencyRatios;
}

export interface Ratio {
  p50: number;
  p95: number;
  p99: number;
}

export interface LatencyRatios {
  floor: ImplName;
  serviceOverFloor?: Ratio;
  serviceOverDirect?: Ratio;
  floorOverDirect?: Ratio;
  /** The service against the floor shape that was not chosen. */
  serviceOverOtherFloor?: Ratio;
}

export function latencyRatios(byImpl: LatencyResult['byImpl'], floor: ImplName, otherFloor?: ImplName): LatencyRatios {
  const ratio = (a: ImplName, b: ImplName | undefined): Ratio | undefined => {
    const x = byImpl[a];
    const y = b ? byImpl[b] : undefined;
    return x && y && x.n > 0 && y.n > 0 ? { p50: round2(x.p50 / y.p50), p95: round2(x.p95 / y.p95), p99: round2(x.p99 / y.p99) } : undefined;
  };
  const r: LatencyRatios = { floor };
  const set = (k: Exclude<keyof LatencyRatios, 'floor'>, v: Ratio | undefined) => {
    if (v) r[k] = v;
  };
  set('serviceOverFloor', ratio('service', floor));
  set('serviceOverDirect', ratio('service', 'direct'));
  set('floorOverDirect', ratio(floor, 'direct'));
  set('serviceOverOtherFloor', ratio('service', otherFloor));
  return r;
}

export async function runLatency(
  env: BenchEnv,
  impls: readonly Impl[],
  o: { sessions: number; warmup: number; concurrency: number },
): Promise<LatencyResult> {
  const tasks: { impl: Impl; counted: boolean }[] = [];
  for (let i = 0; i < o.warmup + o.sessions; i++) {
    for (let k = 0; k < impls.length; k++) tasks.push({ impl: impls[(i + k) % impls.length]!, counted: i >= o.warmup });
  }
  const samples = new Map<ImplName, number[]>(impls.map((m) => [m.name, []]));
  const failures = new Map<ImplName, string[]>(impls.map((m) => [m.name, []]));

  await pool(tasks, o.concurrency, async ({ impl, counted }) => {
    try {
      const id = await impl.prepare();
      if (impl.workflowId) await waitIdle(env, impl.workflowId(id));
      const t0 = performance.now();
      const state = await impl.complete(id);
      const ms = performance.now() - t0;
      if (state !== 'Completed') throw new Error(`outcome ${state}`);
      if (counted) samples.get(impl.name)!.push(ms);
    } catch (err) {
      if (counted) failures.get(impl.name)!.push((err as Error).message);
    }
  });

  const byImpl: LatencyResult['byImpl'] = {};
  for (const impl of impls) {
    const f = failures.get(impl.name)!;
    byImpl[impl.name] = { ...summarize(samples.get(impl.name)!), errors: f.length, ...(f[0] ? { firstError: f[0] } : {}) };
  }
  return { sessions: o.sessions, warmup: o.warmup, concurrency: o.concurrency, byImpl };
}
