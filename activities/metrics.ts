// Business metrics counted by the activities (never by workflow code, which must stay deterministic). The worker
// builds a registry and passes `CheckoutMetrics` in; a step counts only when its write was applied, so a retried or
// replayed activity does not count twice. Labels are closed sets (states, flows, outcomes): no IDs, no buyer data.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { CheckoutRecords } from '../records/checkout-sessions';
import type { RecordStepRequest } from '../records/types';
import { FINAL_STATES, type CheckoutFlow, type CheckoutState } from '../domain/checkout';

const DURATION_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600];
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** What the session document tells about a session that just ended (read once, at its final step). */
export interface EndedSession {
  flow?: CheckoutFlow | null;
  createdAt?: Date | null;
  returnedAt?: Date | null;
  recoveredAt?: Date | null;
}

export type WebhookOutcomeLabel = 'delivered' | 'rejected' | 'expired' | 'retry' | 'not_configured';

export class CheckoutMetrics {
  readonly started: Counter<'flow'>;
  readonly ended: Counter<'state' | 'flow'>;
  readonly fromStart: Histogram<'state' | 'flow'>;
  readonly fromReturn: Histogram<'state' | 'flow'>;
  readonly pendingEntered: Counter;
  readonly recoveries: Counter<'state'>;
  readonly settled: Counter<'charge_state'>;
  readonly webhookDeliveries: Counter<'outcome'>;
  readonly webhookLag: Histogram;

  constructor(registers: Registry[]) {
    this.started = new Counter({ name: 'checkout_sessions_started_total', help: 'Checkout sessions started (their Created step recorded), by flow: counted by whichever process recorded it, the HTTP server or the worker.', labelNames: ['flow'], registers });
    this.ended = new Counter({ name: 'checkout_sessions_ended_total', help: 'Checkout sessions that reached a final state, by state and flow.', labelNames: ['state', 'flow'], registers });
    this.fromStart = new Histogram({ name: 'checkout_session_duration_seconds', help: 'From a session\'s start to its final state, by state and flow.', labelNames: ['state', 'flow'], buckets: DURATION_BUCKETS, registers });
    this.fromReturn = new Histogram({ name: 'checkout_return_to_outcome_seconds', help: 'From the buyer\'s return to the final state (sessions that returned), by state and flow.', labelNames: ['state', 'flow'], buckets: DURATION_BUCKETS, registers });
    this.pendingEntered = new Counter({ name: 'checkout_authorizations_pending_total', help: 'Sessions that entered AuthorizationPending.', registers });
    this.recoveries = new Counter({ name: 'checkout_recoveries_total', help: 'Sessions without a buyer return that the lost-return recovery branch confirmed, by final state.', labelNames: ['state'], registers });
    this.settled = new Counter({ name: 'checkout_authorizations_settled_total', help: 'Pending authorizations settled (after an IPN signal or by polling), by charge state.', labelNames: ['charge_state'], registers });
    this.webhookDeliveries = new Counter({ name: 'checkout_webhook_deliveries_total', help: 'Merchant webhook attempts by outcome (retry: a failed attempt Temporal will retry).', labelNames: ['outcome'], registers });
    this.webhookLag = new Histogram({ name: 'checkout_webhook_delivery_lag_seconds', help: 'From the event (the step it announces) to its delivery with a 2xx.', buckets: LAG_BUCKETS, registers });
  }

  /** One applied step. `ended` is read from the session document only for a final step (one read per session). */
  async stepApplied(req: RecordStepRequest, ended: () => Promise<EndedSession | null>): Promise<void> {
    const { event, set } = req;
    if (event.type === 'Created') this.started.inc({ flow: set.flow ?? 'unknown' });
    if (event.type === 'AuthorizationSettled') this.settled.inc({ charge_state: typeof event.chargeState === 'string' ? event.chargeState : 'unknown' });
    if (set.state === 'AuthorizationPending') this.pendingEntered.inc();
    if (set.state && (FINAL_STATES as readonly CheckoutState[]).includes(set.state)) {
      const doc = await ended().catch(() => null);
      const labels = { state: set.state, flow: doc?.flow ?? set.flow ?? 'unknown' };
      this.ended.inc(labels);
      const at = Date.parse(req.step.at);
      if (doc?.createdAt) this.fromStart.observe(labels, Math.max(0, (at - doc.createdAt.getTime()) / 1000));
      if (doc?.returnedAt) this.fromReturn.observe(labels, Math.max(0, (at - doc.returnedAt.getTime()) / 1000));
      else if (doc?.recoveredAt) this.recoveries.inc({ state: set.state });
    }
  }

  webhook(outcome: WebhookOutcomeLabel, occurredAt?: string): void {
    this.webhookDeliveries.inc({ outcome });
    if (outcome === 'delivered' && occurredAt) {
      const t = Date.parse(occurredAt);
      if (Number.isFinite(t)) this.webhookLag.observe(Math.max(0, (Date.now() - t) / 1000));
    }
  }
}

/**
 * The records with every applied step counted: the record-step activity and the Amazon Pay activities (which record
 * the confirm result and reconciled reads themselves) all write through applyStep. A step not applied (a retry, a
 * replay, an older step) is not counted; counting never fails the write.
 */
export function meteredRecords(records: CheckoutRecords, metrics: CheckoutMetrics): CheckoutRecords {
  return new Proxy(records, {
    get(target, prop) {
      if (prop === 'applyStep') {
        return async (...args: Parameters<CheckoutRecords['applyStep']>) => {
          const r = await target.applyStep(...args);
          if (r.applied) await metrics.stepApplied(args[0], () => target.get(args[0].checkoutSessionId)).catch(() => undefined);
          return r;
        };
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
