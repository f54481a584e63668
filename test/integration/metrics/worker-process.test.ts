// The worker as a real process (worker/main.ts): its own /metrics on WORKER_PROM_PORT carries the business metrics of
// a checkout it ran, and the Temporal SDK's metrics stay on their own endpoint (WORKER_METRICS_ADDRESS).
import type { ChildProcess } from 'node:child_process';
import { deliverReturn, startCheckout } from '../../../client/temporal/checkout';
import { createHarness, deadlineIn, eventually, type Harness } from '../../helpers/checkout-harness';
import { freePort } from '../../helpers/http-app';
import { parsePrometheusText } from '../../helpers/prom-text';
import { spawnWorkerProcess } from '../../helpers/worker-process';

jest.setTimeout(120_000);

let h: Harness;
let child: ChildProcess | undefined;
let promPort: number;
let sdkPort: number;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  promPort = await freePort();
  sdkPort = await freePort();
  child = spawnWorkerProcess(h, {
    WORKER_PROM_PORT: String(promPort),
    WORKER_PROM_HOST: '127.0.0.1',
    WORKER_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
  });
});
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  await h?.close();
});

const text = async (port: number) => {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  return r.text();
};

it('serves its business metrics on WORKER_PROM_PORT and the SDK metrics on WORKER_METRICS_ADDRESS', async () => {
  const id = await h.createSession();
  await h.buyer(id, 'approve');
  await startCheckout(h.client, { checkoutSessionId: id, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' }, deadline: deadlineIn(60_000) }, h.taskQueue);
  const r = await deliverReturn(h.client, id, 60_000);
  expect(r).toMatchObject({ kind: 'outcome', outcome: { state: 'Completed' } });

  const m = await eventually(async () => {
    const e = parsePrometheusText(await text(promPort));
    return e.sum('checkout_sessions_ended_total') >= 1 && e;
  });
  expect(m.value('checkout_sessions_ended_total', { state: 'Completed', flow: 'complete' })).toBe(1);
  expect(m.value('checkout_sessions_started_total', { flow: 'complete' })).toBe(1);
  expect(m.value('checkout_session_duration_seconds_count', { state: 'Completed', flow: 'complete' })).toBe(1);
  expect(m.has('process_resident_memory_bytes')).toBe(true);
  await eventually(async () => parsePrometheusText(await text(promPort)).value('checkout_sessions', { state: 'Completed' }) === 1, 15_000, 500);
  expect(await text(promPort)).not.toContain(id);

  // The SDK's own endpoint: Temporal's worker metrics, apart from ours.
  const sdk = await text(sdkPort);
  expect(sdk).toMatch(/^temporal_[a-z_]+/m);
  expect(sdk).not.toContain('checkout_sessions_ended_total');
  expect((await fetch(`http://127.0.0.1:${promPort}/other`)).status).toBe(404);
});
