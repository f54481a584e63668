// The one error handler (CONVENTIONS.md 13): every error answers `{ error, message }`; a 5xx never echoes internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError, z } from 'zod';
import { CheckoutConflictError, InvalidCheckoutInputError } from '../temporal/checkout';
import { SnsVerificationError, type SnsRejection } from './sns';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

const SNS_STATUS = {
  malformed: 400,
  unsupported_signature_version: 403,
  untrusted_cert_url: 403,
  topic_not_allowed: 403,
  stale_timestamp: 403,
  bad_signature: 403,
  cert_unavailable: 503,
} as const satisfies Record<SnsRejection, number>;

/** gRPC UNAVAILABLE / DEADLINE_EXCEEDED from Temporal: the caller may retry. */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 14 || code === 4 || (err as Error | undefined)?.name === 'MongoServerSelectionError';
}

export function mapError(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof HttpError) return { status: err.statusCode, code: err.code, message: err.message };
  if (err instanceof InvalidCheckoutInputError) return { status: 400, code: 'invalid_input', message: err.message };
  if (err instanceof CheckoutConflictError) return { status: 409, code: 'conflict', message: err.message };
  if (err instanceof ZodError) return { status: 400, code: 'invalid_request', message: z.prettifyError(err) };
  if (err instanceof SnsVerificationError) {
    const status = SNS_STATUS[err.reason];
    return { status, code: err.reason, message: status >= 500 ? 'cannot verify the message now; retry later' : err.message };
  }
  const fe = err as Partial<FastifyError>;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: FASTIFY_CODES[fe.code ?? ''] ?? 'bad_request', message: fe.message ?? 'bad request' };
  }
  if (isUnavailable(err)) return { status: 503, code: 'unavailable', message: 'a backing service is unavailable; retry later' };
  return { status: 500, code: 'internal', message: 'internal error' };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const m = mapError(err);
    if (m.status >= 500) req.log.error({ err, route: req.routeOptions.url }, 'request failed');
    else req.log.info({ code: m.code, status: m.status, route: req.routeOptions.url }, 'request rejected');
    return reply.code(m.status).type('application/json').send({ error: m.code, message: m.message });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route for ${req.method} ${req.url.split('?')[0]}` }),
  );
}

/**
 * Errors Fastify raises before routing (Fastify's `frameworkErrors` option), answered in the same `{ error, message }`
 * shape. The URL is not echoed: it is the attacker's text.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const m =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? { status: 414, code: 'uri_too_long', message: 'a path parameter is too long (checkout session IDs have at most 100 characters)' }
      : err.code === 'FST_ERR_BAD_URL'
        ? { status: 400, code: 'invalid_request', message: 'the URL is not valid' }
        : mapError(err);
  req.log.info({ code: m.code, status: m.status }, 'request rejected before routing');
  void reply.code(m.status).type('application/json').send({ error: m.code, message: m.message });
}
