// The job the baselines do, written once: confirm one checkout session at Amazon Pay (Complete Checkout Session
// with the derived idempotency key) and record the result in MongoDB with the records module. `direct` calls these
// two functions in a row; the floors run them as activities (bench/floor-workflow.ts).
import { idempotencyKey } from '../activities/amazon-pay/idempotency';
import type { AmazonPayClient } from '../activities/amazon-pay/client';
import type { AmazonSessionData, CheckoutRecords } from '../records/checkout-sessions';
import type { MoneyInput } from '../records/types';

export interface JobInput {
  checkoutSessionId: string;
  chargeAmount: MoneyInput;
}

export interface Confirmed {
  httpStatus: number;
  requestId: string | null;
  /** What the service stores too: IDs, status details, buyer, addresses, payment descriptor. */
  amazon: AmazonSessionData;
}

export interface RecordInput {
  checkoutSessionId: string;
  confirmed: Confirmed;
  workflowId: string;
  runId: string;
  /** ISO instant of the step. */
  at: string;
}

export async function confirmSession(amazonPay: AmazonPayClient, input: JobInput): Promise<Confirmed> {
  const res = await amazonPay.completeCheckoutSession(
    input.checkoutSessionId,
    { chargeAmount: input.chargeAmount },
    { idempotencyKey: idempotencyKey(input.checkoutSessionId, 'complete') },
  );
  const s = res.body;
  return {
    httpStatus: res.status,
    requestId: res.requestId ?? null,
    amazon: {
      chargeId: s.chargeId ?? null,
      chargePermissionId: s.chargePermissionId ?? null,
      statusDetails: (s.statusDetails as Record<string, unknown> | null | undefined) ?? null,
      buyer: (s.buyer as Record<string, unknown> | null | undefined) ?? null,
      billingAddress: (s.billingAddress as Record<string, unknown> | null | undefined) ?? null,
      shippingAddress: (s.shippingAddress as Record<string, unknown> | null | undefined) ?? null,
      paymentDescriptor: s.paymentDescriptor ?? null,
    },
  };
}

/** One step, as the service records its final one: seq-guarded session fields plus one timeline event. */
export async function recordCompleted(records: CheckoutRecords, r: RecordInput): Promise<void> {
  await records.applyStep(
    {
      checkoutSessionId: r.checkoutSessionId,
      step: { seq: 1, workflowId: r.workflowId, runId: r.runId, at: r.at },
      event: { type: 'Completed', httpStatus: r.confirmed.httpStatus, requestId: r.confirmed.requestId },
      set: { state: 'Completed', reasonCode: null, returnedAt: r.at, finalizedAt: r.at, closedAt: r.at },
    },
    r.confirmed.amazon,
  );
}

export const createFloorActivities = (d: { amazonPay: AmazonPayClient; records: CheckoutRecords }) => ({
  confirm: (input: JobInput) => confirmSession(d.amazonPay, input),
  record: (input: RecordInput) => recordCompleted(d.records, input),
});

export type FloorActivities = ReturnType<typeof createFloorActivities>;
