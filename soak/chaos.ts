// Chaos: Amazon Pay faults at seeded rates, and kills and restarts of the worker, the HTTP server, Temporal and the
// store at seeded points of the driving phase.
import type { Emulator, LogEntry } from '../emulator';
import { sleep } from './drive';
import type { Random } from './prng';
import type { Service } from './service';

/** Amazon Pay faults, on every API path, from seeded rates; returns the label of each fault by its ID. */
export function addAmazonPayFaults(em: Emulator, faultRate: number, rnd: Random): Map<string, string> {
  const share = faultRate / 5;
  const faultSeed = Math.floor(rnd() * 1e9);
  const faultLabels = new Map<string, string>();
  const addFault = (label: string, spec: Parameters<typeof em.state.addFault>[0]) => faultLabels.set(em.state.addFault(spec).id, label);
  addFault('503', { match: {}, action: { type: 'status', status: 503, reasonCode: 'ServiceUnavailable' }, rate: share * 1.5, seed: faultSeed });
  addFault('500', { match: {}, action: { type: 'status', status: 500, reasonCode: 'InternalServerError' }, rate: share * 0.5, seed: faultSeed + 1 });
  addFault('429+Retry-After', { match: {}, action: { type: 'status', status: 429, reasonCode: 'TooManyRequests', retryAfterSeconds: 1 }, rate: share, seed: faultSeed + 2 });
  addFault('connection reset', { match: {}, action: { type: 'reset' }, rate: share, seed: faultSeed + 3 });
  addFault('response dropped after the effect', { match: { method: 'POST' }, action: { type: 'drop-after-commit' }, rate: share, seed: faultSeed + 4 });
  // Added latency slows a call without failing it: the emulator does not log it as a fault, so it is not counted.
  addFault('latency 400 ms', { match: {}, action: { type: 'latency', ms: 400 }, rate: 0.1, seed: faultSeed + 5 });
  return faultLabels;
}

/** How many API calls each fault failed, by label. */
export function countFaults(entries: LogEntry[], faultLabels: Map<string, string>): Record<string, number> {
  const faults: Record<string, number> = {};
  for (const e of entries) {
    if (!e.fault) continue;
    const label = faultLabels.get(e.fault.split(':')[0]!) ?? e.fault;
    faults[label] = (faults[label] ?? 0) + 1;
  }
  return faults;
}

export interface Chaos {
  /** Fires the events due once `begun` sessions have started driving. */
  at(begun: number): void;
  /** Fires the events not yet due and waits until every event is done. */
  finish(): Promise<void>;
  /** Events done so far, by kind. */
  counts: { worker: number; http: number; temporal: number; store: number };
}

/**
 * Kills and restarts at seeded points of the driving phase, counted in sessions begun rather than in wall-clock
 * time, so every scheduled fault happens (a fast run cannot finish before its kills) and the same seed puts them at
 * the same place in the mix.
 */
export function scheduleChaos(
  o: { sessions: number; workerKills: number; httpKills: number; temporalRestarts: number; storeRestarts: number },
  svc: Pick<Service, 'stack' | 'procs' | 'spawnWorker' | 'spawnHttp' | 'httpReady'>,
  rnd: Random,
  log: (line: string) => void,
): Chaos {
  const counts = { worker: 0, http: 0, temporal: 0, store: 0 };
  const procs = svc.procs;
  const chaosEvents = [
    ...Array.from({ length: o.workerKills }, () => 'worker' as const),
    ...Array.from({ length: o.httpKills }, () => 'http' as const),
    ...Array.from({ length: o.temporalRestarts }, () => 'temporal' as const),
    ...Array.from({ length: o.storeRestarts }, () => 'store' as const),
  ]
    .map((kind) => ({ kind, afterSessions: 1 + Math.floor(rnd() * Math.max(1, o.sessions * 0.8)) }))
    .sort((a, b) => a.afterSessions - b.afterSessions);
  let chaosBusy: Promise<void> = Promise.resolve();
  const fireChaos = (kind: (typeof chaosEvents)[number]['kind']) => {
    chaosBusy = chaosBusy.then(async () => {
      try {
        if (kind === 'worker') {
          procs.worker?.child.kill('SIGKILL');
          await procs.worker?.stop(2_000);
          await sleep(500 + rnd() * 1500);
          procs.worker = svc.spawnWorker();
          counts.worker++;
        } else if (kind === 'http') {
          procs.http?.child.kill('SIGKILL');
          await procs.http?.stop(2_000);
          await sleep(500 + rnd() * 1000);
          procs.http = svc.spawnHttp();
          await svc.httpReady(procs.http);
          counts.http++;
        } else if (kind === 'temporal') {
          await svc.stack.restart('temporal', 1_000);
          counts.temporal++;
        } else {
          await svc.stack.restart('mongodb', 1_000);
          counts.store++;
        }
        log(`chaos: ${kind} ${kind === 'worker' || kind === 'http' ? 'killed (SIGKILL) and restarted' : 'stopped and restarted'}`);
      } catch (err) {
        log(`chaos: ${kind} failed: ${(err as Error).message}`);
      }
    });
  };
  /** Fires the events due once `begun` sessions have started driving. */
  const chaosAt = (begun: number) => {
    while (chaosEvents.length > 0 && chaosEvents[0]!.afterSessions <= begun) fireChaos(chaosEvents.shift()!.kind);
  };
  return {
    at: chaosAt,
    finish: async () => {
      chaosAt(Number.POSITIVE_INFINITY); // a run cut short by --minutes still gets every scheduled fault
      await chaosBusy;
    },
    counts,
  };
}
