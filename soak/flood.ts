// `npm run flood -- [flags]`: floods at the public edges change nothing. Local only and bounded in count and time.
// On its own stack, with the HTTP server's default per-address limits live and keyed by X-Forwarded-For
// (HTTP_TRUST_PROXY=loopback; each legitimate buyer has its own address, the flood mostly four):
//   quiet  legitimate checkouts alone: return → final answer p50/p95;
//   flood  as many again while garbage returns/cancels (never-started and malformed IDs) and forged SNS IPNs pour in;
//   storm  N approved sessions started, then all their returns at once plus a duplicate wave, asking again on 202.
// Prints statuses per phase and kind, latencies, the HTTP server's RSS (before/peak/after) and /metrics counters, and
// checks: no 5xx (but 503 cert_unavailable, SNS's "retry later", for forged IPNs), no transport error on legitimate
// calls, every legitimate and stormed session Completed exactly once (record, answer and Amazon's effect counter),
// p95 flood/quiet within --max-p95-ratio, nothing started or written for the garbage. Exit 1 otherwise.
// Flags: --legit n (60) --garbage n (20000) --ipn n (5000) --real-returns n (1000) --concurrency c (4, legitimate)
//   --flood-concurrency c (64) --seed s (1) --max-p95-ratio x (2) --max-minutes m (10) --json --out file.json
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cpuWindow } from '../bench/metrics';
import type { AttackerPlan, AttackerReport } from './flood-attacker';
import { startService, type Service } from './service';
import { sleep } from './drive';
import {
  buyerAddress,
  loop,
  quantile,
  returnUntilFinal,
  rssMiB,
  startSession,
  Tally,
} from './flood-traffic';

const { values: v } = parseArgs({
  options: {
    legit: { type: 'string', default: '60' },
    garbage: { type: 'string', default: '20000' },
    ipn: { type: 'string', default: '5000' },
    'real-returns': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    'flood-concurrency': { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    'max-p95-ratio': { type: 'string', default: '2' },
    'max-minutes': { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const num = (
  k:
    | 'legit'
    | 'garbage'
    | 'ipn'
    | 'real-returns'
    | 'concurrency'
    | 'flood-concurrency'
    | 'seed'
    | 'max-p95-ratio'
    | 'max-minutes',
) => {
  const n = Number(v[k]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} must be a non-negative number, not ${v[k]}`);
  return n;
};
const O = {
  legit: num('legit'),
  garbage: num('garbage'),
  ipn: num('ipn'),
  realReturns: num('real-returns'),
  concurrency: Math.max(1, num('concurrency')),
  floodConcurrency: Math.max(2, num('flood-concurrency')),
  seed: num('seed'),
  maxP95Ratio: num('max-p95-ratio'),
  maxMinutes: num('max-minutes'),
};
const deadline = Date.now() + O.maxMinutes * 60_000;
const say = (l: string) => process.stderr.write(`[flood ${new Date().toISOString().slice(11, 19)}] ${l}\n`);
const secondsSince = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;
const WARMUP = 8;

/** `n` legitimate checkouts, `concurrency` at once, each buyer on its own address: return → final answer, ms, ascending. */
async function legitimate(
  svc: Service,
  t: Tally,
  n: number,
  first: number,
  ids: string[],
  failures: string[],
): Promise<number[]> {
  const ms: number[] = [];
  await loop(n, O.concurrency, deadline, async (i) => {
    const address = buyerAddress(1, first + i);
    try {
      const id = await startSession(svc, t, 'legit-start', first + i, address);
      ids.push(id);
      const r = await returnUntilFinal(svc, t, 'legit-return', id, address, {
        retryMs: 200,
        retryErrors: false,
        deadline,
      });
      if (r.state !== 'Completed') throw new Error(`${id} ended ${r.state}`);
      ms.push(r.ms);
    } catch (err) {
      failures.push(`${t.phase}: ${(err as Error).message}`);
    }
  });
  return ms.sort((a, b) => a - b);
}

async function run(svc: Service, problems: string[]): Promise<Record<string, unknown>> {
  const t = new Tally();
  const http = svc.procs.http!;
  const mongo = await MongoClient.connect(svc.stack.mongodbUri);
  try {
    const sessions = mongo.db(svc.db).collection<{ _id: string; state?: string }>('checkoutSessions');
    const workflows = async () => (await svc.client.workflow.count(`TaskQueue = '${svc.taskQueue}'`)).count;
    const rss = { before: rssMiB(http.pid), peak: 0, after: 0 };
    const sampler = setInterval(() => (rss.peak = Math.max(rss.peak, rssMiB(http.pid) || 0)), 500);
    const legitIds: string[] = [];
    const failures: string[] = [];

    // Warm-up, not measured: the worker's first workflow tasks, the server's first requests.
    await legitimate(svc, t, WARMUP, 90_000, legitIds, failures);

    t.phase = 'quiet';
    say(`quiet: ${O.legit} legitimate checkouts, ${O.concurrency} at once`);
    const procs = [
      { name: 'http', pid: http.pid },
      { name: 'worker', pid: svc.procs.worker!.pid },
      ...svc.stack.processes.map((p) => ({ name: p.name === 'temporal' ? 'temporal' : 'store', pid: p.pid })),
      { name: 'driver+emulator', pid: process.pid },
    ];
    let cpu = cpuWindow(procs);
    let t0 = performance.now();
    const quiet = await legitimate(svc, t, O.legit, 0, legitIds, failures);
    const quietS = secondsSince(t0);
    const quietCpu = cpu.stop();
    const [wfBefore, docsBefore] = [await workflows(), await sessions.countDocuments({})];

    t.phase = 'flood';
    say(
      `flood: ${O.legit} legitimate checkouts beside ${O.garbage} garbage returns/cancels and ${O.ipn} forged IPNs (${O.floodConcurrency} at once)`,
    );
    cpu = cpuWindow(procs);
    t0 = performance.now();
    let legitS = 0;
    const floodIds: string[] = [];
    const attacker = attack({
      serviceUrl: svc.serviceUrl,
      garbage: O.garbage,
      ipn: O.ipn,
      concurrency: O.floodConcurrency,
      seed: O.seed,
      deadline,
    });
    const [flood, attack_] = await Promise.all([
      legitimate(svc, t, O.legit, 1_000, floodIds, failures).finally(() => (legitS = secondsSince(t0))),
      attacker,
    ]);
    t.merge(attack_.tally);
    const floodS = secondsSince(t0);
    const floodCpu = cpu.stop();
    legitIds.push(...floodIds);
    const [wfAfter, docsAfter] = [await workflows(), await sessions.countDocuments({})];
    if (wfAfter - wfBefore !== floodIds.length || docsAfter - docsBefore !== floodIds.length) {
      problems.push(
        `the flood added ${wfAfter - wfBefore} workflows and ${docsAfter - docsBefore} records for ${floodIds.length} legitimate sessions`,
      );
    }

    t.phase = 'storm';
    say(`storm: starting ${O.realReturns} approved sessions`);
    const stormIds: string[] = [];
    await loop(O.realReturns, 16, deadline, async (i) =>
      stormIds.push(await startSession(svc, t, 'storm-start', 100_000 + i, buyerAddress(2, i))),
    );
    say(`storm: ${stormIds.length} returns at once, and a duplicate wave; 202 → ask again after 3 s`);
    cpu = cpuWindow(procs);
    t0 = performance.now();
    const stormMs: number[] = [];
    const wave = (dup: number) =>
      stormIds.map((id, i) =>
        returnUntilFinal(svc, t, 'storm-return', id, buyerAddress(3 + dup, i), {
          retryMs: 3_000,
          retryErrors: true,
          deadline,
        }).then(
          (r) => (r.state === 'Completed' ? stormMs.push(r.ms) : failures.push(`storm: ${id} answered ${r.state}`)),
          (err: unknown) => failures.push(`storm: ${(err as Error).message}`),
        ),
      );
    const progress = setInterval(() => say(`storm: ${stormMs.length} of ${2 * stormIds.length} returns answered Completed`), 30_000);
    const first = wave(0);
    await sleep(100);
    await Promise.all([...first, ...wave(1)]).finally(() => clearInterval(progress));
    const stormS = secondsSince(t0);
    const stormCpu = cpu.stop();
    stormMs.sort((a, b) => a - b);
    clearInterval(sampler);
    await sleep(2_000);
    rss.after = rssMiB(http.pid);

    // What the run left: answers, records, Amazon's effects, workflows, the server's counters.
    const metricsText = await (await fetch(`${svc.serviceUrl}/metrics`)).text();
    const metrics = Object.fromEntries(
      metricsText
        .split('\n')
        .filter((l) =>
          /^checkout_(http_rate_limited|http_unknown_session|http_session_lookups_busy|http_returns_shed|ipn_notifications|ipn_cert_fetches)_total/.test(
            l,
          ),
        )
        .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
    );
    const started = new Set([...legitIds, ...stormIds]);
    const records = await sessions.find({}, { projection: { _id: 1, state: 1 } }).toArray();
    const foreign = records.filter((r) => !started.has(r._id));
    const notCompleted = records.filter((r) => started.has(r._id) && r.state !== 'Completed');
    const effects = [...started].filter((id) => {
      const c = svc.emulator.state.counters(id);
      return c.completeEffects + c.finalizeEffects !== 1;
    });
    const wfEnd = await workflows();
    if (failures.length)
      problems.push(
        `${failures.length} legitimate or stormed checkouts failed, e.g. ${failures.slice(0, 3).join(' | ')}`,
      );
    if (legitIds.length !== WARMUP + 2 * O.legit || quiet.length + flood.length !== 2 * O.legit)
      problems.push(`legitimate checkouts completed: ${quiet.length} quiet, ${flood.length} flood of ${O.legit} each`);
    if (stormIds.length !== O.realReturns || stormMs.length !== 2 * O.realReturns)
      problems.push(
        `storm: ${stormIds.length} of ${O.realReturns} started, ${stormMs.length} of ${2 * O.realReturns} returns answered Completed`,
      );
    if (wfEnd !== started.size)
      problems.push(`${wfEnd} workflows on the task queue for ${started.size} started sessions`);
    if (foreign.length)
      problems.push(
        `${foreign.length} records for sessions nobody started, e.g. ${foreign
          .slice(0, 3)
          .map((r) => r._id)
          .join(', ')}`,
      );
    if (records.length - foreign.length !== started.size)
      problems.push(`${records.length - foreign.length} records for ${started.size} started sessions`);
    if (notCompleted.length)
      problems.push(`${notCompleted.length} records not Completed: ${JSON.stringify(notCompleted.slice(0, 3))}`);
    if (effects.length)
      problems.push(
        `${effects.length} sessions without exactly one complete effect at Amazon, e.g. ${effects.slice(0, 3).join(', ')}`,
      );
    for (const [key, byStatus] of Object.entries(t.statuses)) {
      if (byStatus.error && !key.endsWith('storm-return'))
        problems.push(`${key}: ${byStatus.error} transport errors (${t.firstTransportError[key]})`);
    }
    for (const [key, codes] of Object.entries(t.serverErrors)) {
      for (const [code, n] of Object.entries(codes))
        if (!(key.endsWith('forged-ipn') && code === '503 cert_unavailable')) problems.push(`${key}: ${n} × ${code}`);
    }
    const ratio = Math.round((quantile(flood, 0.95) / quantile(quiet, 0.95)) * 100) / 100;
    if (!(ratio <= O.maxP95Ratio))
      problems.push(`legitimate p95 under flood is ${ratio}× quiet (bound ${O.maxP95Ratio})`);
    if (Date.now() > deadline) problems.push(`not done within ${O.maxMinutes} minutes`);

    const lat = (xs: number[]) => ({
      n: xs.length,
      p50: quantile(xs, 0.5),
      p95: quantile(xs, 0.95),
      max: quantile(xs, 1),
    });
    return {
      options: O,
      seconds: { quiet: quietS, flood: floodS, floodLegit: legitS, attacker: attack_.seconds, storm: stormS },
      cpuPctOfOneCore: { quiet: quietCpu, flood: { ...floodCpu, 'attacker (nice 19)': attack_.cpuPct }, storm: stormCpu },
      latencyMs: { quiet: lat(quiet), flood: lat(flood), p95Ratio: ratio, storm: lat(stormMs) },
      requests: Object.fromEntries(Object.keys(t.statuses).map((k) => [k, t.requests(k)])),
      statuses: t.statuses,
      serverErrors: t.serverErrors,
      firstTransportError: t.firstTransportError,
      httpRssMiB: rss,
      metrics,
      store: {
        workflowsBeforeFlood: wfBefore,
        recordsBeforeFlood: docsBefore,
        workflowsAfterFlood: wfAfter,
        recordsAfterFlood: docsAfter,
        workflowsAtEnd: wfEnd,
        recordsAtEnd: records.length,
        started: started.size,
        completedRecords: records.length - notCompleted.length - foreign.length,
      },
    };
  } finally {
    await mongo.close();
  }
}

/**
 * Runs the attacker (soak/flood-attacker.ts) as its own process at the lowest CPU priority; its tally, seconds and CPU.
 * Linux schedules by session ("autogroup") before nice values: the stack's servers each run in their own session, so a
 * nice attacker in this script's session would still get a whole session's share. The attacker gets its own session,
 * and that session the lowest priority (/proc/<pid>/autogroup), besides nice 19 for kernels without autogroups.
 */
async function attack(plan: AttackerPlan): Promise<AttackerReport> {
  const child = spawn(
    'nice',
    ['-n', '19', process.execPath, '--require', 'tsx/cjs', join(__dirname, 'flood-attacker.ts'), JSON.stringify(plan)],
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  );
  try {
    writeFileSync(`/proc/${child.pid}/autogroup`, '19');
  } catch (err) {
    say(`the attacker keeps its session's CPU share (${(err as Error).message})`);
  }
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`the flood attacker exited with ${code}`);
  return JSON.parse(out) as AttackerReport;
}

/** The human summary: one line per fact. */
function summary(r: Record<string, unknown>, problems: string[]): string {
  const j = (x: unknown) => JSON.stringify(x);
  const lines = Object.entries(r).flatMap(([k, x]) =>
    x && typeof x === 'object' && !Array.isArray(x) && k !== 'options'
      ? Object.entries(x).map(([k2, y]) => `${k}.${k2}: ${j(y)}`)
      : [`${k}: ${j(x)}`],
  );
  return [...lines, problems.length ? `FAILED:\n  ${problems.join('\n  ')}` : 'OK: every check passed'].join('\n');
}

async function main(): Promise<number> {
  const began = performance.now();
  const svc = await startService({
    seed: O.seed,
    webhookFaultRate: 0,
    log: say,
    httpEnv: {
      HTTP_TRUST_PROXY: 'loopback',
      PUBLIC_RATE_LIMIT_PER_SEC: '10',
      PUBLIC_RATE_LIMIT_BURST: '50',
      IPN_RATE_LIMIT_PER_SEC: '50',
      IPN_RATE_LIMIT_BURST: '200',
    },
  });
  // Whatever happens (Ctrl-C, a hang past the bound), the stack goes with this process.
  const abandon = (why: string) => {
    say(`${why}: stopping the stack`);
    void svc.stop().finally(() => process.exit(1));
  };
  process.once('SIGINT', () => abandon('interrupted'));
  process.once('SIGTERM', () => abandon('terminated'));
  setTimeout(
    () => abandon(`still running ${O.maxMinutes} minutes + 2 after the start`),
    deadline - Date.now() + 120_000,
  ).unref();
  const problems: string[] = [];
  try {
    const report = { ...(await run(svc, problems)), problems, totalSeconds: secondsSince(began) };
    process.stdout.write(`${summary(report, problems)}\n`);
    if (v.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    if (v.out) writeFileSync(v.out, `${JSON.stringify(report, null, 2)}\n`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await svc.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`flood failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
