// A small fault-injection soak inside npm test: ~30 sessions of every kind (lost returns included) while Amazon Pay
// fails about a quarter of the time, the merchant's webhook receiver fails a third of its requests, the worker is
// killed once and the store restarts once. Zero violations required: one effect each, every final state delivered.
import { runSoak, defaultSoakOptions } from '../../../soak/run';

jest.setTimeout(600_000);

it('every session ends once, in the state Amazon’s truth implies, recorded, under faults and restarts', async () => {
  const report = await runSoak({
    ...defaultSoakOptions,
    sessions: 30,
    seed: 7,
    minutes: 4,
    concurrency: 6,
    workerKills: 1,
    httpKills: 0,
    temporalRestarts: 0,
    storeRestarts: 1,
    log: () => undefined,
  });
  if (report.violations.length > 0) process.stderr.write(`${JSON.stringify(report.violations, null, 1)}\n`);
  expect(report.sessions).toBe(30);
  expect(report.kills.worker).toBe(1);
  expect(report.restarts.store).toBe(1);
  expect(Object.values(report.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  expect(report.violations).toEqual([]);
  expect(report.recovered).toBeGreaterThan(0);
  expect(report.webhooks.finalEvents).toBe(30);
  expect(Object.values(report.webhooks.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  expect(report.webhooks.badSignatures).toBe(0);
});
