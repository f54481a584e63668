// The outcome of a return or cancel as an HTTP answer, shared by the return and cancel URLs and complete-checkout.
// Every answer says what is true: a wait that ran out reports the session's real state, not a guess.
import { queryStatus, type ReturnResult } from '../../temporal/checkout';
import { isFinalState, type CheckoutState, type CheckoutOutcome } from '../../../workflows/checkout-session';
import type { AppContext } from '../context';
import { HttpError } from '../errors';

export interface ReturnAnswer {
  status: 200 | 202;
  final: boolean;
  body: { checkoutSessionId: string; state: string; reasonCode?: string; [k: string]: unknown };
}

const STATE_QUERY_TIMEOUT_MS = 2_000;

/**
 * The session's state now, for an answer whose wait ran out: the workflow's own (query, bounded), else the record
 * (no worker needed), else AwaitingReturn (a started session that has recorded nothing yet). A final state comes with
 * its outcome, so the answer is the same as the one a caller that waited long enough got.
 */
export async function stateNow(c: AppContext, checkoutSessionId: string): Promise<{ state: CheckoutState; outcome?: CheckoutOutcome }> {
  const live = await c.client
    .withDeadline(Date.now() + STATE_QUERY_TIMEOUT_MS, () => queryStatus(c.client, checkoutSessionId))
    .catch(() => undefined);
  if (live) return { state: live.state, ...(live.outcome ? { outcome: live.outcome } : {}) };
  return recordedState(c, checkoutSessionId);
}

/** The state the records hold (no Temporal call): a final one with its outcome; none recorded yet is AwaitingReturn. */
export async function recordedState(c: AppContext, checkoutSessionId: string): Promise<{ state: CheckoutState; outcome?: CheckoutOutcome }> {
  const record = await c.records.get(checkoutSessionId).catch(() => undefined);
  if (!record) return { state: 'AwaitingReturn' };
  if (!isFinalState(record.state)) return { state: record.state };
  const outcome: CheckoutOutcome = {
    checkoutSessionId,
    state: record.state,
    ...(record.reasonCode ? { reasonCode: record.reasonCode } : {}),
    ...(record.chargeId ? { chargeId: record.chargeId } : {}),
    ...(record.chargePermissionId ? { chargePermissionId: record.chargePermissionId } : {}),
    ...(record.chargeState ? { chargeState: record.chargeState } : {}),
    ...(record.recoveredAt ? { recovered: true } : {}),
  };
  return { state: record.state, outcome };
}

/** Fills in the true state of a wait that ran out (the outcome when it is final); any other result passes unchanged. */
export async function withStateNow(c: AppContext, checkoutSessionId: string, r: ReturnResult): Promise<ReturnResult> {
  if (r.kind !== 'timeout' || r.state !== undefined) return r;
  const now = await stateNow(c, checkoutSessionId);
  return now.outcome ? { kind: 'outcome', outcome: now.outcome } : { kind: 'timeout', state: now.state };
}

/** Final → 200 with the outcome; pending, or the bounded wait ran out → 202 "ask again" with the state; unknown → 404. */
export function returnAnswer(checkoutSessionId: string, r: ReturnResult): ReturnAnswer {
  if (r.kind === 'unknown-session') {
    throw new HttpError(404, 'unknown_session', 'no checkout was started for this session');
  }
  if (r.kind === 'timeout') {
    const state = r.state ?? 'AwaitingReturn';
    if (isFinalState(state)) return { status: 200, final: true, body: { checkoutSessionId, state } };
    return { status: 202, final: false, body: { checkoutSessionId, state, waitExpired: true } };
  }
  const final = isFinalState(r.outcome.state);
  return { status: final ? 200 : 202, final, body: { ...r.outcome, checkoutSessionId } };
}
