// Codec server configuration, parsed once from the environment (CONVENTIONS.md 10): every problem reported at once.
import { z } from 'zod';
import { ConfigError, envBool } from '../temporal/env';
import { CodecKeysError, loadCodecKeys, type CodecKeys } from '../temporal/codec';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** `http(s)://host[:port]`, no path: what a browser sends in `Origin`. Several may be given, comma-separated. */
const origins = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter((o) => o.length > 0),
  )
  .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be an origin such as http://127.0.0.1:8233')).min(1));

export const CodecServerEnv = z
  .object({
    CODEC_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
    CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65535).default(8888),
    CODEC_SERVER_TOKEN: z.string().min(16, 'must be at least 16 characters'),
    CODEC_SERVER_CORS_ORIGIN: origins.optional(),
    CODEC_SERVER_ALLOW_UI_ORIGIN_WITHOUT_TOKEN: envBool.default(false),
    CODEC_SERVER_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .max(64 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    PAYLOAD_CODEC_KEYS: z.string().optional(),
    PAYLOAD_CODEC_KEYS_FILE: z.string().optional(),
    PAYLOAD_CODEC_CURRENT_KEY_ID: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.CODEC_SERVER_ALLOW_UI_ORIGIN_WITHOUT_TOKEN) return;
    // Without a token the only gate is the Origin header, which any non-browser client can forge: local demo only.
    if (!v.CODEC_SERVER_CORS_ORIGIN) {
      ctx.addIssue({
        code: 'custom',
        path: ['CODEC_SERVER_ALLOW_UI_ORIGIN_WITHOUT_TOKEN'],
        message: 'needs CODEC_SERVER_CORS_ORIGIN',
      });
    }
    if (!LOOPBACK.has(v.CODEC_SERVER_HOST)) {
      ctx.addIssue({
        code: 'custom',
        path: ['CODEC_SERVER_ALLOW_UI_ORIGIN_WITHOUT_TOKEN'],
        message: 'is only allowed when CODEC_SERVER_HOST is a loopback address (127.0.0.1, ::1, localhost)',
      });
    }
  });

export interface CodecServerConfig {
  host: string;
  port: number;
  token: string;
  corsOrigins: readonly string[];
  allowUiOriginWithoutToken: boolean;
  bodyLimitBytes: number;
  logLevel: string;
  keys: CodecKeys;
}

export { ConfigError };

export function loadCodecServerConfig(env: NodeJS.ProcessEnv = process.env): CodecServerConfig {
  const problems: string[] = [];
  const r = CodecServerEnv.safeParse(env);
  if (!r.success) problems.push(z.prettifyError(r.error));
  let keys: CodecKeys | undefined;
  try {
    keys = loadCodecKeys(env);
    if (!keys)
      problems.push(
        '✖ the codec server needs PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEYS_FILE (the keys the worker uses)',
      );
  } catch (err) {
    if (!(err instanceof CodecKeysError)) throw err;
    problems.push(...err.problems.map((p) => `✖ ${p}`));
  }
  if (!r.success || !keys || problems.length > 0) {
    throw new ConfigError(`codec server configuration is invalid:\n${problems.join('\n')}`);
  }
  const c = r.data;
  const cfg: CodecServerConfig = {
    host: c.CODEC_SERVER_HOST,
    port: c.CODEC_SERVER_PORT,
    token: c.CODEC_SERVER_TOKEN,
    corsOrigins: Object.freeze(c.CODEC_SERVER_CORS_ORIGIN ?? []),
    allowUiOriginWithoutToken: c.CODEC_SERVER_ALLOW_UI_ORIGIN_WITHOUT_TOKEN,
    bodyLimitBytes: c.CODEC_SERVER_BODY_LIMIT_BYTES,
    logLevel: c.LOG_LEVEL,
    keys,
  };
  // The token stays out of JSON and inspect output of the config.
  Object.defineProperty(cfg, 'token', { value: c.CODEC_SERVER_TOKEN, enumerable: false });
  return Object.freeze(cfg);
}
