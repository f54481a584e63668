// The benchmark must not rot: its smallest quick configuration runs here end to end (its own stack, emulator,
// worker, HTTP server and floor worker as child processes) and every one of its five sections must come back
// with figures that make sense. Speed itself is not asserted: that is what `npm run bench` reports.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchResults } from '../../../bench/report';

jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../../..');

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'bench/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: '', MONGODB_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', rej);
    child.once('exit', (code) => res({ code, stdout, stderr }));
  });
}

it('npm run bench -- --quick, smallest configuration, prints and writes all five sections', async () => {
  const r = await runBench(['--quick', '--sessions', '4', '--concurrency', '2', '--duration-s', '2', '--waiting', '12', '--pending', '2']);
  const file = /figures written to (\S+\.json)/.exec(r.stderr)?.[1];
  try {
    expect({ code: r.code, tail: r.code === 0 ? '' : r.stderr.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(file).toBeDefined();
    const { meta, results } = JSON.parse(readFileSync(file!, 'utf8')) as { meta: { complete: boolean; withService: boolean }; results: BenchResults };
    expect(meta).toMatchObject({ complete: true, withService: true });

    for (const impl of ['direct', 'floor-local', 'floor-mixed', 'service'] as const) {
      expect(results.cost?.[impl]?.mongoWrites).toBeGreaterThan(0);
      const l = results.latency?.byImpl[impl];
      expect(l).toMatchObject({ n: 4, errors: 0 });
      expect(l!.p50).toBeGreaterThan(0);
      expect(l!.p99).toBeGreaterThanOrEqual(l!.p50);
    }
    // Both floor shapes ran; local activities record no activity events, so the all-local floor has the shorter history.
    expect(results.cost?.['floor-local']?.historyEvents).toBeGreaterThan(0);
    expect(results.cost?.['floor-local']?.historyEvents).toBeLessThan(results.cost!['floor-mixed']!.historyEvents!);
    expect(results.floor?.floor).toMatch(/^floor-(local|mixed)$/);
    expect(results.floor?.other).not.toBe(results.floor?.floor);
    // DESIGN.md's budget for the happy path: at most 25 history events for the checkout (23 today, the recovery and
    // notifications patch marker and its TemporalChangeVersion upsert included), plus the merchant webhook's delivery: one activity and the workflow task
    // that follows it (6). A local activity would be cheaper but would hold the buyer's answer until the merchant's
    // receiver answers.
    expect(results.cost?.service?.historyEvents).toBeGreaterThan(0);
    expect(results.cost?.service?.historyEvents).toBeLessThanOrEqual(25 + 6);
    expect(results.cost?.direct?.historyEvents).toBeNull();
    // The keys tools read (issue: what one checkout costs).
    expect(results.latency!.ratios).toMatchObject({ floor: results.floor!.floor, serviceOverFloor: { p50: expect.any(Number) }, serviceOverDirect: { p50: expect.any(Number) } });
    expect(results.latency!.ratios!.serviceOverFloor!.p50).toBeGreaterThan(0);

    const points = results.throughput!.points;
    expect(points.map((p) => p.impl).sort()).toEqual(['floor-local', 'floor-mixed', 'service']);
    for (const p of points) {
      expect(p.errors).toBe(0);
      expect(p.perSecond).toBeGreaterThan(0);
      expect(Object.keys(p.cpuPct)).toEqual(expect.arrayContaining(['temporal', 'store', 'emulator']));
      // CPU per checkout is CPU % over the window divided by the checkouts completed in it.
      expect(p.cpuMsPerCheckout.temporal).toBeCloseTo(((p.cpuPct.temporal! / 100) * p.durationS * 1000) / p.completed, 0);
    }
    expect(results.throughput!.ratioAtBest).toBeGreaterThan(0);
    const cpu = results.throughput!.cpuMsPerCheckout!;
    expect(cpu.service?.worker).toBeGreaterThan(0);
    expect(cpu.service?.http).toBeGreaterThan(0);
    expect(cpu[results.floor!.floor]?.['floor-worker']).toBeGreaterThan(0);

    expect(results.pending).toMatchObject({ errors: 0 });
    expect(results.pending!.n).toBe(2);
    expect(results.waiting).toMatchObject({ sessions: 12, startErrors: 0, drainCompleted: 12, drainErrors: 0 });
    expect(results.waiting!.rssMiB.allWaiting.worker).toBeGreaterThan(0);
    // Recorded by the HTTP server at each start, then run by the worker: the second can only come later.
    expect(results.waiting!.startProcessedPerSecond).toBeGreaterThan(0);
    expect(results.waiting!.startProcessedPerSecond).toBeLessThanOrEqual(results.waiting!.startRecordedPerSecond);
    expect(results.waiting!.workerRssMiB).toEqual({ before: expect.any(Number), allWaiting: results.waiting!.rssMiB.allWaiting.worker, afterDrain: expect.any(Number) });

    for (const heading of ['Cost per happy-path session', 'Return → outcome latency', 'Sustained throughput', 'CPU milliseconds per completed checkout', 'Pending authorization', 'Waiting sessions']) {
      expect(r.stdout).toContain(heading);
    }
  } finally {
    if (file) rmSync(file, { force: true });
  }
});
