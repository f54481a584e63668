// The codec server the Temporal UI and CLI decode payloads through (DESIGN.md "Security"; protocol:
// temporalio/samples-go codec-server/protocol.md). Builds the request handler only; main.ts listens.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';
import { z } from 'zod';
import { PayloadDecryptionError } from '../temporal/codec';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Bearer token every /encode and /decode request must carry (see allowUiOriginWithoutToken). */
  token: string;
  /** Browser origins (the Temporal UI) that get CORS headers. */
  corsOrigins?: readonly string[];
  /** Local demo only: accept requests without a token whose Origin is one of corsOrigins (docs/codec.md). */
  allowUiOriginWithoutToken?: boolean;
  bodyLimitBytes?: number;
  log?: Logger;
}

const ALLOW_HEADERS = 'content-type, authorization, x-namespace';
const ALLOW_METHODS = 'POST, GET, OPTIONS';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const b64 = z.string().regex(BASE64, 'must be base64');
// Payloads as proto3 JSON: bytes fields are base64 strings.
const PayloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), b64).optional(), data: b64.optional() })).max(10_000),
});

type PayloadJson = { metadata: Record<string, string>; data: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const toBytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const toBase64 = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('base64');

function fromJson(p: z.infer<typeof PayloadsBody>['payloads'][number]): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, toBytes(v)])),
    data: toBytes(p.data ?? ''),
  };
}

function toJson(p: Payload): PayloadJson {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, toBase64(v)])),
    data: toBase64(p.data),
  };
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison: both sides are hashed first so neither length nor content leaks through timing. */
function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = digest(m?.[1] ?? '');
  return timingSafeEqual(given, expected) && m !== null;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, 'PayloadTooLarge', `body exceeds ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'PayloadTooLarge', `body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function createCodecRequestHandler(
  opts: CodecServerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const expected = digest(opts.token);
  const origins = new Set(opts.corsOrigins ?? []);
  const limit = opts.bodyLimitBytes ?? 4 * 1024 * 1024;
  const log = opts.log;

  function corsHeaders(req: IncomingMessage): { allowedOrigin: boolean; cors: Record<string, string> } {
    const origin = req.headers.origin;
    const allowedOrigin = origin !== undefined && origins.has(origin);
    return {
      allowedOrigin,
      cors: allowedOrigin
        ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' }
        : { vary: 'Origin' },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<{ op?: string; count?: number }> {
    const { allowedOrigin, cors } = corsHeaders(req);
    const path = new URL(req.url ?? '/', 'http://codec.invalid').pathname.replace(/\/+$/, '');

    if (req.method === 'OPTIONS') {
      if (!allowedOrigin) throw new HttpError(403, 'OriginNotAllowed', 'this origin may not call the codec server');
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': ALLOW_METHODS,
        'access-control-allow-headers': ALLOW_HEADERS,
        'access-control-max-age': '600',
      });
      res.end();
      return {};
    }
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'MethodNotAllowed', 'use GET');
      send(res, 200, { status: 'ok' }, cors);
      return {};
    }
    // The protocol matches on the last path segment only, so the endpoints may be mounted under any prefix.
    const op = path.endsWith('/encode') ? 'encode' : path.endsWith('/decode') ? 'decode' : undefined;
    if (!op) throw new HttpError(404, 'NotFound', 'use POST /encode or POST /decode');
    if (req.method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', 'use POST');

    const authorization = req.headers.authorization;
    const authorized =
      tokenMatches(authorization, expected) ||
      (opts.allowUiOriginWithoutToken === true && allowedOrigin && authorization === undefined);
    if (!authorized) {
      send(
        res,
        401,
        { error: 'Unauthorized', message: 'a valid bearer token is required' },
        { ...cors, 'www-authenticate': 'Bearer' },
      );
      return { op };
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      throw new HttpError(415, 'UnsupportedMediaType', 'send Content-Type: application/json');
    }
    const raw = await readBody(req, limit);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'InvalidJson', 'the body is not JSON');
    }
    const parsed = PayloadsBody.safeParse(json);
    if (!parsed.success) {
      throw new HttpError(
        400,
        'InvalidPayloads',
        'the body must be { "payloads": [{ "metadata": { key: base64 }, "data": base64 }] }',
      );
    }
    const input = parsed.data.payloads.map(fromJson);
    let output: Payload[];
    try {
      output = op === 'encode' ? await opts.codec.encode(input) : await opts.codec.decode(input);
    } catch (err) {
      // The codec's messages name key ids at most, never key material or payload bytes.
      if (err instanceof PayloadDecryptionError) throw new HttpError(400, 'DecodeFailed', err.message);
      throw err;
    }
    send(res, 200, { payloads: output.map(toJson) }, cors);
    return { op, count: input.length };
  }

  return (req, res) => {
    const started = process.hrtime.bigint();
    handle(req, res)
      .catch((err: unknown) => {
        const { cors } = corsHeaders(req);
        if (res.headersSent) {
          res.end();
        } else if (err instanceof HttpError) {
          // An oversized body is not drained: answer and close the connection.
          send(
            res,
            err.status,
            { error: err.code, message: err.message },
            err.status === 413 ? { ...cors, connection: 'close' } : cors,
          );
        } else {
          log?.error({ err: { name: (err as Error)?.name } }, 'codec request failed');
          send(res, 500, { error: 'Internal', message: 'internal error' }, cors);
        }
        return {} as { op?: string; count?: number };
      })
      .then((r) => {
        // Method, path, status and counts only: never headers, bodies or payload bytes.
        log?.info(
          {
            method: req.method,
            path: req.url?.split('?')[0],
            status: res.statusCode,
            op: r.op,
            payloads: r.count,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
          },
          'codec request',
        );
      })
      .catch(() => undefined);
  };
}

/** The HTTP server, not yet listening. */
export function createCodecServer(opts: CodecServerOptions): Server {
  return createServer(createCodecRequestHandler(opts));
}
