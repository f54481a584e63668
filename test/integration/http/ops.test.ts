// Liveness, readiness against the real stack (and against unreachable backends), and the Prometheus text.
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { buildApp } from '../../../client/http/app';
import { createLogger } from '../../../client/temporal/logger';
import { createHarness, type Harness } from '../../helpers/checkout-harness';
import { listen, testApp, testConfig, type ListeningApp } from '../../helpers/http-app';

jest.setTimeout(60_000);

let h: Harness;
let app: ListeningApp;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  app = await listen(testApp(h));
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('operations endpoints', () => {
  it('GET /healthz: the process is up', async () => {
    const r = await app.request({ url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ ok: true });
  });

  it('GET /readyz: 200 with Temporal and MongoDB reachable', async () => {
    const r = await app.request({ url: '/readyz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ ready: true, checks: { temporal: 'ok', mongodb: 'ok' } });
  });

  it('GET /readyz: 503 when Temporal and MongoDB are unreachable', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const mongo = new MongoClient('mongodb://127.0.0.1:1', { serverSelectionTimeoutMS: 500 });
    const down = await listen(
      buildApp({ client: new Client({ connection }), db: mongo.db('x'), config: testConfig(h), logger: createLogger('silent', 'http') }),
    );
    try {
      const r = await down.request({ url: '/readyz' });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({ error: 'not_ready', message: expect.any(String), checks: { temporal: 'unavailable', mongodb: 'unavailable' } });
    } finally {
      await down.close();
      await mongo.close();
      await connection.close().catch(() => undefined);
    }
  });

  it('GET /metrics: request counts by route and status, latency histogram, RSS', async () => {
    await app.request({ url: '/healthz' });
    await app.request({ url: '/nope' });
    const r = await app.request({ url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.body).toMatch(/^http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+$/m);
    expect(r.body).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    expect(r.body).toMatch(/^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/healthz",status_class="2xx"\} \d+$/m);
    expect(r.body).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(r.body).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('unknown routes answer the JSON error shape', async () => {
    const r = await app.request({ url: '/nope?token=secret' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: 'not_found', message: 'no route for GET /nope' });
  });
});
