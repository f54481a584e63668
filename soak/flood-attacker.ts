// The flood's attacker, in its own process: garbage returns and cancels and forged IPNs against the service's URL.
// An attacker's CPU is not the server's: on this 2-core machine the flood script runs this at the lowest priority
// (nice 19), so sending the flood takes the CPU the service leaves idle rather than the service's own, and the
// legitimate checkouts' Amazon Pay (the emulator, in the flood script) is not queued behind the attacker's sockets.
// Input: one JSON argument {serviceUrl, garbage, ipn, concurrency, seed, deadline}; output: its tally as JSON on stdout.
import { mulberry32 } from './prng';
import { forgedIpn, garbageRequest, loop, Tally } from './flood-traffic';

export interface AttackerPlan {
  serviceUrl: string;
  garbage: number;
  ipn: number;
  /** Requests in flight at once, shared between garbage and IPNs in proportion to their counts. */
  concurrency: number;
  seed: number;
  /** Epoch ms after which no request starts. */
  deadline: number;
}

export interface AttackerReport {
  tally: Pick<Tally, 'statuses' | 'serverErrors' | 'firstTransportError'>;
  seconds: number;
  /** The attacker's own CPU over its run, % of one core. */
  cpuPct: number;
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '') as AttackerPlan;
  const rnd = mulberry32(plan.seed);
  const t = new Tally();
  t.phase = 'flood';
  const svc = { serviceUrl: plan.serviceUrl };
  const garbageC = Math.max(1, Math.round((plan.concurrency * plan.garbage) / Math.max(1, plan.garbage + plan.ipn)));
  const t0 = performance.now();
  await Promise.all([
    loop(plan.garbage, garbageC, plan.deadline, garbageRequest(svc, t, rnd)),
    loop(plan.ipn, Math.max(1, plan.concurrency - garbageC), plan.deadline, forgedIpn(svc, t, rnd)),
  ]);
  const cpu = process.cpuUsage();
  const report: AttackerReport = {
    tally: { statuses: t.statuses, serverErrors: t.serverErrors, firstTransportError: t.firstTransportError },
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 1000) / 10,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[flood attacker] ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
