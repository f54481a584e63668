import { describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import {
  AmazonPayError,
  AmazonPayFailureType,
  classify,
  classifyResponse,
  classifyStatus,
  classifyTransportError,
  parseRetryAfter,
  toApplicationFailure,
} from '../../../activities/amazon-pay/errors';
import { NON_RETRYABLE_AMAZON_PAY_FAILURES } from '../../../domain/checkout';

const body = (reasonCode: string) => JSON.stringify({ reasonCode, message: 'The buyer Jane Doe, 1 Main St ...' });

describe('classifyStatus (reference §6)', () => {
  it.each<[string, number, string | undefined, AmazonPayFailureType]>([
    ['getCharge', 408, 'RequestTimeout', 'AmazonPayRetryable'],
    ['getCharge', 425, undefined, 'AmazonPayRetryable'],
    ['getCharge', 429, 'TooManyRequests', 'AmazonPayRetryable'],
    ['getCharge', 500, 'InternalServerError', 'AmazonPayRetryable'],
    ['getCharge', 503, 'ServiceUnavailable', 'AmazonPayRetryable'],
    ['completeCheckoutSession', 500, 'ProcessingFailure', 'AmazonPayRetryable'],
    ['completeCheckoutSession', 503, undefined, 'AmazonPayRetryable'],
    ['completeCheckoutSession', 429, 'TooManyRequests', 'AmazonPayRetryable'],
    ['completeCheckoutSession', 409, 'AmountMismatch', 'AmazonPayRejected'],
    ['completeCheckoutSession', 400, 'InvalidParameterValue', 'AmazonPayRejected'],
    ['completeCheckoutSession', 422, 'InvalidCheckoutSessionStatus', 'AmazonPayAmbiguous'],
    ['finalizeCheckoutSession', 422, 'InvalidCheckoutSessionStatus', 'AmazonPayAmbiguous'],
    ['completeCheckoutSession', 422, 'CheckoutSessionCanceled', 'AmazonPayRejected'],
    ['getCharge', 422, 'InvalidCheckoutSessionStatus', 'AmazonPayRejected'],
    ['updateCheckoutSession', 422, 'InvalidCheckoutSessionStatus', 'AmazonPayRejected'],
    ['captureCharge', 400, 'DuplicateIdempotencyKey', 'AmazonPayRejected'],
    ['getCheckoutSession', 404, 'ResourceNotFound', 'AmazonPayNotFound'],
    ['getCheckoutSession', 404, undefined, 'AmazonPayConfig'],
    ['getCharge', 401, 'UnauthorizedAccess', 'AmazonPayConfig'],
    ['getCharge', 403, 'InvalidRequestSignature', 'AmazonPayConfig'],
    ['getCharge', 302, undefined, 'AmazonPayConfig'],
  ])('%s HTTP %i %s → %s', (operation, status, reasonCode, kind) => {
    expect(classifyStatus(operation, status, reasonCode)).toBe(kind);
    const err = classifyResponse({ operation, status, body: reasonCode ? body(reasonCode) : '' });
    expect(err.kind).toBe(kind);
    expect(err.reasonCode).toBe(reasonCode);
  });
});

describe('classifyResponse', () => {
  const now = new Date('2024-01-02T03:04:05Z');

  it('reads Retry-After in seconds and the request id', () => {
    const err = classifyResponse({
      operation: 'getCharge',
      status: 429,
      headers: { 'retry-after': '7', 'x-amz-pay-request-id': 'req-1' },
      body: body('TooManyRequests'),
      now,
    });
    expect(err).toMatchObject({ kind: 'AmazonPayRetryable', status: 429, retryAfterMs: 7000, requestId: 'req-1' });
  });

  it('reads Retry-After as an HTTP date', () => {
    const err = classifyResponse({
      operation: 'getCharge',
      status: 503,
      headers: { 'retry-after': 'Tue, 02 Jan 2024 03:04:35 GMT' },
      body: body('ServiceUnavailable'),
      now,
    });
    expect(err.retryAfterMs).toBe(30_000);
  });

  it('keeps only reasonCode, status and operation in the message (never the body)', () => {
    const err = classifyResponse({ operation: 'completeCheckoutSession', status: 409, body: body('AmountMismatch') });
    expect(err.message).toBe('completeCheckoutSession: AmountMismatch (HTTP 409)');
    expect(JSON.stringify(err)).not.toContain('Jane');
    expect(err.retryAfterMs).toBeUndefined();
  });

  it('survives a body that is not Amazon JSON', () => {
    const err = classifyResponse({ operation: 'getCharge', status: 502, body: '<html>Bad Gateway</html>' });
    expect(err.message).toBe('getCharge: no reasonCode (HTTP 502)');
    expect(err.kind).toBe('AmazonPayRetryable');
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2024-01-02T03:04:05Z');
  it.each<[string | undefined, number | undefined]>([
    ['0', 0],
    ['120', 120_000],
    [' 3 ', 3000],
    ['Tue, 02 Jan 2024 03:04:06 GMT', 1000],
    ['Tue, 02 Jan 2024 03:00:00 GMT', 0],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    [undefined, undefined],
  ])('%j → %p', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});

describe('classifyTransportError', () => {
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

  it('is Ambiguous for complete/finalize once the request was sent, Retryable otherwise', () => {
    for (const operation of ['completeCheckoutSession', 'finalizeCheckoutSession']) {
      expect(classifyTransportError({ operation, error: reset, requestSent: true }).kind).toBe('AmazonPayAmbiguous');
      expect(classifyTransportError({ operation, error: reset, requestSent: true, timedOut: true }).kind).toBe(
        'AmazonPayAmbiguous',
      );
    }
    expect(classifyTransportError({ operation: 'getCharge', error: reset, requestSent: true }).kind).toBe(
      'AmazonPayRetryable',
    );
    expect(classifyTransportError({ operation: 'captureCharge', error: reset, requestSent: true }).kind).toBe(
      'AmazonPayRetryable',
    );
  });

  it('is Retryable for complete when the request never left (connection refused)', () => {
    const err = classifyTransportError({ operation: 'completeCheckoutSession', error: refused, requestSent: false });
    expect(err.kind).toBe('AmazonPayRetryable');
    expect(err.message).toBe('completeCheckoutSession: ECONNREFUSED before the request was sent (no response)');
  });

  it('treats an AbortSignal timeout as a timeout', () => {
    const abort = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const err = classify({ operation: 'completeCheckoutSession', error: abort, requestSent: true, timeoutMs: 50 });
    expect(err.kind).toBe('AmazonPayAmbiguous');
    expect(err.message).toBe('completeCheckoutSession: timed out after 50 ms after the request was sent (no response)');
  });

  it('is Config for an untrusted TLS certificate', () => {
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(classifyTransportError({ operation: 'getCharge', error: tls, requestSent: false }).kind).toBe(
      'AmazonPayConfig',
    );
  });
});

describe('toApplicationFailure', () => {
  it('maps a Retryable error with Retry-After to a retryable failure with nextRetryDelay', () => {
    const err = classifyResponse({
      operation: 'captureCharge',
      status: 429,
      headers: { 'retry-after': '2', 'x-amz-pay-request-id': 'req-9' },
      body: body('TooManyRequests'),
    });
    const f = toApplicationFailure(err);
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f.type).toBe('AmazonPayRetryable');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toBe('captureCharge: TooManyRequests (HTTP 429)');
    expect(f.nextRetryDelay).toBe(2000);
    expect(f.details).toEqual([
      { operation: 'captureCharge', reasonCode: 'TooManyRequests', status: 429, requestId: 'req-9' },
    ]);
  });

  it.each<[AmazonPayFailureType, boolean]>([
    ['AmazonPayRetryable', false],
    ['AmazonPayAmbiguous', true],
    ['AmazonPayRejected', true],
    ['AmazonPayNotFound', true],
    ['AmazonPayConfig', true],
  ])('%s → nonRetryable %p', (kind, nonRetryable) => {
    const f = toApplicationFailure(new AmazonPayError('op: x (HTTP 1)', { kind, operation: 'op' }));
    expect(f.type).toBe(kind);
    expect(f.nonRetryable).toBe(nonRetryable);
    expect(f.nextRetryDelay).toBeUndefined();
    expect(f.details).toEqual([{ operation: 'op', reasonCode: null, status: null, requestId: null }]);
  });

  it('the workflow\'s non-retryable list (domain/checkout.ts) is exactly the kinds the boundary marks non-retryable', () => {
    const marked = AmazonPayFailureType.options.filter((kind) => toApplicationFailure(new AmazonPayError('op: x', { kind, operation: 'op' })).nonRetryable);
    expect([...NON_RETRYABLE_AMAZON_PAY_FAILURES].sort()).toEqual(marked.sort());
  });

  it('passes an ApplicationFailure through and wraps anything else as Retryable', () => {
    const existing = ApplicationFailure.create({ type: 'AmazonPayRejected', nonRetryable: true });
    expect(toApplicationFailure(existing)).toBe(existing);
    const f = toApplicationFailure(new TypeError('boom'));
    expect(f.type).toBe('AmazonPayRetryable');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toContain('TypeError: boom');
  });

  it('uses only the closed set of types', () => {
    expect(AmazonPayFailureType.options).toEqual([
      'AmazonPayRetryable',
      'AmazonPayRejected',
      'AmazonPayAmbiguous',
      'AmazonPayNotFound',
      'AmazonPayConfig',
    ]);
  });
});

describe('AmazonPayError', () => {
  it('names itself in the stack and serialises only its fields', () => {
    const err = new AmazonPayError('getCharge: x (HTTP 500)', {
      kind: 'AmazonPayRetryable',
      operation: 'getCharge',
      status: 500,
    });
    expect(err.stack?.startsWith('AmazonPayError: getCharge: x (HTTP 500)')).toBe(true);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'AmazonPayError',
      message: 'getCharge: x (HTTP 500)',
      kind: 'AmazonPayRetryable',
      operation: 'getCharge',
      status: 500,
    });
  });
});
