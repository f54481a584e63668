// A test workflow that only runs the webhook activity, so its retries run on the real Temporal server.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { WebhookDeliveryResult, WebhookEventInput } from '../../../activities/webhooks/types';

const { deliverMerchantWebhook } = proxyActivities<Pick<Activities, 'deliverMerchantWebhook'>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumInterval: '100ms' },
});

export type WebhookRun =
  | { result: WebhookDeliveryResult }
  | { failure: { type: string | undefined | null; nonRetryable: boolean; message: string } };

export async function webhookDeliveryWorkflow(event: WebhookEventInput): Promise<WebhookRun> {
  try {
    return { result: await deliverMerchantWebhook(event) };
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
      return { failure: { type: err.cause.type, nonRetryable: err.cause.nonRetryable === true, message: err.cause.message } };
    }
    throw err;
  }
}
