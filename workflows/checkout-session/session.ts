// The state one checkout-session workflow holds (as samples-typescript's safe-message-handlers keeps it in a small
// class): the state-machine state, Amazon's IDs, the step counter, what the handlers set, and the few operations on
// them. Decisions stay in state.ts; the branches (branches.ts) and the handlers (workflow.ts) work through this.
import { log, patched, setCurrentDetails, upsertSearchAttributes, type WorkflowInfo } from '@temporalio/workflow';
import type { SessionSummary } from '../../activities/amazon-pay/activities';
import type { SessionFields, StepContext, TimelineEvent } from '../../records/types';
import type { ChargeState, TimelineEventType } from '../../domain/checkout';
import { reads, records } from './proxies';
import { failureType } from './failures';
import {
  PendingTiming,
  RecoveryTiming,
  isFinalState,
  type CheckoutOutcome,
  type CheckoutState,
  type CheckoutStatus,
  type ParsedCheckoutInput,
} from './input';
import { CheckoutStateKey } from './search-attributes';
import { transition, waitingOn, type CheckoutEvent } from './state';

/**
 * Reads of a Completed session also weigh its charge's state (a pending authorization may have settled, Declined
 * included, before the read), and the workflow then records the outcome itself: a retried read activity may have
 * recorded an older view under the same step. Histories from before this change replay without it.
 */
const CHARGE_AWARE_SESSION_READS = 'charge-aware-session-reads';

export class CheckoutSession {
  readonly id: string;
  readonly deadlineMs: number;
  readonly pending: PendingTiming;
  readonly recovery: RecoveryTiming;
  /** Amazon's IDs as they become known. */
  readonly ids: { chargeId?: string; chargePermissionId?: string; chargeState?: ChargeState } = {};

  #state: CheckoutState = 'AwaitingReturn';
  seq = 0;
  outcome: CheckoutOutcome | undefined;
  returnedAt: string | undefined;
  /** Set when recovery, not the buyer's return, started the confirmation. */
  recoveredAt: string | undefined;
  cancelRequested = false;
  /** The cancel branch recorded BuyerCanceled, or the main path is done: cancelCheckout may answer. */
  cancelRecorded = false;
  mainDone = false;
  chargeSignals = 0;
  confirmAttempts = 0;
  recoveryChecks = 0;
  /** Recovery and notifications are on (patched): histories from before them replay without either. */
  notifying = false;
  /** Webhook deliveries in order; awaited before the workflow completes. */
  deliveries: Promise<void> = Promise.resolve();
  webhookNote = '';

  constructor(
    readonly input: ParsedCheckoutInput,
    private readonly info: WorkflowInfo,
  ) {
    this.id = input.checkoutSessionId;
    this.deadlineMs = Date.parse(input.deadline);
    this.pending = input.pending ?? PendingTiming.parse({});
    this.recovery = input.recovery ?? RecoveryTiming.parse({});
  }

  /** The state now. Compare with `is()`: handlers and `apply()` change it between awaits, so no narrowing. */
  get state(): CheckoutState {
    return this.#state;
  }

  is(...states: CheckoutState[]): boolean {
    return states.includes(this.#state);
  }

  isFinal(): boolean {
    return isFinalState(this.#state);
  }

  /** A return or a cancel has arrived. */
  arrived(): boolean {
    return this.returnedAt !== undefined || this.cancelRequested;
  }

  markReturned(): void {
    if (this.returnedAt === undefined && this.#state === 'AwaitingReturn') this.returnedAt = new Date().toISOString();
  }

  /** Applies an event; returns the reason code when it moved to a final state. */
  apply(e: CheckoutEvent): { moved: boolean; reasonCode?: string } {
    const t = transition(this.#state, e);
    if ('rejected' in t) {
      log.debug('event ignored', { event: e.type, reason: t.rejected });
      return { moved: false };
    }
    const moved = t.next !== this.#state;
    this.#state = t.next;
    if (moved) this.show();
    return { moved, reasonCode: t.reasonCode };
  }

  /** The state in the Temporal UI: search attribute and current details. */
  show(): void {
    upsertSearchAttributes([{ key: CheckoutStateKey, value: this.#state }]);
    this.details(`waiting on ${waitingOn(this.#state)}`);
  }

  details(text: string): void {
    setCurrentDetails(`**${this.#state}** — ${text}`);
  }

  snapshot(): CheckoutOutcome {
    const { outcome, ids } = this;
    return {
      checkoutSessionId: this.id,
      state: this.#state,
      ...(outcome?.reasonCode ? { reasonCode: outcome.reasonCode } : {}),
      ...(ids.chargeId ? { chargeId: ids.chargeId } : {}),
      ...(ids.chargePermissionId ? { chargePermissionId: ids.chargePermissionId } : {}),
      ...(ids.chargeState ? { chargeState: ids.chargeState } : {}),
      ...(outcome?.message ? { message: outcome.message } : {}),
      ...(this.recoveredAt ? { recovered: true } : {}),
    };
  }

  status(): CheckoutStatus {
    return {
      checkoutSessionId: this.id,
      state: this.#state,
      waitingOn: waitingOn(this.#state),
      returned: this.returnedAt !== undefined,
      deadline: this.input.deadline,
      confirmAttempts: this.confirmAttempts,
      recoveryChecks: this.recoveryChecks,
      ...(this.recoveredAt ? { recovered: true } : {}),
      ...(this.isFinal() ? { outcome: this.snapshot() } : {}),
    };
  }

  /** The next step: every record write carries it, so retried and replayed writes are no-ops. */
  step(): StepContext {
    return { seq: ++this.seq, workflowId: this.info.workflowId, runId: this.info.runId, at: new Date().toISOString() };
  }

  record(event: TimelineEvent, set: SessionFields): Promise<unknown> {
    return records.recordStep({ checkoutSessionId: this.id, step: this.step(), event, set });
  }

  /** Records a final state other than a confirmed success (those are recorded by the activity that saw them). */
  async close(reasonCode: string, eventType: TimelineEventType, message?: string, chargeState?: ChargeState): Promise<void> {
    this.outcome = { checkoutSessionId: this.id, state: this.#state, reasonCode, ...(message ? { message } : {}) };
    const now = new Date().toISOString();
    await this.record(
      { type: eventType, state: this.#state, reasonCode, ...(message ? { message } : {}) },
      { state: this.#state, reasonCode, closedAt: now, ...(chargeState ? { chargeState, settledAt: now } : {}) },
    );
  }

  takeIds(r: { chargeId?: string | null; chargePermissionId?: string | null; chargeState?: ChargeState | null }): void {
    if (r.chargeId) this.ids.chargeId = r.chargeId;
    if (r.chargePermissionId) this.ids.chargePermissionId = r.chargePermissionId;
    if (r.chargeState) this.ids.chargeState = r.chargeState;
  }

  /** Get Checkout Session; undefined when it could not be read within the read policy. */
  async readSession(purpose: 'reconcile' | 'deadline' | 'recovery'): Promise<SessionSummary | undefined> {
    try {
      return await reads.readCheckoutSession({ checkoutSessionId: this.id, step: this.step(), purpose });
    } catch (err) {
      log.warn('Get Checkout Session failed', { failure: failureType(err), purpose });
      return undefined;
    }
  }

  /** A session read as a state-machine event. */
  sessionRead(s: SessionSummary): CheckoutEvent {
    return {
      type: 'SessionRead',
      sessionState: s.sessionState,
      reasonCode: s.reasonCode,
      chargePending: s.chargePending,
      ...(s.chargeState && this.chargeAware(s) ? { chargeState: s.chargeState } : {}),
    };
  }

  /** The read activity recorded what it saw; the workflow's own, later step makes the record match its decision. */
  async recordCompletedRead(s: SessionSummary): Promise<void> {
    if (!this.chargeAware(s)) return;
    const now = new Date().toISOString();
    await this.record(
      { type: 'Completed', via: 'GetCheckoutSession', chargeState: s.chargeState ?? null },
      { state: this.#state, reasonCode: null, chargeState: s.chargeState ?? null, closedAt: now },
    );
  }

  private chargeAware(s: SessionSummary): boolean {
    return s.sessionState === 'Completed' && patched(CHARGE_AWARE_SESSION_READS);
  }
}
