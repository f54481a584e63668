// The environment variables every process shares (worker, HTTP server, CLI, codec server): one definition each, so
// defaults and messages cannot drift between processes (CONVENTIONS.md 10).
import { z } from 'zod';

export const envBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const MongoUri = z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI');
export const MongoDbName = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,63}$/, 'must be 1–63 letters, digits, _ or -')
  .default('checkout');

/** Where Temporal is and which task queue the checkout workflows run on. */
export const temporalEnv = {
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: envBool.default(false),
  TASK_QUEUE: z.string().min(1).default('checkout-sessions'),
};

export const LogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info');
