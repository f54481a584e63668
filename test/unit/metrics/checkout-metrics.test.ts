// activities/metrics.ts: a step counts only when its write was applied (a retry or a replay is not counted again),
// final states read the record once for flow and durations, and a failing read never fails the write.
import { Registry } from 'prom-client';
import { CheckoutMetrics, meteredRecords } from '../../../activities/metrics';
import type { CheckoutRecords } from '../../../records/checkout-sessions';
import type { RecordStepRequest } from '../../../records/types';

const step = (seq: number, at: string) => ({ seq, workflowId: 'wf', runId: 'run', at });
const completed: RecordStepRequest = { checkoutSessionId: 'S1', step: step(3, '2026-01-01T00:00:10.000Z'), event: { type: 'Completed' }, set: { state: 'Completed' } };

function fake(applied: boolean[], doc: unknown = { flow: 'finalize', createdAt: new Date('2026-01-01T00:00:00Z'), returnedAt: new Date('2026-01-01T00:00:08Z') }) {
  const calls = { get: 0 };
  const records = {
    applyStep: async () => ({ applied: applied.shift() ?? false }),
    get: async () => {
      calls.get++;
      if (doc instanceof Error) throw doc;
      return doc;
    },
  } as unknown as CheckoutRecords;
  return { records, calls };
}

async function values(r: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number; metricName?: string }[]> {
  return (await r.getSingleMetric(name)!.get()).values as { labels: Record<string, string | number>; value: number; metricName?: string }[];
}

describe('CheckoutMetrics through meteredRecords', () => {
  it('counts an applied final step once, with the flow and durations from the record; a retry that applies nothing is not counted', async () => {
    const registry = new Registry();
    const m = new CheckoutMetrics([registry]);
    const { records, calls } = fake([true, false]);
    const metered = meteredRecords(records, m);
    expect(await metered.applyStep(completed)).toEqual({ applied: true });
    expect(await metered.applyStep(completed)).toEqual({ applied: false });
    expect(calls.get).toBe(1);
    expect(await values(registry, 'checkout_sessions_ended_total')).toEqual([{ labels: { state: 'Completed', flow: 'finalize' }, value: 1 }]);
    const fromReturn = await values(registry, 'checkout_return_to_outcome_seconds');
    expect(fromReturn.find((v) => v.metricName === 'checkout_return_to_outcome_seconds_sum')?.value).toBe(2);
    const fromStart = await values(registry, 'checkout_session_duration_seconds');
    expect(fromStart.find((v) => v.metricName === 'checkout_session_duration_seconds_sum')?.value).toBe(10);
  });

  it('a recovered session (no return time) counts as a recovery, and no return → outcome observation', async () => {
    const registry = new Registry();
    const m = new CheckoutMetrics([registry]);
    const { records } = fake([true], { flow: 'complete', createdAt: new Date('2026-01-01T00:00:00Z'), recoveredAt: new Date('2026-01-01T00:00:05Z') });
    await meteredRecords(records, m).applyStep(completed);
    expect(await values(registry, 'checkout_recoveries_total')).toEqual([{ labels: { state: 'Completed' }, value: 1 }]);
    const fromReturn = await values(registry, 'checkout_return_to_outcome_seconds');
    expect(fromReturn.filter((v) => v.metricName?.endsWith('_count'))).toEqual([]);
  });

  it('a failing record read still counts the end (flow unknown) and never fails the write', async () => {
    const registry = new Registry();
    const m = new CheckoutMetrics([registry]);
    const { records } = fake([true], new Error('store down'));
    expect(await meteredRecords(records, m).applyStep(completed)).toEqual({ applied: true });
    expect(await values(registry, 'checkout_sessions_ended_total')).toEqual([{ labels: { state: 'Completed', flow: 'unknown' }, value: 1 }]);
  });

  it('other methods pass through to the records', async () => {
    const { records } = fake([]);
    const metered = meteredRecords(records, new CheckoutMetrics([new Registry()]));
    expect(await metered.get('S1')).toMatchObject({ flow: 'finalize' });
  });
});
