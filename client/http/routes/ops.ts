// Liveness, readiness (Temporal and MongoDB reachable) and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import { withTimeout, type AppContext } from '../context';

const CHECK_TIMEOUT_MS = 2_000;

export function opsRoutes(app: FastifyInstance, c: AppContext): void {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (req, reply) => {
    const [temporal, mongo] = await Promise.allSettled([
      c.client.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => c.client.workflowService.getSystemInfo({})),
      withTimeout(c.db.command({ ping: 1 }), CHECK_TIMEOUT_MS, 'MongoDB'),
    ]);
    const checks = { temporal: temporal.status === 'fulfilled' ? 'ok' : 'unavailable', mongodb: mongo.status === 'fulfilled' ? 'ok' : 'unavailable' };
    if (temporal.status === 'fulfilled' && mongo.status === 'fulfilled') return reply.send({ ready: true, checks });
    req.log.warn({ checks }, 'not ready');
    return reply.code(503).send({ error: 'not_ready', message: 'a backing service is unavailable', checks });
  });

  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await c.metrics.render()));
}
