// CLI configuration, parsed once from the environment (CONVENTIONS.md 10): every problem, codec keys included, is
// reported at once, and the data converter is built here so no other CLI file reads the environment.
import type { DataConverter } from '@temporalio/common';
import { z } from 'zod';
import { webhookConfigFromEnv, webhookEnv, webhookRules } from '../../activities/webhooks/config';
import type { WebhookConfig } from '../../activities/webhooks/types';
import { CodecKeysError } from '../temporal/codec';
import type { TemporalSettings } from '../temporal/connection';
import { dataConverterFromEnv } from '../temporal/data-converter';
import { ConfigError, MongoDbName, MongoUri, temporalEnv } from '../temporal/env';

/** An empty variable (`MONGODB_URI=`) means unset, as a shell user expects. */
const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());

export const CliEnv = z
  .object({
    ...temporalEnv,
    TEMPORAL_API_KEY: optional(z.string().min(1)),
    /** Optional: without it `status` shows the workflow only, not the MongoDB record. */
    MONGODB_URI: optional(MongoUri),
    MONGODB_DB: MongoDbName,
    /** The worker's MERCHANT_WEBHOOK_* variables: `resend-webhook` signs and sends as the worker does. */
    ...webhookEnv,
  })
  .check(webhookRules);

export interface CliConfig {
  temporal: TemporalSettings;
  taskQueue: string;
  mongodb?: { uri: string; db: string };
  dataConverter: DataConverter;
  /** Where `resend-webhook` sends; `url` unset = not configured. */
  webhook: WebhookConfig;
}

export { ConfigError };

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
    webhook: webhookConfigFromEnv(e),
  });
}
