// `npm run bench -- --cluster`: the service's throughput on the dev server and on Temporal's production shape
// (dev/cluster-stack.ts: four services on PostgreSQL) at the same concurrencies, in one run, one shape after the other
// on the same machine, with each process's CPU. CPU is counted per process tree here: PostgreSQL serves each
// connection from a child of the postmaster, so the postmaster's own counter would show almost nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { startBenchEnv, type BenchEnv } from './env';
import { serviceImpl } from './impls';
import { cpuSeconds, round1 } from './metrics';
import { closedLoop, sleep } from './pool';
import { table } from './report';

export interface ShapePoint {
  shape: 'dev server' | 'cluster';
  concurrency: number;
  perSecond: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  /** % of one core over the window, per process (tree). */
  cpuPct: Record<string, number>;
}

/** The pids of a process and all its descendants (from /proc's ppid fields). */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

const treeCpu = (pid: number): number => tree(pid).reduce((a, p) => a + (cpuSeconds(p) || 0), 0);

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
}

async function measure(env: BenchEnv, shape: ShapePoint['shape'], o: { concurrency: number[]; durationS: number; warmupS: number; say: (l: string) => void }): Promise<ShapePoint[]> {
  const impl = serviceImpl(env);
  const once = async () => {
    const id = await impl.prepare();
    const state = await impl.complete(id);
    if (state !== 'Completed') throw new Error(`outcome ${state}`);
  };
  await closedLoop(o.concurrency[0] ?? 1, o.warmupS * 1000, once);
  const points: ShapePoint[] = [];
  for (const c of o.concurrency) {
    await sleep(1_000);
    const t0 = performance.now();
    // Backends come and go: the tree is read at both ends, and a process that left between them counts from zero.
    const before = new Map(env.procs.map((p) => [p.name, treeCpu(p.pid)]));
    const r = await closedLoop(c, o.durationS * 1000, once);
    const wall = (performance.now() - t0) / 1000;
    const cpuPct = Object.fromEntries(env.procs.map((p) => [p.name, round1(((treeCpu(p.pid) - before.get(p.name)!) / wall) * 100)]));
    const lat = [...r.latenciesMs].sort((a, b) => a - b);
    const point = { shape, concurrency: c, perSecond: round1(r.completed / o.durationS), errors: r.errors, p50Ms: percentile(lat, 0.5), p95Ms: percentile(lat, 0.95), cpuPct };
    o.say(`${shape} c=${c}: ${point.perSecond}/s (${r.errors} errors)`);
    points.push(point);
  }
  return points;
}

/** Both shapes, one after the other (never at once: they would share the two cores). */
export async function runClusterCompare(o: {
  concurrency: number[];
  durationS: number;
  warmupS: number;
  emulatorLatencyMs: number;
  maxCached: number;
  say: (l: string) => void;
}): Promise<ShapePoint[]> {
  const points: ShapePoint[] = [];
  for (const cluster of [false, true]) {
    const env = await startBenchEnv({ emulatorLatencyMs: o.emulatorLatencyMs, maxCachedWorkflows: o.maxCached, withService: true, say: o.say, cluster });
    try {
      points.push(...(await measure(env, cluster ? 'cluster' : 'dev server', o)));
    } finally {
      await env.stop();
    }
  }
  return points;
}

export function renderClusterCompare(points: ShapePoint[]): string {
  const procNames = [...new Set(points.flatMap((p) => Object.keys(p.cpuPct)))].filter((n) => n !== 'floor-worker' && n !== 'emulator');
  return table(
    'Service throughput: dev server vs production shape (end-to-end checkouts/s; CPU % of one core per process over the window)',
    ['shape', 'c', '/s', 'errors', 'p50 ms', 'p95 ms', ...procNames],
    points.map((p) => [p.shape, p.concurrency, p.perSecond, p.errors, p.p50Ms, p.p95Ms, ...procNames.map((n) => (n in p.cpuPct ? p.cpuPct[n]! : '-'))]),
  );
}
