// Worker configuration, parsed once from the environment (CONVENTIONS.md 10): every problem reported at once.
import { z } from 'zod';
import { webhookConfigFromEnv, webhookEnv, webhookRules } from '../activities/webhooks/config';
import type { WebhookConfig } from '../activities/webhooks/types';
import { LogLevel, MongoDbName, MongoUri, envBool, parseEnv, temporalEnv } from '../client/temporal/env';

export const WorkerEnv = z
  .object({
    ...temporalEnv,
    MONGODB_URI: MongoUri,
    MONGODB_DB: MongoDbName,
    AMAZON_PAY_PUBLIC_KEY_ID: z.string().min(1),
    AMAZON_PAY_PRIVATE_KEY: z.string().min(1).describe('PEM text or a path to a PEM file'),
    AMAZON_PAY_REGION: z.enum(['na', 'eu', 'jp', 'us', 'de', 'uk']).default('na'),
    AMAZON_PAY_SANDBOX: envBool.default(true),
    AMAZON_PAY_ALGORITHM: z.enum(['AMZN-PAY-RSASSA-PSS', 'AMZN-PAY-RSASSA-PSS-V2']).default('AMZN-PAY-RSASSA-PSS-V2'),
    AMAZON_PAY_BASE_URL: z.url().optional(),
    AMAZON_PAY_CA_FILE: z.string().min(1).optional(),
    AMAZON_PAY_TIMEOUT_MS: z.coerce.number().int().positive().max(120_000).default(10_000),
    WORKER_SHUTDOWN_GRACE: z
      .string()
      .regex(/^\d+(ms|s|m)$/)
      .default('30s'),
    WORKER_METRICS_ADDRESS: z
      .string()
      .regex(/^[^:]+:\d+$/)
      .optional(),
    // The worker's own Prometheus /metrics (business, Node and sampled gauges); unset: not served. 0: any free port.
    WORKER_PROM_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    WORKER_PROM_HOST: z.string().min(1).default('0.0.0.0'),
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().default(1000),
    LOG_LEVEL: LogLevel,
    // Payload codec keys (client/temporal/codec.ts parses them); production refuses to run without them.
    PAYLOAD_CODEC_KEYS: z.string().optional(),
    PAYLOAD_CODEC_KEYS_FILE: z.string().optional(),
    PAYLOAD_CODEC_CURRENT_KEY_ID: z.string().optional(),
    NODE_ENV: z.string().optional(),
    // Merchant webhooks (activities/webhooks): no URL = not configured.
    ...webhookEnv,
  })
  .check(webhookRules)
  .readonly();
export type WorkerConfig = z.infer<typeof WorkerEnv>;

export { ConfigError } from '../client/temporal/env';

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseEnv(WorkerEnv, env, 'worker');
}

/** Secrets in it: pass it to the activities, never to a log. */
export function workerWebhookConfig(cfg: WorkerConfig): WebhookConfig {
  return webhookConfigFromEnv(cfg);
}
