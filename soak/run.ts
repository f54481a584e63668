// Fault-injection soak: a seeded mix of sessions driven through the service's public HTTP routes while Amazon Pay
// (the emulator) fails, the worker and the HTTP server are killed, and Temporal and the store restart. At the end
// every session is checked against the emulator's truth: exactly-once effects, the closed workflow, the record.
import { join, resolve } from 'node:path';
import type { LogEntry } from '../emulator';
import { addAmazonPayFaults, countFaults, scheduleChaos, type Chaos } from './chaos';
import { settleAndCheck, type Violation } from './check';
import { driveSessions } from './drive';
import { buildPlans, planMix, type Plan } from './plan';
import { mulberry32 } from './prng';
import { startService } from './service';
import type { WebhookReceiver } from './webhook-receiver';

const ROOT = resolve(__dirname, '..');

export interface SoakOptions {
  sessions: number;
  seed: number;
  /** Upper bound of the driving phase; sessions still open afterwards get `settleMinutes` to finish. */
  minutes: number;
  concurrency: number;
  workerKills: number;
  httpKills: number;
  temporalRestarts: number;
  storeRestarts: number;
  /** Share of Amazon Pay API calls that fail in some way (split over the fault kinds). */
  faultRate: number;
  /** Share of webhook deliveries the merchant's receiver fails (503, 429, dropped, too late). */
  webhookFaultRate: number;
  outDir: string;
  /** Temporal's production shape (npm run cluster) with two workers and two HTTP servers. */
  cluster?: boolean;
  log?: (line: string) => void;
}

export const defaultSoakOptions: SoakOptions = {
  sessions: 300,
  seed: 1,
  minutes: 10,
  concurrency: 12,
  workerKills: 4,
  httpKills: 2,
  temporalRestarts: 1,
  storeRestarts: 1,
  faultRate: 0.3,
  webhookFaultRate: 0.3,
  outDir: join(ROOT, 'test-output', 'soak'),
};

export interface SoakReport {
  sessions: number;
  byPlan: Record<string, number>;
  faults: Record<string, number>;
  apiCalls: number;
  kills: { worker: number; http: number };
  restarts: { temporal: number; store: number };
  /** Lost returns completed by recovery. */
  recovered: number;
  webhooks: { finalEvents: number; pendingEvents: number; deliveries: number; duplicateDeliveries: number; faults: Record<string, number>; badSignatures: number };
  violations: Violation[];
  durationS: number;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? ((l: string) => process.stdout.write(`[soak] ${l}\n`));
  const started = Date.now();
  const rnd = mulberry32(o.seed);
  const svc = await startService({ seed: o.seed, webhookFaultRate: o.webhookFaultRate, log, cluster: o.cluster });
  try {
    // The seed's draws, in this order: the Amazon Pay faults, the session mix, the chaos schedule.
    const faultLabels = addAmazonPayFaults(svc.emulator, o.faultRate, rnd);
    const plans = buildPlans(rnd, o.sessions);
    const driveUntil = Date.now() + o.minutes * 60_000;
    const chaos = scheduleChaos(o, svc, rnd, log);

    await driveSessions(plans, svc, rnd, { concurrency: o.concurrency, until: driveUntil, onBegin: chaos.at });
    await chaos.finish();
    log(`driving done in ${((Date.now() - started) / 1000).toFixed(0)} s; waiting for every workflow to close`);

    // Faults off for the settling phase; every workflow is given time to reach its end.
    svc.emulator.state.clearFaults();
    svc.receiver.setFaultRate(0);
    const violations = await settleAndCheck(plans, svc, o.outDir);

    const entries = svc.emulator.state.log();
    await svc.connection.close();
    return soakReport({ started, plans, entries, faultLabels, hooks: svc.receiver, counts: chaos.counts, violations });
  } finally {
    await svc.stop();
  }
}

/** The report, from the plans as driven, the emulator's request log, the chaos done and what the receiver kept. */
function soakReport(r: {
  started: number;
  plans: Plan[];
  entries: LogEntry[];
  faultLabels: Map<string, string>;
  hooks: WebhookReceiver;
  counts: Chaos['counts'];
  violations: Violation[];
}): SoakReport {
  const { plans, entries, hooks, counts } = r;
  const received = [...hooks.events.values()];
  const deliveries = received.reduce((a, e) => a + e.deliveries, 0);
  return {
    sessions: plans.filter((p) => p.id).length,
    byPlan: planMix(plans),
    faults: countFaults(entries, r.faultLabels),
    apiCalls: entries.length,
    kills: { worker: counts.worker, http: counts.http },
    restarts: { temporal: counts.temporal, store: counts.store },
    recovered: received.filter((e) => e.recovered && e.type === 'checkout.completed').length,
    webhooks: {
      finalEvents: received.filter((e) => e.type !== 'checkout.authorization_pending').length,
      pendingEvents: received.filter((e) => e.type === 'checkout.authorization_pending').length,
      deliveries,
      duplicateDeliveries: deliveries - received.length,
      faults: { ...hooks.faults },
      badSignatures: hooks.badSignatures,
    },
    violations: r.violations,
    durationS: Math.round((Date.now() - r.started) / 1000),
  };
}
