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

/** A process's configuration is unusable; the message lists every problem. Entry points exit 2 on it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment with a process's schema, every problem reported at once (CONVENTIONS.md 10). */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, processName: string): z.output<S> {
  const r = schema.safeParse(env);
  if (!r.success) throw new ConfigError(`${processName} configuration is invalid:\n${z.prettifyError(r.error)}`);
  return Object.freeze(r.data) as z.output<S>;
}

/** For entry points: bad configuration ends the process with exit 2 and its message, never a stack trace. */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

export const LogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info');
