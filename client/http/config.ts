// HTTP server configuration, parsed once from the environment (CONVENTIONS.md 10): every problem reported at once.
import type { DataConverter } from '@temporalio/common';
import { z } from 'zod';
import { dataConverterFromEnv } from '../temporal/data-converter';
import { LogLevel, MongoDbName, MongoUri, parseEnv, temporalEnv } from '../temporal/env';

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean),
);

/** `arn:aws:sns:<region>:<account>:<name>`, also in the aws-cn and aws-us-gov partitions and for `.fifo` topics. */
const SnsTopicArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'must be an SNS topic ARN');

export const HttpEnv = z
  .object({
    ...temporalEnv,
    MONGODB_URI: MongoUri,
    MONGODB_DB: MongoDbName,
    HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    MERCHANT_API_TOKEN: z
      .string()
      .min(16, 'must be at least 16 characters (a random secret shared with the merchant backend)'),
    CHECKOUT_SUCCESS_URL: z.url({ protocol: /^https?$/ }).optional(),
    CHECKOUT_FAILURE_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** How long the return URL waits for the outcome before it answers "pending, ask again". */
    RETURN_WAIT_MS: z.coerce.number().int().positive().max(120_000).default(20_000),
    /** Lost-return recovery's grace period for sessions whose input sets none (it then travels in the input). */
    RECOVERY_GRACE_MS: z.coerce.number().int().min(0).max(24 * 3600_000).optional(),
    TEMPORAL_UI_URL: z.url().optional(),
    /**
     * Hosts allowed to serve SNS signing certificates, comma-separated; `*` stands for one DNS label. It can only
     * narrow the SNS shape checked in sns.ts (`sns.<region>.amazonaws.com[.cn]`, `/SimpleNotificationService-<hex>.pem`).
     */
    IPN_ALLOWED_CERT_HOSTS: csv.default(['sns.*.amazonaws.com', 'sns.*.amazonaws.com.cn']),
    /** The SNS topics Amazon Pay publishes this merchant's IPNs on, comma-separated; empty = any topic. */
    IPN_ALLOWED_TOPIC_ARNS: csv.pipe(z.array(SnsTopicArn)).default([]),
    /**
     * The oldest SNS `Timestamp` accepted, so a captured IPN cannot be replayed later; SNS's HTTP delivery retries end
     * within an hour.
     */
    IPN_MAX_AGE_MS: z.coerce
      .number()
      .int()
      .min(60_000)
      .max(7 * 24 * 3_600_000)
      .default(3_600_000),
    /** The local emulator's cert URL prefix (http allowed): only for the local stack and tests. */
    IPN_TRUST_EMULATOR_CERT_URL_PREFIX: z.url().optional(),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(64 * 1024),
    LOG_LEVEL: LogLevel,
  })
  .readonly();
export type HttpConfig = z.infer<typeof HttpEnv>;

export { ConfigError } from '../temporal/env';

export function loadHttpConfig(env: NodeJS.ProcessEnv = process.env): HttpConfig {
  return parseEnv(HttpEnv, env, 'HTTP server');
}

/** The shared data converter (payload codec keys from PAYLOAD_CODEC_KEYS*), refusing plaintext in production. */
export function loadDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  return dataConverterFromEnv(env, 'http');
}
