// Activities at the Amazon Pay boundary. One attempt each (Temporal retries, CONVENTIONS.md 4); every failure
// leaves as an ApplicationFailure with an explicit type (convention 5). Buyer data from Amazon's responses is
// written straight to MongoDB here and never returned, so it never enters workflow history.
import type { ChargeState, CheckoutSessionState } from '../../domain/checkout';
import { toApplicationFailure } from './errors';
import { idempotencyKey } from './idempotency';
import type { AmazonPayClient } from './client';
import type { CheckoutSession, CompleteCheckoutSessionBody, FinalizeCheckoutSessionBody } from './schemas';
import type { AmazonSessionData, CheckoutRecords } from '../../records/checkout-sessions';
import type { StepContext } from '../../records/types';
import { attemptSignal } from '../records/activities';

export interface ConfirmRequest {
  checkoutSessionId: string;
  flow: 'complete' | 'finalize';
  /** Built once by the workflow from its input: every attempt sends the same bytes. */
  body: Record<string, unknown>;
  step: StepContext;
  /** When the buyer's return arrived; absent when lost-return recovery confirms the session. */
  returnedAt?: string;
  /** Set instead of returnedAt when lost-return recovery confirms the session. */
  recoveredAt?: string;
}

/** IDs and states only: no buyer data. */
export interface ConfirmResult {
  httpStatus: number;
  pending: boolean;
  chargeId?: string;
  chargePermissionId?: string;
  chargeState?: ChargeState;
}

export interface SessionSummary {
  sessionState: CheckoutSessionState;
  reasonCode?: string | null;
  chargeId?: string;
  chargePermissionId?: string;
  chargeState?: ChargeState;
  /** Completed with a charge still AuthorizationInitiated. */
  chargePending: boolean;
  /** An Open session's constraints (BuyerNotAssociated, ChargeAmountNotSet, …): none means the buyer has finished. */
  constraints?: string[];
}

function amazonData(s: CheckoutSession, chargeState?: ChargeState): AmazonSessionData {
  const descriptor =
    s.paymentDescriptor ?? s.paymentPreferences?.find((p) => p?.paymentDescriptor)?.paymentDescriptor ?? null;
  return {
    chargeId: s.chargeId ?? null,
    chargePermissionId: s.chargePermissionId ?? null,
    ...(chargeState ? { chargeState } : {}),
    statusDetails: (s.statusDetails as Record<string, unknown> | null | undefined) ?? null,
    buyer: (s.buyer as Record<string, unknown> | null | undefined) ?? null,
    billingAddress: (s.billingAddress as Record<string, unknown> | null | undefined) ?? null,
    shippingAddress: (s.shippingAddress as Record<string, unknown> | null | undefined) ?? null,
    paymentDescriptor: descriptor,
  };
}

async function rethrowClassified<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}

export const amazonPayActivities = (d: { amazonPay: AmazonPayClient; records: CheckoutRecords }) => {
  /** Charge state of a Completed session: 202/pending needs it; a 200 reports the state Amazon returns. */
  const chargeStateOf = async (chargeId: string | null | undefined): Promise<ChargeState | undefined> => {
    if (!chargeId) return undefined;
    const c = await d.amazonPay.getCharge(chargeId);
    return c.body.statusDetails?.state ?? undefined;
  };

  return {
    /** Complete (web, saved wallet) or Finalize (Buy Now, mobile) Checkout Session, then record the result. */
    async confirmCheckoutSession(req: ConfirmRequest): Promise<ConfirmResult> {
      return rethrowClassified(async () => {
        const key = idempotencyKey(req.checkoutSessionId, req.flow);
        const res =
          req.flow === 'complete'
            ? await d.amazonPay.completeCheckoutSession(
                req.checkoutSessionId,
                req.body as CompleteCheckoutSessionBody,
                { idempotencyKey: key },
              )
            : await d.amazonPay.finalizeCheckoutSession(
                req.checkoutSessionId,
                req.body as FinalizeCheckoutSessionBody,
                { idempotencyKey: key },
              );
        const pending = res.status === 202;
        const chargeState: ChargeState | undefined = pending ? 'AuthorizationInitiated' : undefined;
        const state = pending ? 'AuthorizationPending' : 'Completed';
        await d.records.applyStep(
          {
            checkoutSessionId: req.checkoutSessionId,
            step: req.step,
            event: {
              type: pending ? 'AuthorizationPending' : 'Completed',
              httpStatus: res.status,
              requestId: res.requestId ?? null,
              ...(req.recoveredAt ? { recovered: true } : {}),
            },
            set: {
              state,
              reasonCode: null,
              ...(req.returnedAt ? { returnedAt: req.returnedAt } : {}),
              ...(req.recoveredAt ? { recoveredAt: req.recoveredAt } : {}),
              finalizedAt: req.step.at,
              ...(pending ? {} : { closedAt: req.step.at }),
            },
          },
          amazonData(res.body, chargeState),
          { signal: attemptSignal() },
        );
        return {
          httpStatus: res.status,
          pending,
          ...(res.body.chargeId ? { chargeId: res.body.chargeId } : {}),
          ...(res.body.chargePermissionId ? { chargePermissionId: res.body.chargePermissionId } : {}),
          ...(chargeState ? { chargeState } : {}),
        };
      });
    },

    /** Get Checkout Session: Amazon's truth for ambiguous results and at the deadline. Records a completion. */
    async readCheckoutSession(req: {
      checkoutSessionId: string;
      step: StepContext;
      purpose: 'reconcile' | 'deadline' | 'recovery';
    }): Promise<SessionSummary> {
      return rethrowClassified(async () => {
        const res = await d.amazonPay.getCheckoutSession(req.checkoutSessionId);
        const s = res.body;
        const sessionState = (s.statusDetails?.state ?? 'Open') as SessionSummary['sessionState'];
        const summary: SessionSummary = {
          sessionState,
          reasonCode: s.statusDetails?.reasonCode ?? null,
          ...(s.chargeId ? { chargeId: s.chargeId } : {}),
          ...(s.chargePermissionId ? { chargePermissionId: s.chargePermissionId } : {}),
          chargePending: false,
        };
        if (sessionState === 'Open') {
          // Recovery confirms only on Amazon's own signal that the buyer has finished: a constraints list that is
          // present and empty, with a buyer. Anything less reads as a constraint, so the workflow keeps waiting.
          const ids = (s.constraints ?? []).flatMap((c) => (c?.constraintId ? [c.constraintId] : []));
          if (s.constraints == null) ids.push('ConstraintsUnknown');
          if (!s.buyer && !ids.includes('BuyerNotAssociated')) ids.push('BuyerNotAssociated');
          summary.constraints = ids;
        }
        if (sessionState === 'Completed') {
          const chargeState = await chargeStateOf(s.chargeId);
          summary.chargePending = chargeState === 'AuthorizationInitiated';
          if (chargeState) summary.chargeState = chargeState;
          await d.records.applyStep(
            {
              checkoutSessionId: req.checkoutSessionId,
              step: req.step,
              event: {
                type: summary.chargePending ? 'AuthorizationPending' : 'Completed',
                via: `GetCheckoutSession:${req.purpose}`,
                requestId: res.requestId ?? null,
              },
              set: {
                state: summary.chargePending ? 'AuthorizationPending' : 'Completed',
                reasonCode: null,
                finalizedAt: req.step.at,
                ...(summary.chargePending ? {} : { closedAt: req.step.at }),
              },
            },
            amazonData(s, chargeState),
            { signal: attemptSignal() },
          );
        }
        return summary;
      });
    },

    /** Get Charge: the pending branch re-reads the charge on IPN or poll (IPNs carry no state). */
    async readCharge(req: { chargeId: string }): Promise<{ chargeState: ChargeState; reasonCode?: string | null }> {
      return rethrowClassified(async () => {
        const res = await d.amazonPay.getCharge(req.chargeId);
        return {
          chargeState: res.body.statusDetails.state,
          reasonCode: res.body.statusDetails?.reasonCode ?? null,
        };
      });
    },
  };
};
