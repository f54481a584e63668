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

/** `USD:20000,JPY:3000000,*:1000000`: the largest amount accepted per currency; `*` for every currency not named. */
const MaxAmounts = z
  .string()
  .transform((s, ctx) => {
    const out: Record<string, string> = {};
    for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^(\*|[A-Z]{3}):(\d{1,12}(?:\.\d{1,4})?)$/.exec(part);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not CUR:amount (e.g. USD:20000 or *:1000000)` });
        return z.NEVER;
      }
      out[m[1]!] = m[2]!;
    }
    return out;
  });

/**
 * Fastify's trustProxy: unset or `false` — the client address is the peer's; `true` — the left-most X-Forwarded-For;
 * otherwise the proxies trusted to forward it: addresses, CIDRs or `loopback`/`linklocal`/`uniquelocal`, comma-separated.
 */
const TrustProxy = z.string().transform((s): boolean | string[] => {
  const v = s.trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  return v.split(',').map((p) => p.trim()).filter(Boolean);
});

/** Requests per second per client address, 0 = no limit. */
const PerSecond = z.coerce.number().min(0).max(100_000);
const Burst = z.coerce.number().int().min(1).max(1_000_000);

export const HttpEnv = z
  .object({
    ...temporalEnv,
    MONGODB_URI: MongoUri,
    MONGODB_DB: MongoDbName,
    HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /**
     * Connections the kernel queues before the server accepts them (Linux caps it at net.core.somaxconn). Node's
     * default, 511, overflows when thousands of buyers connect at once: the kernel drops their SYNs and each client
     * waits 1, 3, 7, 15 s… to connect again (the flood's storm: 2,794 answers later than 30 s).
     */
    HTTP_LISTEN_BACKLOG: z.coerce.number().int().min(1).max(65535).default(4096),
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
    /** Where the client address comes from (rate limits are per client address): see TrustProxy. */
    HTTP_TRUST_PROXY: TrustProxy.default(false),
    /** The buyer's return and cancel URLs, per client address: a sustained rate and a burst; beyond it 429. */
    PUBLIC_RATE_LIMIT_PER_SEC: PerSecond.default(10),
    PUBLIC_RATE_LIMIT_BURST: Burst.default(50),
    /** The IPN endpoint, per client address (SNS delivers from a few addresses, so the bound is higher). */
    IPN_RATE_LIMIT_PER_SEC: PerSecond.default(50),
    IPN_RATE_LIMIT_BURST: Burst.default(200),
    /**
     * Return and cancel requests held open at once, waiting for the outcome; beyond it a request delivers the return
     * without waiting and answers 202 "ask again" at once (the pending page asks again by itself).
     */
    /**
     * Records reads per second (per server) for return and cancel IDs it does not remember: never-started IDs from
     * many addresses each pass the per-address limit, so together they get this budget; beyond it 429 "retry after 1 s".
     * IDs started through this server or seen to exist are remembered and cost no read. 0: no budget.
     */
    SESSION_LOOKUPS_PER_SEC: PerSecond.default(50),
    SESSION_LOOKUPS_BURST: Burst.default(100),
    RETURN_MAX_WAITING: z.coerce.number().int().min(0).max(1_000_000).default(1000),
    /** The largest charge accepted per currency (on top of Amazon's rules): `USD:20000,*:1000000`. */
    CHECKOUT_MAX_AMOUNTS: MaxAmounts.default({ '*': '1000000' }),
    /** How far past now + 24 h a start's deadline may lie (clocks differ). */
    DEADLINE_MAX_SKEW_MS: z.coerce.number().int().min(0).max(3_600_000).default(300_000),
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
