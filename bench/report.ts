// Printing the figures as plain-text tables; the same figures go to bench-results/<timestamp>.json.
import type { CostResult } from './cost';
import type { FloorChoice } from './floor-choice';
import type { LatencyResult } from './latency';
import type { PendingResult } from './pending';
import type { ThroughputResult } from './throughput';
import type { WaitingResult } from './waiting';

export interface BenchResults {
  /** The floor shape the ratios are taken against (the faster of the two). */
  floor?: FloorChoice;
  cost?: CostResult;
  latency?: LatencyResult;
  throughput?: ThroughputResult;
  pending?: PendingResult;
  waiting?: WaitingResult;
}

type Cell = string | number | null | undefined;

export function table(title: string, headers: string[], rows: Cell[][]): string {
  const text = (c: Cell) => (c === null || c === undefined || (typeof c === 'number' && Number.isNaN(c)) ? '–' : String(c));
  const cells = [headers, ...rows.map((r) => r.map(text))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`\n${title}`, line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const CPU_COLUMNS = ['worker', 'floor-worker', 'http', 'temporal', 'store', 'emulator', 'bench'];

function ratioRows(l: LatencyResult, f: FloorChoice | undefined): Cell[][] {
  const floor = l.ratios?.floor ?? 'floor';
  const labels = [
    ['serviceOverFloor', `service / ${floor} (the floor)`],
    ['serviceOverDirect', 'service / direct'],
    ['floorOverDirect', `${floor} / direct`],
    ['serviceOverOtherFloor', `service / ${f?.other ?? 'other floor'}`],
  ] as const;
  return labels.flatMap(([k, label]) => {
    const v = l.ratios?.[k];
    return v ? [[label, v.p50, v.p95, v.p99]] : [];
  });
}

export function render(r: BenchResults): string {
  const out: string[] = [];
  if (r.cost) {
    out.push(
      table(
        'Cost per happy-path session (counted: history events via fetchHistory, writes via the store’s write-command counters)',
        ['impl', 'history events', 'MongoDB writes', 'timeline docs', 'session seq', 'sessions', 'same each time'],
        Object.entries(r.cost).map(([k, v]) => [k, v.historyEvents, v.mongoWrites, v.timelineDocs, v.sessionSeq, v.sessions, v.varies ? 'no' : 'yes']),
      ),
    );
  }
  if (r.latency) {
    const l = r.latency;
    out.push(
      table(
        `Return → outcome latency, ms (${l.sessions} sessions each, interleaved, concurrency ${l.concurrency}, ${l.warmup} warm-up rounds uncounted)`,
        ['impl', 'n', 'p50', 'p95', 'p99', 'mean', 'max', 'errors'],
        Object.entries(l.byImpl).map(([k, v]) => [k, v.n, v.p50, v.p95, v.p99, v.mean, v.max, v.errors]),
      ),
      table('Latency ratios', ['ratio', 'p50', 'p95', 'p99'], ratioRows(l, r.floor)),
    );
  }
  if (r.throughput) {
    const t = r.throughput;
    const present = CPU_COLUMNS.filter((c) => t.points.some((p) => c in p.cpuPct));
    out.push(
      table(
        'Sustained throughput, closed loop (checkouts/s end to end; CPU as % of one core per process over the window)',
        ['impl', 'conc', 'ckout/s', 'e2e p50', 'e2e p95', 'errors', ...present.map((c) => `cpu ${c}`)],
        t.points.map((p) => [p.impl, p.concurrency, p.perSecond, p.e2eMs.p50, p.e2eMs.p95, p.errors, ...present.map((c) => p.cpuPct[c])]),
      ),
      table(
        'CPU milliseconds per completed checkout, per process (same windows)',
        ['impl', 'conc', ...present],
        t.points.map((p) => [p.impl, p.concurrency, ...present.map((c) => p.cpuMsPerCheckout[c])]),
      ),
    );
    const best = Object.entries(t.best).map(([k, v]) => `${k} ${v.perSecond}/s at ${v.concurrency}`);
    const floor = r.floor ? `${r.floor.floor} (the faster floor by ${r.floor.by})` : 'floor';
    out.push(`best: ${best.join(' · ')}${t.ratioAtBest !== undefined ? ` · service / ${floor} = ${t.ratioAtBest}` : ''}`);
  }
  if (r.pending) {
    const p = r.pending;
    out.push(
      table(
        `Pending authorization: settle (IPN) → Completed in MongoDB, ms (polled every ${p.pollMs} ms)`,
        ['n', 'p50', 'p95', 'p99', 'max', 'errors', 'IPNs', 'delivered', 'retried', 'failed'],
        [[p.n, p.p50, p.p95, p.p99, p.max, p.errors, p.ipnDeliveries.total, p.ipnDeliveries.delivered, p.ipnDeliveries.retried, p.ipnDeliveries.failed]],
      ),
    );
  }
  if (r.waiting) {
    const w = r.waiting;
    out.push(
      table(
        `Waiting sessions: ${w.sessions} started and left waiting (WORKER_MAX_CACHED_WORKFLOWS=${w.maxCachedWorkflows}), then all returned; concurrency ${w.concurrency}`,
        ['phase', 'per second', 'errors'],
        [
          ['start (API answered)', w.startPerSecond, w.startErrors],
          ['start (all Created records in MongoDB)', w.startRecordedPerSecond, null],
          ['start (worker ran every start: backlog 0)', w.startProcessedPerSecond, null],
          ['drain (return → Completed)', w.drainPerSecond, w.drainErrors],
        ],
      ),
      table(
        'RSS, MiB',
        ['process', 'before', 'peak while starting', 'all waiting', 'peak while draining', 'after drain'],
        Object.keys(w.rssMiB.before).map((k) => [
          k,
          w.rssMiB.before[k],
          w.rssMiB.peakDuringStart[k],
          w.rssMiB.allWaiting[k],
          w.rssMiB.peakDuringDrain[k],
          w.rssMiB.afterDrain[k],
        ]),
      ),
    );
  }
  const errors = [
    ...Object.entries(r.latency?.byImpl ?? {}).map(([k, v]) => (v.firstError ? `latency ${k}: ${v.firstError}` : '')),
    ...(r.throughput?.points ?? []).map((p) => (p.firstError ? `throughput ${p.impl} c=${p.concurrency}: ${p.firstError}` : '')),
    r.pending?.firstError ? `pending: ${r.pending.firstError}` : '',
    r.waiting?.firstError ? `waiting: ${r.waiting.firstError}` : '',
  ].filter(Boolean);
  if (errors.length > 0) out.push(`\nfirst error of each failing run:\n  ${errors.join('\n  ')}`);
  return out.join('\n');
}
