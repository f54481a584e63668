import type { CheckoutRecords } from '../../records/checkout-sessions';
import type { RecordStepRequest } from '../../records/types';

export const recordActivities = (records: CheckoutRecords) => ({
  /** One workflow step: session fields (seq-guarded) + timeline event (unique _id). Idempotent. */
  async recordStep(req: RecordStepRequest): Promise<{ applied: boolean }> {
    return records.applyStep(req);
  },
});
