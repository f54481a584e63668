// The return outcome as an HTTP answer, shared by the return URL and complete-checkout (update-with-start).
import type { ReturnResult } from '../../temporal/checkout';
import { isFinalState } from '../../../workflows/checkout-session';
import { HttpError } from '../errors';

export interface ReturnAnswer {
  status: 200 | 202;
  final: boolean;
  body: { checkoutSessionId: string; state: string; reasonCode?: string; [k: string]: unknown };
}

/** Final → 200 with the outcome; pending, or the bounded wait ran out → 202 "ask again"; unknown → 404. */
export function returnAnswer(checkoutSessionId: string, r: ReturnResult): ReturnAnswer {
  if (r.kind === 'unknown-session') {
    throw new HttpError(404, 'unknown_session', 'no checkout was started for this session');
  }
  if (r.kind === 'timeout') {
    return { status: 202, final: false, body: { checkoutSessionId, state: 'AuthorizationPending', waitExpired: true } };
  }
  const final = isFinalState(r.outcome.state);
  return { status: final ? 200 : 202, final, body: { ...r.outcome, checkoutSessionId } };
}
