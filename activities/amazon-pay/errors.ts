import { ApplicationFailure } from '@temporalio/common';
import { ErrorBodySchema } from './schemas';
import { AmazonPayFailureType } from '../../domain/checkout';

/**
 * The failure types the Amazon Pay boundary throws (CONVENTIONS.md, convention 5). Closed set:
 * - Retryable: no effect, or repeating it with the same idempotency key is safe (408/425/429/5xx, network errors).
 * - Rejected: Amazon refused the request (4xx with a reasonCode); repeating it gives the same answer.
 * - Ambiguous: complete/finalize may or may not have taken effect; reconcile with Get Checkout Session.
 * - NotFound: 404 ResourceNotFound (bad ID, or a session deleted after 30 days).
 * - Config: credentials, signature, TLS trust or base URL are wrong; no retry helps.
 */
export { AmazonPayFailureType };

/** Operations whose lost response may hide a completed checkout (reference §6). */
export const AMBIGUOUS_OPERATIONS: ReadonlySet<string> = new Set([
  'completeCheckoutSession',
  'finalizeCheckoutSession',
]);

export function isAmbiguousOperation(operation: string): boolean {
  return AMBIGUOUS_OPERATIONS.has(operation);
}

export interface AmazonPayErrorFields {
  kind: AmazonPayFailureType;
  operation: string;
  status?: number;
  reasonCode?: string;
  requestId?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

/** The `details[0]` of every ApplicationFailure built by `toApplicationFailure`. */
export interface AmazonPayFailureDetails {
  operation: string;
  reasonCode: string | null;
  status: number | null;
  requestId: string | null;
}

/**
 * An Amazon Pay call that failed. The message holds only the operation, reasonCode, HTTP status and a short cause;
 * never a request or response body (buyer data) and never key material.
 */
export class AmazonPayError extends Error {
  readonly kind: AmazonPayFailureType;
  readonly operation: string;
  readonly status?: number;
  readonly reasonCode?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;

  constructor(message: string, fields: AmazonPayErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.kind = fields.kind;
    this.operation = fields.operation;
    if (fields.status !== undefined) this.status = fields.status;
    if (fields.reasonCode !== undefined) this.reasonCode = fields.reasonCode;
    if (fields.requestId !== undefined) this.requestId = fields.requestId;
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      operation: this.operation,
      status: this.status,
      reasonCode: this.reasonCode,
      requestId: this.requestId,
      retryAfterMs: this.retryAfterMs,
    };
  }
}
// On the prototype, so the stack's first line names the class too.
Object.defineProperty(AmazonPayError.prototype, 'name', {
  value: 'AmazonPayError',
  writable: true,
  configurable: true,
});

/** Kind of a non-2xx answer (reference §6). */
export function classifyStatus(operation: string, status: number, reasonCode?: string): AmazonPayFailureType {
  if (status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599)) {
    return 'AmazonPayRetryable';
  }
  if (status === 401 || status === 403) return 'AmazonPayConfig';
  if (status === 404) {
    // A 404 without Amazon's reasonCode comes from a wrong base URL or env segment, not from a missing resource.
    return reasonCode === 'ResourceNotFound' ? 'AmazonPayNotFound' : 'AmazonPayConfig';
  }
  if (status === 422 && reasonCode === 'InvalidCheckoutSessionStatus' && isAmbiguousOperation(operation)) {
    // A retried complete without a stored first response sees this when the first attempt succeeded (reference §3.1).
    return 'AmazonPayAmbiguous';
  }
  if (status >= 400 && status <= 499) return 'AmazonPayRejected';
  // 1xx/3xx: Amazon answers neither; a proxy or a wrong base URL does.
  return 'AmazonPayConfig';
}

/** `Retry-After` as delta-seconds or an HTTP date; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date = new Date()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    const ms = Number(text) * 1000;
    return Number.isSafeInteger(ms) ? ms : undefined;
  }
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

export type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `reasonCode` of an error body, when the body is Amazon's `{reasonCode, message}`. */
export function reasonCodeOf(body: string | Buffer | undefined): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(body.toString()));
    return parsed.success ? parsed.data.reasonCode : undefined;
  } catch {
    return undefined;
  }
}

export interface HttpFailure {
  operation: string;
  status: number;
  /** Response headers, names lower-case (as node:http gives them). */
  headers?: HeaderBag;
  body?: string | Buffer;
  now?: Date;
}

/** Error for a non-2xx response. */
export function classifyResponse(r: HttpFailure): AmazonPayError {
  const headers = r.headers ?? {};
  const reasonCode = reasonCodeOf(r.body);
  const kind = classifyStatus(r.operation, r.status, reasonCode);
  const retryAfterMs =
    kind === 'AmazonPayRetryable' ? parseRetryAfter(header(headers, 'retry-after'), r.now ?? new Date()) : undefined;
  return new AmazonPayError(`${r.operation}: ${reasonCode ?? 'no reasonCode'} (HTTP ${r.status})`, {
    kind,
    operation: r.operation,
    status: r.status,
    reasonCode,
    requestId: header(headers, 'x-amz-pay-request-id'),
    retryAfterMs,
  });
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface TransportFailure {
  operation: string;
  error: unknown;
  /** The server may hold the complete request; when false it cannot have acted on it. */
  requestSent: boolean;
  timedOut?: boolean;
  timeoutMs?: number;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'TimeoutError' ? name : undefined;
}

/** Error for a request that got no (complete) response: timeout, reset, refused, TLS failure. */
export function classifyTransportError(t: TransportFailure): AmazonPayError {
  const code = errorCode(t.error);
  const timedOut = t.timedOut === true || code === 'AbortError' || code === 'TimeoutError' || code === 'ETIMEDOUT';
  let kind: AmazonPayFailureType;
  // A failed certificate check ends the handshake before any HTTP byte is sent.
  if (code !== undefined && TLS_TRUST_CODES.has(code)) kind = 'AmazonPayConfig';
  else if (t.requestSent && isAmbiguousOperation(t.operation)) kind = 'AmazonPayAmbiguous';
  else kind = 'AmazonPayRetryable';
  const what = timedOut
    ? `timed out${t.timeoutMs === undefined ? '' : ` after ${t.timeoutMs} ms`}`
    : `${code ?? 'network error'}`;
  const when = t.requestSent ? 'after the request was sent' : 'before the request was sent';
  return new AmazonPayError(`${t.operation}: ${what} ${when} (no response)`, {
    kind,
    operation: t.operation,
    cause: t.error,
  });
}

/** Entry point for callers that hold either a response or a transport error. */
export function classify(input: HttpFailure | TransportFailure): AmazonPayError {
  return 'status' in input ? classifyResponse(input) : classifyTransportError(input);
}

/**
 * The ApplicationFailure an activity throws (CONVENTIONS.md, convention 5). Only Retryable is retried by Temporal;
 * Ambiguous is non-retryable because the workflow must reconcile it with Get Checkout Session first.
 */
export function toApplicationFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof AmazonPayError) {
    const details: AmazonPayFailureDetails = {
      operation: err.operation,
      reasonCode: err.reasonCode ?? null,
      status: err.status ?? null,
      requestId: err.requestId ?? null,
    };
    return ApplicationFailure.create({
      type: err.kind,
      nonRetryable: err.kind !== 'AmazonPayRetryable',
      message: err.message,
      details: [details],
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
    });
  }
  // Not classified by the client (a bug on our side): let Temporal retry it under the activity's deadline.
  const message = err instanceof Error ? `${err.name}: ${err.message}` : 'non-Error thrown';
  return ApplicationFailure.create({
    type: 'AmazonPayRetryable' satisfies AmazonPayFailureType,
    nonRetryable: false,
    message: `unclassified Amazon Pay failure: ${message}`,
    details: [
      { operation: 'unknown', reasonCode: null, status: null, requestId: null } satisfies AmazonPayFailureDetails,
    ],
  });
}
