// Scenario 2: sustained end-to-end checkouts/s (session created at the emulator, started, approved, returned, outcome
// recorded) at closed-loop concurrency levels, with the CPU of every process over each window so the bottleneck
// shows. The implementations run back to back at each level, the order alternating from level to level.
import type { BenchEnv } from './env';
import type { Impl, ImplName } from './impls';
import { cpuWindow, round1, round2, summarize } from './metrics';
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
}

export interface ThroughputResult {
  points: ThroughputPoint[];
  best: Partial<Record<ImplName, { perSecond: number; concurrency: number }>>;
  ratioAtBest?: number;
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
      };
      points.push(p);
      o.say(`throughput ${impl.name} c=${c}: ${p.perSecond}/s (${p.errors} errors)`);
    }
  }
  const best: ThroughputResult['best'] = {};
  for (const p of points) {
    if (p.perSecond > (best[p.impl]?.perSecond ?? -1)) best[p.impl] = { perSecond: p.perSecond, concurrency: p.concurrency };
  }
  const s = best.service?.perSecond;
  const f = best['temporal-floor']?.perSecond;
  return { points, best, ...(s !== undefined && f ? { ratioAtBest: round2(s / f) } : {}) };
}
