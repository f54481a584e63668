// The worker process: configuration, connections, indexes, Worker.create, graceful shutdown, metrics, tracing.
import './tracing-preload'; // first: tracing must patch http and mongodb before they load
import { readFileSync } from 'node:fs';
import type { DataConverter, Duration } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { MongoClient } from 'mongodb';
import { createActivities } from '../activities';
import { createAmazonPayClient } from '../activities/amazon-pay/client';
import { CheckoutRecords } from '../records/checkout-sessions';
import { webhookTarget } from '../activities/webhooks/config';
import { connectionOptions } from '../client/temporal/connection';
import { dataConverterFromEnv } from '../client/temporal/data-converter';
import { configOrExit } from '../client/temporal/env';
import { loadWorkerConfig, workerWebhookConfig, type WorkerConfig } from './config';
import { createLogger } from '../client/temporal/logger';
import { createWorkerMetrics, serveMetrics } from './metrics';
import { PRELOADED_WORKFLOW_MODULES, WORKFLOWS_PATH } from './bundle';
import { activeTracing } from '../client/temporal/tracing';
import { workerTracingOptions } from './tracing';

const TEMPORAL_LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };

/** Throws CodecKeysError (bad keys) or CodecKeysRequiredError (production without keys) before anything connects. */
export function workerDataConverter(cfg: WorkerConfig): DataConverter {
  const { PAYLOAD_CODEC_KEYS, PAYLOAD_CODEC_KEYS_FILE, PAYLOAD_CODEC_CURRENT_KEY_ID, NODE_ENV } = cfg;
  return dataConverterFromEnv({ PAYLOAD_CODEC_KEYS, PAYLOAD_CODEC_KEYS_FILE, PAYLOAD_CODEC_CURRENT_KEY_ID, NODE_ENV }, 'worker');
}

export async function runWorker(cfg: WorkerConfig, dataConverter: DataConverter = workerDataConverter(cfg)): Promise<void> {
  const log = createLogger(cfg.LOG_LEVEL, 'worker');
  const codec = dataConverter.payloadCodecs?.[0];
  if (!codec) log.warn('no PAYLOAD_CODEC_KEYS: payloads are written to Temporal unencrypted (local development only)');
  Runtime.install({
    logger: new DefaultLogger(TEMPORAL_LEVELS[cfg.LOG_LEVEL] ?? 'WARN', ({ level, message, meta }) => {
      const l = level.toLowerCase() as 'info';
      (log[l] ?? log.info).call(log, meta ?? {}, message);
    }),
    telemetryOptions: cfg.WORKER_METRICS_ADDRESS
      ? { metrics: { prometheus: { bindAddress: cfg.WORKER_METRICS_ADDRESS } } }
      : undefined,
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });

  const mongo = await MongoClient.connect(cfg.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  const records = new CheckoutRecords(mongo.db(cfg.MONGODB_DB));
  await records.ensureIndexes();
  const metrics = createWorkerMetrics(mongo.db(cfg.MONGODB_DB));
  const prom = cfg.WORKER_PROM_PORT === undefined ? undefined : await serveMetrics(metrics.registry, cfg.WORKER_PROM_PORT, cfg.WORKER_PROM_HOST);
  const amazonPay = createAmazonPayClient({
    publicKeyId: cfg.AMAZON_PAY_PUBLIC_KEY_ID,
    privateKey: cfg.AMAZON_PAY_PRIVATE_KEY,
    region: cfg.AMAZON_PAY_REGION,
    sandbox: cfg.AMAZON_PAY_SANDBOX,
    algorithm: cfg.AMAZON_PAY_ALGORITHM,
    timeoutMs: cfg.AMAZON_PAY_TIMEOUT_MS,
    ...(cfg.AMAZON_PAY_BASE_URL ? { baseUrl: cfg.AMAZON_PAY_BASE_URL } : {}),
    ...(cfg.AMAZON_PAY_CA_FILE ? { ca: readFileSync(cfg.AMAZON_PAY_CA_FILE) } : {}),
  });
  const webhooks = workerWebhookConfig(cfg);
  const connection = await NativeConnection.connect(
    connectionOptions({ address: cfg.TEMPORAL_ADDRESS, namespace: cfg.TEMPORAL_NAMESPACE, apiKey: cfg.TEMPORAL_API_KEY, tls: cfg.TEMPORAL_TLS }),
  );
  try {
    const worker = await Worker.create({
      connection,
      namespace: cfg.TEMPORAL_NAMESPACE,
      taskQueue: cfg.TASK_QUEUE,
      workflowsPath: WORKFLOWS_PATH,
      bundlerOptions: { preloadModules: PRELOADED_WORKFLOW_MODULES },
      dataConverter: { payloadCodecs: dataConverter.payloadCodecs ?? [] },
      activities: createActivities({ amazonPay, records, webhooks, metrics: metrics.checkout }),
      // Stop polling at once on SIGTERM, let in-flight activities finish within the grace period.
      shutdownGraceTime: cfg.WORKER_SHUTDOWN_GRACE as Duration,
      maxCachedWorkflows: cfg.WORKER_MAX_CACHED_WORKFLOWS,
      ...workerTracingOptions(activeTracing()),
    });
    // Supervisors (npm start, the bench) wait for this line, so it is written whatever LOG_LEVEL says.
    log.child({}, { level: 'info' }).info(
      { taskQueue: cfg.TASK_QUEUE, namespace: cfg.TEMPORAL_NAMESPACE, amazonPay: amazonPay.endpoint, metrics: cfg.WORKER_METRICS_ADDRESS ?? null, promPort: prom?.port ?? null, codec: codec ? String(codec) : 'none', merchantWebhook: webhookTarget(webhooks), tracing: activeTracing()?.serviceName ?? null },
      'worker ready',
    );
    await worker.run();
    log.info('worker stopped');
  } finally {
    prom?.server.close();
    await connection.close();
    await mongo.close();
    await activeTracing()?.shutdown();
  }
}

if (require.main === module) {
  // Bad keys, or production without keys, are configuration errors too (CodecKeysError and friends are ConfigErrors).
  const cfg = configOrExit(loadWorkerConfig);
  const dataConverter = configOrExit(() => workerDataConverter(cfg));
  runWorker(cfg, dataConverter).catch((err: unknown) => {
    process.stderr.write(`worker failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
