// The workflow's view of its activities: one proxy per kind of call, with the timeouts and retry policy that kind
// needs (CONVENTIONS.md 4). Types only from activities/: the implementations run in the worker, never here.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { NON_RETRYABLE_AMAZON_PAY_FAILURES } from '../../domain/checkout';
import type { WebhookFailureType } from '../../activities/webhooks/types';

/** Failure types raised by the Amazon Pay activities (activities/amazon-pay/errors.ts), by name. */
const NON_RETRYABLE = [...NON_RETRYABLE_AMAZON_PAY_FAILURES];

/** Reads of Amazon state: retried with backoff for a bounded time, independent of the session's deadline. */
export const reads = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '15m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * Record writes are idempotent (seq-guarded), short and local: they cost one marker event, not three. An attempt
 * outlasts the store's own worst case (the local store's SQLite waits up to 10 s for its one writer, then fails), so a
 * retry never runs beside an attempt whose write is still queued: where the guard is read then written, that write
 * would land after later steps and take the session back.
 */
export const records = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/**
 * Merchant webhooks: retried with backoff until the worker's delivery window (MERCHANT_WEBHOOK_MAX_DELIVERY_MS,
 * default 3 days) runs out, which the activity enforces; this timeout is only the outer bound.
 */
export const webhooks = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '30 days',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '30m', nonRetryableErrorTypes: ['WebhookRejected', 'WebhookExpired'] satisfies WebhookFailureType[] },
});

/** Complete/finalize may retry only until Amazon's deadline (CONVENTIONS.md 4): the window is set per call. */
export function confirmActivity(untilDeadlineMs: number) {
  return proxyActivities<Activities>({
    // Short enough that a worker dying mid-call is noticed fast; longer than the client's request timeout.
    startToCloseTimeout: '15s',
    scheduleToCloseTimeout: Math.max(untilDeadlineMs, 1_000),
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE },
  }).confirmCheckoutSession;
}
