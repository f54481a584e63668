// Builds the Fastify app from injected dependencies; never listens (CONVENTIONS.md 13), so tests use app.inject.
import type { Client } from '@temporalio/client';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { CheckoutRecords } from '../../records/checkout-sessions';
import { activeTracing, nameRequestSpan } from '../temporal/tracing';
import { installBodyParsers } from './body';
import type { HttpConfig } from './config';
import type { AppContext } from './context';
import { frameworkErrors, installErrorHandlers } from './errors';
import { HttpMetrics } from './metrics';
import { buyerRoutes } from './routes/buyer';
import { ipnRoutes } from './routes/ipn';
import { merchantApiRoutes } from './routes/merchant-api';
import { opsRoutes } from './routes/ops';
import { KnownSessions } from './known-sessions';
import { SnsVerifier, type CertFetcher } from './sns';

export interface AppDeps {
  client: Client;
  db: Db;
  records?: CheckoutRecords;
  config: HttpConfig;
  logger: Logger;
  /** How SNS signing certificates are fetched; default: HTTPS GET. */
  fetchCert?: CertFetcher;
}

/** Session IDs remembered as existing per server (about 100 bytes each). */
const KNOWN_SESSIONS_MAX = 100_000;

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's request log carries the URL with its query string; one line per response is written below instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    return503OnClosing: true,
    frameworkErrors,
    // Rate limits are per client address: behind a load balancer, the address it forwards (HTTP_TRUST_PROXY).
    trustProxy: config.HTTP_TRUST_PROXY,
  });

  const records = deps.records ?? new CheckoutRecords(deps.db);
  const ctx: AppContext = {
    client: deps.client,
    db: deps.db,
    records,
    config,
    log: deps.logger,
    metrics: new HttpMetrics(),
    sns: new SnsVerifier({
      allowedCertHosts: config.IPN_ALLOWED_CERT_HOSTS,
      ...(config.IPN_TRUST_EMULATOR_CERT_URL_PREFIX ? { trustedCertUrlPrefix: config.IPN_TRUST_EMULATOR_CERT_URL_PREFIX } : {}),
      ...(deps.fetchCert ? { fetchCert: deps.fetchCert } : {}),
    }),
    knownSessions: new KnownSessions(records, {
      max: KNOWN_SESSIONS_MAX,
      lookups: { perSecond: config.SESSION_LOOKUPS_PER_SEC, burst: config.SESSION_LOOKUPS_BURST },
    }),
  };

  ctx.metrics.certFetches = () => ctx.sns.fetches;
  installBodyParsers(app);
  installErrorHandlers(app);
  // The http instrumentation knows the path, not the route: name the request's span after its template.
  if (activeTracing()) app.addHook('onRequest', async (req) => nameRequestSpan(req.method, req.routeOptions.url));
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    ctx.metrics.observe(req.method, route, reply.statusCode, ms / 1000);
    req.log.info({ method: req.method, route, status: reply.statusCode, ms: Math.round(ms) }, 'request');
  });

  opsRoutes(app, ctx);
  merchantApiRoutes(app, ctx);
  buyerRoutes(app, ctx);
  ipnRoutes(app, ctx);
  return app;
}
