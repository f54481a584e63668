// CLI configuration, parsed once from the environment (CONVENTIONS.md 10): every problem, codec keys included, is
// reported at once, and the data converter is built here so no other CLI file reads the environment.
import type { DataConverter } from '@temporalio/common';
import { z } from 'zod';
import { CodecKeysError } from '../temporal/codec';
import type { TemporalSettings } from '../temporal/connection';
import { dataConverterFromEnv } from '../temporal/data-converter';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** An empty variable (`MONGODB_URI=`) means unset, as a shell user expects. */
const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());

export const CliEnv = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: optional(z.string().min(1)),
  TEMPORAL_TLS: bool.default(false),
  TASK_QUEUE: z.string().min(1).default('checkout-sessions'),
  /** Optional: without it `status` shows the workflow only, not the MongoDB record. */
  MONGODB_URI: optional(z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')),
  MONGODB_DB: z.string().regex(/^[a-zA-Z0-9_-]{1,63}$/, 'must be 1–63 letters, digits, _ or -').default('checkout'),
});

export interface CliConfig {
  temporal: TemporalSettings;
  taskQueue: string;
  mongodb?: { uri: string; db: string };
  dataConverter: DataConverter;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): Readonly<CliConfig> {
  const problems: string[] = [];
  const r = CliEnv.safeParse(env);
  if (!r.success) problems.push(z.prettifyError(r.error));
  let dataConverter: DataConverter | undefined;
  try {
    dataConverter = dataConverterFromEnv(env, 'cli');
  } catch (err) {
    if (err instanceof CodecKeysError) problems.push(...err.problems.map((p) => `✖ ${p}`));
    else problems.push(`✖ ${(err as Error).message}`);
  }
  if (!r.success || !dataConverter) throw new ConfigError(`CLI configuration is invalid:\n${problems.join('\n')}`);
  const e = r.data;
  return Object.freeze({
    temporal: Object.freeze({
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
      tls: e.TEMPORAL_TLS,
    }),
    taskQueue: e.TASK_QUEUE,
    ...(e.MONGODB_URI ? { mongodb: Object.freeze({ uri: e.MONGODB_URI, db: e.MONGODB_DB }) } : {}),
    dataConverter,
  });
}
