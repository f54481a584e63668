// The record shapes shared by the records module, the activities and (as types) the workflow.
// DESIGN.md, "Records in MongoDB".

/** Identifies one write of one session: the workflow's step number makes every write idempotent and ordered. */
export interface StepContext {
  seq: number;
  workflowId: string;
  runId: string;
  /** Workflow time of the step (ISO), so a retried write stores the same instant. */
  at: string;
}

export interface StoredMoney {
  amount: string;
  currencyCode: string;
  /** Integer minor units (JPY has none). */
  minor: number;
}

export interface MoneyInput {
  amount: string;
  currencyCode: string;
}

/** Fields the workflow itself sets; buyer data is only ever set by the Amazon Pay activities. */
export interface SessionFields {
  state?: string;
  reasonCode?: string | null;
  flow?: string;
  chargePermissionType?: string;
  paymentIntent?: string | null;
  chargeAmount?: MoneyInput | null;
  totalOrderAmount?: MoneyInput | null;
  merchantReferenceId?: string | null;
  deadline?: string;
  chargeId?: string | null;
  chargePermissionId?: string | null;
  chargeState?: string | null;
  returnedAt?: string;
  /** Set when lost-return recovery, not the buyer's return, confirmed the session. */
  recoveredAt?: string;
  finalizedAt?: string;
  settledAt?: string;
  closedAt?: string;
}

export interface TimelineEvent {
  type: string;
  [detail: string]: unknown;
}

export interface RecordStepRequest {
  checkoutSessionId: string;
  step: StepContext;
  event: TimelineEvent;
  set: SessionFields;
}
