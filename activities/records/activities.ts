import { Context } from '@temporalio/activity';
import type { CheckoutRecords } from '../../records/checkout-sessions';
import type { RecordStepRequest } from '../../records/types';

/**
 * This attempt's cancellation (its timeout included): a write that would land after the attempt was given up — and a
 * retry, maybe a later step, has gone on — is not made. Undefined outside an activity (direct calls in tests).
 */
export function attemptSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

export const recordActivities = (records: CheckoutRecords) => ({
  /** One workflow step: session fields (seq-guarded) + timeline event (unique _id). Idempotent. */
  async recordStep(req: RecordStepRequest): Promise<{ applied: boolean }> {
    return records.applyStep(req, {}, { signal: attemptSignal() });
  },
});
