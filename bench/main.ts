// `npm run bench -- [flags]`: the service against its two floors in one run on one machine (DESIGN.md,
// "Performance budget"). Prints tables and writes the same figures to bench-results/<timestamp>.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { onShutdownSignal } from '../dev/shutdown';
import { renderClusterCompare, runClusterCompare } from './cluster-compare';
import { runCost } from './cost';
import { httpServerExists, startBenchEnv, type BenchEnv } from './env';
import { applyFloorChoice, chooseFloor } from './floor-choice';
import { directImpl, floorImpl, serviceImpl, type Impl } from './impls';
import { runLatency } from './latency';
import { runPending } from './pending';
import { render, type BenchResults } from './report';
import { runThroughput } from './throughput';
import { renderTracing, runTracingCompare } from './tracing';
import { runWaiting } from './waiting';

const SCENARIOS = ['cost', 'latency', 'throughput', 'pending', 'waiting'] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `usage: npm run bench -- [--quick] [--sessions n] [--latency-concurrency 1-4] [--concurrency 1,8,32,64]
  [--duration-s n] [--waiting n] [--pending n] [--emulator-latency-ms n] [--max-cached n] [--only ${SCENARIOS.join(',')}]
  [--cluster]   the service's throughput on the dev server and on the production shape, side by side (--concurrency, --duration-s)
  [--tracing]   the service with tracing off and on (exporting to a local Jaeger), side by side (--concurrency, --duration-s)`;

interface Options {
  quick: boolean;
  sessions: number;
  latencyConcurrency: number;
  concurrency: number[];
  durationS: number;
  waiting: number;
  pending: number;
  emulatorLatencyMs: number;
  maxCached: number;
  only: Scenario[];
  cluster: boolean;
  tracing: boolean;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      sessions: { type: 'string' },
      'latency-concurrency': { type: 'string' },
      concurrency: { type: 'string' },
      'duration-s': { type: 'string' },
      waiting: { type: 'string' },
      pending: { type: 'string' },
      'emulator-latency-ms': { type: 'string' },
      'max-cached': { type: 'string' },
      only: { type: 'string' },
      cluster: { type: 'boolean', default: false },
      tracing: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, dflt: number, min: number, max: number): number => {
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const q = v.quick;
  const concurrency = (v.concurrency ?? (q ? '1,8' : '1,8,32,64')).split(',').map((s) => int('concurrency', s, 1, 1, 256));
  const only = (v.only?.split(',') ?? [...SCENARIOS]) as Scenario[];
  for (const s of only) if (!SCENARIOS.includes(s)) fail(`--only: unknown scenario ${s}`);
  return {
    quick: q,
    sessions: int('sessions', v.sessions, q ? 30 : 200, 1, 100_000),
    latencyConcurrency: int('latency-concurrency', v['latency-concurrency'], 1, 1, 4),
    concurrency,
    durationS: int('duration-s', v['duration-s'], q ? 5 : 20, 1, 600),
    waiting: int('waiting', v.waiting, q ? 500 : 20_000, 0, 200_000),
    pending: int('pending', v.pending, q ? 5 : 20, 0, 10_000),
    emulatorLatencyMs: int('emulator-latency-ms', v['emulator-latency-ms'], 0, 0, 60_000),
    maxCached: int('max-cached', v['max-cached'], 500, 0, 100_000),
    only,
    cluster: v.cluster,
    tracing: v.tracing,
  };
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-');

/** Writes `body` as bench-results/<name>.json; the file's path. */
function writeResults(name: string, body: object): string {
  const dir = resolve(__dirname, '..', 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

/** What the side-by-side runs (--cluster, --tracing) record of how they were run. */
function comparisonHeader() {
  return { command: `npm run bench -- ${process.argv.slice(2).join(' ')}`, git: git(['rev-parse', 'HEAD']), machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) } };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const say = (l: string) => process.stderr.write(`[bench] ${l}\n`);
  const startedAt = new Date();
  if (o.cluster) {
    const points = await runClusterCompare({ concurrency: o.concurrency, durationS: o.durationS, warmupS: o.quick ? 2 : 5, emulatorLatencyMs: o.emulatorLatencyMs, maxCached: o.maxCached, say });
    process.stdout.write(`${renderClusterCompare(points)}\n`);
    say(`figures written to ${writeResults(`cluster-${stamp(startedAt)}`, { ...comparisonHeader(), points })}`);
    process.exit(0);
  }
  if (o.tracing) {
    let tenv: BenchEnv | undefined;
    onShutdownSignal(async () => tenv?.stop(), say);
    try {
      tenv = await startBenchEnv({ emulatorLatencyMs: o.emulatorLatencyMs, maxCachedWorkflows: o.maxCached, withService: true, traced: true, say });
      const result = await runTracingCompare(tenv, { concurrency: o.concurrency, durationS: o.durationS, warmupS: o.quick ? 2 : 5, say });
      process.stdout.write(`${renderTracing(result)}\n`);
      say(`figures written to ${writeResults(`tracing-${stamp(startedAt)}`, { ...comparisonHeader(), result })}`);
    } catch (err) {
      say(`failed: ${(err as Error).stack ?? String(err)}`);
      await tenv?.stop(true);
      process.exit(1);
    }
    await tenv.stop();
    process.exit(0);
  }
  const withService = httpServerExists();
  if (!withService) say('client/http/server.ts is missing: the service scenarios are skipped');

  let env: BenchEnv | undefined;
  let failed = false;
  onShutdownSignal(async () => env?.stop(), say);
  const results: BenchResults = {};
  try {
    env = await startBenchEnv({ emulatorLatencyMs: o.emulatorLatencyMs, maxCachedWorkflows: o.maxCached, withService, say });
    say(`ready in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)} s (${env.stack.resolved.temporal}; ${env.stack.resolved.mongodb})`);
    const service = withService ? serviceImpl(env) : undefined;
    const impls: Impl[] = [directImpl(env), floorImpl(env, 'floor-local'), floorImpl(env, 'floor-mixed'), ...(service ? [service] : [])];
    const durable = impls.filter((m) => m.name !== 'direct');
    const run = async <T>(name: Scenario, fn: () => Promise<T>): Promise<T | undefined> => {
      if (!o.only.includes(name)) return undefined;
      const t0 = Date.now();
      say(`${name}…`);
      const r = await fn();
      say(`${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return r;
    };

    results.cost = await run('cost', () => runCost(env!, impls, 3));
    results.latency = await run('latency', () =>
      runLatency(env!, impls, { sessions: o.sessions, warmup: o.quick ? 5 : 20, concurrency: o.latencyConcurrency }),
    );
    results.throughput = await run('throughput', () =>
      runThroughput(env!, durable, { concurrency: o.concurrency, durationS: o.durationS, warmupS: o.quick ? 2 : 5, say }),
    );
    results.floor = chooseFloor(results.latency, results.throughput);
    applyFloorChoice(results.floor, results.latency, results.throughput);
    if (service && o.pending > 0) results.pending = await run('pending', () => runPending(env!, service, { sessions: o.pending, warmup: 2 }));
    if (service && o.waiting > 0) {
      results.waiting = await run('waiting', () => runWaiting(env!, { sessions: o.waiting, concurrency: 32, maxCachedWorkflows: o.maxCached, say }));
    }
  } catch (err) {
    failed = true;
    say(`failed: ${(err as Error).stack ?? String(err)}`);
  } finally {
    await env?.stop(failed);
  }

  process.stdout.write(`${render(results)}\n`);
  const finishedAt = new Date();
  const meta = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    options: o,
    complete: !failed,
    git: { commit: git(['rev-parse', 'HEAD']), dirty: (git(['status', '--porcelain']) ?? '') !== '' },
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    stack: env?.stack.resolved,
    withService,
  };
  say(`figures written to ${writeResults(stamp(startedAt), { meta, results })}`);
  process.exit(failed ? 1 : 0);
}

void main();
