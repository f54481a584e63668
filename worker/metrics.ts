// The worker's own /metrics (WORKER_PROM_PORT): default Node metrics (process, GC, event loop), the business metrics
// the activities count (activities/metrics.ts) and gauges sampled from the records, cached for a few seconds so a
// scrape costs at most one round of store queries. The Temporal SDK's own metrics stay on their Core endpoint
// (WORKER_METRICS_ADDRESS), apart from this one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from 'mongodb';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { CheckoutMetrics } from '../activities/metrics';
import { CheckoutState } from '../domain/checkout';
import { recordStats, type RecordStats } from '../records/stats';

export interface WorkerMetrics {
  registry: Registry;
  checkout: CheckoutMetrics;
}

/** `db` absent: no sampled gauges (they are registered all the same, reading 0). */
export function createWorkerMetrics(db?: Db, opts: { cacheMs?: number; defaultMetrics?: boolean } = {}): WorkerMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const checkout = new CheckoutMetrics([registry]);
  const cacheMs = opts.cacheMs ?? 5_000;
  let cached: { at: number; stats: Promise<RecordStats | null> } | undefined;
  const stats = (): Promise<RecordStats | null> => {
    if (!db) return Promise.resolve(null);
    if (!cached || Date.now() - cached.at > cacheMs) cached = { at: Date.now(), stats: recordStats(db).catch(() => null) };
    return cached.stats;
  };
  const registers = [registry];
  new Gauge({
    name: 'checkout_sessions',
    help: 'Sessions in the records by current state (sampled, cached a few seconds).',
    labelNames: ['state'],
    registers,
    async collect() {
      const s = await stats();
      for (const state of CheckoutState.options) if (s) this.set({ state }, s.byState[state]);
    },
  });
  const sampled: [name: string, help: string, value: (s: RecordStats) => number][] = [
    [
      'checkout_authorization_pending_oldest_age_seconds',
      'Age of the oldest session in AuthorizationPending since its last step; 0 when none (sampled).',
      (s) => s.oldestPendingSeconds,
    ],
    ['checkout_sessions_past_deadline', 'Sessions not in a final state whose deadline has passed (sampled).', (s) => s.pastDeadline],
    [
      'checkout_webhooks_retrying',
      'Sessions whose latest merchant webhook is still being retried: the webhook backlog (sampled).',
      (s) => s.webhooksRetrying,
    ],
  ];
  for (const [name, help, value] of sampled) {
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const s = await stats();
        if (s) this.set(value(s));
      },
    });
  }
  return { registry, checkout };
}

/** Serves GET /metrics (and nothing else) on `port` (0: any free port). */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  return { server, port: (server.address() as AddressInfo).port };
}
