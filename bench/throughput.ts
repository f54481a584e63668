// Scenario 2: sustained end-to-end checkouts/s (session created at the emulator, started, approved, returned, outcome
// recorded) at closed-loop concurrency levels, with the CPU of every process over each window so the bottleneck
// shows. The implementations run back to back at each level, the order alternating from level to level.
import type { BenchEnv } from './env';
import type { Impl, ImplName } from './impls';
import { cpuWindow, round1, summarize } from './metrics';
import { closedLoop, sleep } from './pool';

export interface ThroughputPoint {
  impl: ImplName;
  concurrency: number;
  durationS: number;
  completed: number;
  perSecond: number;
  errors: number;
  firstError?: string;
  e2eMs: { p50: number; p95: number };
  /** % of one core (2 cores = 200 %) over the window, per process. */
  cpuPct: Record<string, number>;
  /** CPU milliseconds per completed checkout, per process, over the window. */
  cpuMsPerCheckout: Record<string, number>;
}

export interface ThroughputResult {
  points: ThroughputPoint[];
  best: Partial<Record<ImplName, { perSecond: number; concurrency: number }>>;
  /** Service / the chosen floor, each at its best point (bench/floor-choice.ts). */
  ratioAtBest?: number;
  /** At each implementation's best point: CPU ms per checkout per process. */
  cpuMsPerCheckout?: Partial<Record<ImplName, Record<string, number>>>;
}

async function checkoutOnce(impl: Impl): Promise<void> {
  const id = await impl.prepare();
  const state = await impl.complete(id);
  if (state !== 'Completed') throw new Error(`outcome ${state}`);
}

export async function runThroughput(
  env: BenchEnv,
  impls: readonly Impl[],
  o: { concurrency: number[]; durationS: number; warmupS: number; say: (l: string) => void },
): Promise<ThroughputResult> {
  for (const impl of impls) await closedLoop(o.concurrency[0] ?? 1, o.warmupS * 1000, () => checkoutOnce(impl));
  const points: ThroughputPoint[] = [];
  for (const [level, c] of o.concurrency.entries()) {
    const order = level % 2 === 0 ? impls : [...impls].reverse();
    for (const impl of order) {
      await sleep(1_000); // let the previous window's tail (workflow completions) drain
      const cpu = cpuWindow(env.procs);
      const cpuAtEnd = sleep(o.durationS * 1000).then(() => cpu.stop());
      const r = await closedLoop(c, o.durationS * 1000, () => checkoutOnce(impl));
      const lat = summarize(r.latenciesMs);
      const p: ThroughputPoint = {
        impl: impl.name,
        concurrency: c,
        durationS: o.durationS,
        completed: r.completed,
        perSecond: round1(r.completed / o.durationS),
        errors: r.errors,
        ...(r.firstError ? { firstError: r.firstError } : {}),
        e2eMs: { p50: lat.p50, p95: lat.p95 },
        cpuPct: await cpuAtEnd,
        cpuMsPerCheckout: {},
      };
      for (const [proc, pct] of Object.entries(p.cpuPct)) {
        p.cpuMsPerCheckout[proc] = r.completed > 0 ? round1(((pct / 100) * o.durationS * 1000) / r.completed) : Number.NaN;
      }
      points.push(p);
      o.say(`throughput ${impl.name} c=${c}: ${p.perSecond}/s (${p.errors} errors)`);
    }
  }
  const best: ThroughputResult['best'] = {};
  for (const p of points) {
    if (p.perSecond > (best[p.impl]?.perSecond ?? -1)) best[p.impl] = { perSecond: p.perSecond, concurrency: p.concurrency };
  }
  const cpuMsPerCheckout: ThroughputResult['cpuMsPerCheckout'] = {};
  for (const [impl, b] of Object.entries(best) as [ImplName, { concurrency: number }][]) {
    cpuMsPerCheckout[impl] = points.find((p) => p.impl === impl && p.concurrency === b.concurrency)!.cpuMsPerCheckout;
  }
  return { points, best, cpuMsPerCheckout };
}
