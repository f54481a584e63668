// Scenario 4: a pending authorization settles. Sessions that can handle a pending authorization, buyer action
// 'approve-pending', the return answers AuthorizationPending; then the emulator settles the charge to Authorized and
// POSTs the IPN to the HTTP server, which signals the workflow, which re-reads the charge and records Completed.
// Timed from the settle call until MongoDB shows the session Completed (polled every POLL_MS).
import { DBS, type BenchEnv } from './env';
import { returnViaUrl, waitIdle, type Impl } from './impls';
import { summarize, type LatencySummary } from './metrics';
import { sleep } from './pool';

export const POLL_MS = 5;
const SETTLE_TIMEOUT_MS = 20_000;

export interface PendingResult extends LatencySummary {
  pollMs: number;
  errors: number;
  firstError?: string;
  /** The emulator's IPN log over the scenario. */
  ipnDeliveries: { total: number; delivered: number; retried: number; failed: number };
}

async function until<T>(
  what: string,
  timeoutMs: number,
  everyMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(everyMs);
  }
  throw new Error(`${what} not seen within ${timeoutMs} ms`);
}

export async function runPending(
  env: BenchEnv,
  service: Impl,
  o: { sessions: number; warmup: number },
): Promise<PendingResult> {
  const sessions = env
    .db(DBS.service)
    .collection<{ _id: string; state: string; chargeId?: string | null }>('checkoutSessions');
  const samples: number[] = [];
  const failures: string[] = [];
  const seenBefore = new Set((await ipnDeliveries(env)).map((d) => d.notificationId));
  // IPNs are on for this scenario only: elsewhere the baselines' charges would load the service's HTTP server.
  await env.admin('POST', '/config', { ipnUrl: env.service!.ipnUrl });
  try {
    await measure();
  } finally {
    await env.admin('POST', '/config', { ipnUrl: null });
  }
  const list = (await ipnDeliveries(env)).filter((d) => !seenBefore.has(d.notificationId));
  return {
    ...summarize(samples),
    pollMs: POLL_MS,
    errors: failures.length,
    ...(failures[0] ? { firstError: failures[0] } : {}),
    ipnDeliveries: {
      total: list.length,
      delivered: list.filter((d) => d.state === 'delivered').length,
      retried: list.filter((d) => d.attempts > 1).length,
      failed: list.filter((d) => d.state === 'failed').length,
    },
  };

  async function measure(): Promise<void> {
    for (let i = 0; i < o.warmup + o.sessions; i++) {
      try {
        const id = await service.prepare({
          session: { canHandlePendingAuthorization: true },
          buyerAction: 'approve-pending',
        });
        const answered = await returnViaUrl(env, id);
        if (answered !== 'AuthorizationPending')
          throw new Error(`return answered ${answered}, expected AuthorizationPending`);
        const chargeId = await until('chargeId in the record', 10_000, 10, async () => {
          const d = await sessions.findOne({ _id: id }, { projection: { chargeId: 1 } });
          return d?.chargeId ?? undefined;
        });
        await waitIdle(env, service.workflowId!(id));

        const t0 = performance.now();
        await env.admin('POST', `/charges/${chargeId}/settle`, { to: 'Authorized' });
        await until('state Completed in MongoDB', SETTLE_TIMEOUT_MS, POLL_MS, async () => {
          const d = await sessions.findOne({ _id: id }, { projection: { state: 1 } });
          return d?.state === 'Completed' ? true : undefined;
        });
        if (i >= o.warmup) samples.push(performance.now() - t0);
      } catch (err) {
        if (i >= o.warmup) failures.push((err as Error).message);
      }
    }
  }
}

/** The fields used from the emulator's `GET /_emulator/ipn-deliveries`. */
interface IpnDelivery {
  notificationId: string;
  attempts: number;
  state: 'pending' | 'delivered' | 'failed';
}

const ipnDeliveries = (env: BenchEnv) => env.admin<IpnDelivery[]>('GET', '/ipn-deliveries');
