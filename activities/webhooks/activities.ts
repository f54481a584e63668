// The merchant webhook activity. One HTTP attempt per activity attempt (CONVENTIONS.md 4): a retryable answer is
// thrown as WebhookFailed and Temporal retries it, bounded by MERCHANT_WEBHOOK_MAX_DELIVERY_MS counted from the
// first attempt; the outcome of every attempt is recorded on the session. Buyer data, when the merchant wants it,
// is read from MongoDB here and never passes through Temporal.
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CheckoutRecords } from '../../records/checkout-sessions';
import type { WebhookDelivery } from '../../records/types';
import { webhookBody, webhookBuyer, webhookEvent } from './body';
import { DEFAULT_MAX_DELIVERY_MS } from './config';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, deliverWebhookOnce, deliveryRecord, type FetchLike } from './deliver';
import type { WebhookConfig, WebhookDeliveryResult, WebhookEventInput, WebhookFailureType } from './types';
import type { CheckoutMetrics } from '../metrics';

export type { WebhookConfig, WebhookDeliveryResult, WebhookEventInput } from './types';

export const WEBHOOKS_NOT_CONFIGURED: WebhookConfig = Object.freeze({
  secrets: [],
  maxDeliveryMs: DEFAULT_MAX_DELIVERY_MS,
  includeBuyer: false,
  timeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS,
});

interface FailureArgs {
  type: WebhookFailureType;
  message: string;
  nonRetryable: boolean;
  details: Record<string, unknown>;
  nextRetryDelay?: number;
}

const failure = ({ nextRetryDelay, details, ...rest }: FailureArgs) =>
  ApplicationFailure.create({
    ...rest,
    details: [details],
    ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
  });

export const webhookActivities = (d: { records: CheckoutRecords; config: WebhookConfig; fetchImpl?: FetchLike; metrics?: CheckoutMetrics | undefined }) => {
  const { records, config } = d;

  const record = async (id: string, webhook: WebhookDelivery) => {
    const r = await records.setWebhookDelivery(id, webhook);
    if (!r.written)
      log.warn('webhook delivery not recorded', {
        checkoutSessionId: id,
        eventId: webhook.lastEventId,
        reason: r.reason,
      });
  };

  return {
    /**
     * Delivers one event to MERCHANT_WEBHOOK_URL. Returns `delivered` or `not-configured`; throws WebhookRejected
     * (4xx, non-retryable), WebhookFailed (retryable; `nextRetryDelay` from Retry-After) or WebhookExpired
     * (non-retryable: the first attempt was scheduled more than maxDeliveryMs ago). Schedule it with no
     * scheduleToCloseTimeout shorter than maxDeliveryMs, or Temporal ends it before the expiry is recorded.
     */
    async deliverMerchantWebhook(event: WebhookEventInput): Promise<WebhookDeliveryResult> {
      const id = event.checkoutSessionId;
      const { eventId } = event;
      const stored = { lastEventId: eventId, lastEventType: event.type, lastEvent: { ...webhookEvent(event) } };
      if (!config.url) {
        await record(id, { ...stored, state: 'not-configured', attempts: 0, updatedAt: new Date() });
        d.metrics?.webhook('not_configured');
        return { outcome: 'not-configured', attempts: 0 };
      }

      // scheduledTimestampMs is the first attempt's (currentAttemptScheduledTimestampMs is this attempt's).
      const { attempt, scheduledTimestampMs } = Context.current().info;
      const elapsedMs = Date.now() - scheduledTimestampMs;
      if (elapsedMs > config.maxDeliveryMs) {
        const previous = (await records.get(id))?.webhook;
        const same = previous?.lastEventId === eventId;
        const attempts = attempt - 1;
        await record(id, {
          ...stored,
          state: 'expired',
          attempts,
          lastHttpStatus: same ? (previous.lastHttpStatus ?? null) : null,
          lastError: same ? (previous.lastError ?? null) : null,
          updatedAt: new Date(),
        });
        d.metrics?.webhook('expired');
        const message = `webhook ${eventId} not delivered within ${config.maxDeliveryMs} ms (${attempts} attempts)`;
        throw failure({ type: 'WebhookExpired', message, nonRetryable: true, details: { eventId, attempts } });
      }

      const buyerDoc = config.includeBuyer ? await records.buyerData(id) : null;
      const endpoint = { url: config.url, secrets: config.secrets, timeoutMs: config.timeoutMs };
      const result = await deliverWebhookOnce(
        endpoint,
        webhookBody(event, buyerDoc ? webhookBuyer(buyerDoc) : undefined),
        eventId,
        d.fetchImpl,
      );
      await record(id, deliveryRecord(event, result, attempt, new Date()));
      d.metrics?.webhook(result.kind === 'delivered' || result.kind === 'rejected' ? result.kind : 'retry', event.occurredAt);
      if (result.kind === 'delivered')
        return { outcome: 'delivered', attempts: attempt, httpStatus: result.httpStatus };

      const details = { eventId, attempt, httpStatus: result.httpStatus ?? null };
      if (result.kind === 'rejected') {
        const message = `webhook ${eventId} rejected: ${result.error}`;
        throw failure({ type: 'WebhookRejected', message, nonRetryable: true, details });
      }
      log.warn('webhook attempt failed', { ...details, error: result.error });
      // A Retry-After past the delivery window would only postpone the expiry.
      const remainingMs = Math.max(0, config.maxDeliveryMs - elapsedMs);
      const nextRetryDelay =
        result.retryAfterMs === undefined ? undefined : Math.min(result.retryAfterMs, remainingMs + 1_000);
      const message = `webhook ${eventId} attempt ${attempt}: ${result.error}`;
      throw failure({ type: 'WebhookFailed', message, nonRetryable: false, details, nextRetryDelay });
    },
  };
};
