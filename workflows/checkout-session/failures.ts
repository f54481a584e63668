// How an activity's failure reads in the workflow: the closed `type` the activities raise (activities/amazon-pay/
// errors.ts) and Amazon's reasonCode, or Timeout.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';

export function failureOf(err: unknown): { type: string; reasonCode?: string } {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const d = (cause.details?.[0] ?? {}) as { reasonCode?: string };
      return { type: cause.type ?? 'ApplicationFailure', reasonCode: d.reasonCode };
    }
    if (cause instanceof TimeoutFailure) return { type: 'Timeout' };
  }
  return { type: 'Unknown' };
}

export function failureType(err: unknown): string {
  return failureOf(err).type;
}
