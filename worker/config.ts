// Worker configuration, parsed once from the environment (CONVENTIONS.md 10): every problem reported at once.
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

export const WorkerEnv = z
  .object({
    TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    TEMPORAL_TLS: bool.default(false),
    TASK_QUEUE: z.string().min(1).default('checkout-sessions'),
    MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI'),
    MONGODB_DB: z.string().regex(/^[a-zA-Z0-9_-]{1,63}$/).default('checkout'),
    AMAZON_PAY_PUBLIC_KEY_ID: z.string().min(1),
    AMAZON_PAY_PRIVATE_KEY: z.string().min(1).describe('PEM text or a path to a PEM file'),
    AMAZON_PAY_REGION: z.enum(['na', 'eu', 'jp', 'us', 'de', 'uk']).default('na'),
    AMAZON_PAY_SANDBOX: bool.default(true),
    AMAZON_PAY_ALGORITHM: z.enum(['AMZN-PAY-RSASSA-PSS', 'AMZN-PAY-RSASSA-PSS-V2']).default('AMZN-PAY-RSASSA-PSS-V2'),
    AMAZON_PAY_BASE_URL: z.url().optional(),
    AMAZON_PAY_CA_FILE: z.string().min(1).optional(),
    AMAZON_PAY_TIMEOUT_MS: z.coerce.number().int().positive().max(120_000).default(10_000),
    WORKER_SHUTDOWN_GRACE: z.string().regex(/^\d+(ms|s|m)$/).default('30s'),
    WORKER_METRICS_ADDRESS: z.string().regex(/^[^:]+:\d+$/).optional(),
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().default(1000),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    // Payload codec keys (client/temporal/codec.ts parses them); production refuses to run without them.
    PAYLOAD_CODEC_KEYS: z.string().optional(),
    PAYLOAD_CODEC_KEYS_FILE: z.string().optional(),
    PAYLOAD_CODEC_CURRENT_KEY_ID: z.string().optional(),
    NODE_ENV: z.string().optional(),
  })
  .readonly();
export type WorkerConfig = z.infer<typeof WorkerEnv>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const r = WorkerEnv.safeParse(env);
  if (!r.success) throw new ConfigError(`worker configuration is invalid:\n${z.prettifyError(r.error)}`);
  return Object.freeze(r.data);
}
