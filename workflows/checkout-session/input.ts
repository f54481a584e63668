// Schemas shared by the workflow and its clients (DESIGN.md, "The workflow" → Input; CONVENTIONS.md 12).
// Money and the address come from the vocabulary (domain/); this file adds what a merchant may ask for.
import { z } from 'zod';
import { builtOnce } from '../../domain/built-once';
import type { SessionFields, TimelineEvent } from '../../records/types';
import { Address } from '../../domain/address';
import { AMAZON_PAY_CURRENCIES, isAmazonPayCurrency, MoneySchema, toMinorUnits } from '../../domain/money';

import { ChargePermissionType, CheckoutFlow, CheckoutState, PaymentIntent } from '../../domain/checkout';

// The vocabulary, re-exported: clients take the whole message contract from workflows/checkout-session.
export { ChargePermissionType, CheckoutFlow, CheckoutState, FINAL_STATES, PaymentIntent, isFinalState } from '../../domain/checkout';

/** Amounts a merchant may ask for: no leading zeros, at most 12 integer and 4 fraction digits, then the currency's rules. */
const DECIMAL_AMOUNT = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?$/;

const AMAZON_COMPACT_INSTANT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/;

/** Amazon's compact `yyyyMMddTHHmmssZ` as ISO 8601; anything else is returned as it is, for the ISO check. */
export function isoFromAmazonTimestamp(v: string): string {
  return v.replace(AMAZON_COMPACT_INSTANT, (_, y, mo, d, h, mi, sec, frac) => `${y}-${mo}-${d}T${h}:${mi}:${sec}${frac ?? ''}Z`);
}

/**
 * The saved-wallet setup: a PaymentMethodOnFile session with no amount, confirmed with `{}` — Complete after the
 * sign-in return (seed 002) or Finalize from the Mobile SDK (seed 000). Nothing is charged; Amazon answers with the
 * charge permission, the buyer, the paymentDescriptor and the billing address.
 */
export function isSetupOnly(v: { chargePermissionType?: ChargePermissionType; chargeAmount?: unknown }): boolean {
  return v.chargePermissionType === 'PaymentMethodOnFile' && v.chargeAmount === undefined;
}

/**
 * The schemas, built once per worker thread rather than once per workflow run (domain/built-once.ts): the workflow
 * parses its input with them, and building them again for every run cost about 10 ms of the workflow thread.
 */
function buildSchemas() {
  /** Amazon's session IDs are UUIDs; accept the same alphabet with a bound so nothing odd reaches a workflow ID. */
  const CheckoutSessionId = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, 'must be 1–100 letters, digits or dashes (an Amazon checkoutSessionId)');


  const Money = MoneySchema.superRefine((m, ctx) => {
    if (!DECIMAL_AMOUNT.test(m.amount)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'must be a decimal string such as "14.00" (no sign, no exponent, no leading zeros)' });
    }
  });

  /** Timing of the pending-authorization branch; defaults follow Amazon's 24 h bound for async authorizations. */
  const PendingTiming = z.strictObject({
    maxWaitMs: z.number().int().positive().max(7 * 24 * 3600_000).default(24 * 3600_000),
    initialPollMs: z.number().int().positive().default(60_000),
    maxPollMs: z.number().int().positive().default(3600_000),
  });

  /**
   * Lost-return recovery (DESIGN.md, "Lost-return recovery"): while the session awaits the return, Get Checkout Session
   * after `graceMs`, then on a doubling interval capped at `maxIntervalMs`, the last check `beforeDeadlineMs` before the
   * deadline. An Open session without constraints is confirmed as a return would be.
   */
  const RecoveryTiming = z.strictObject({
    enabled: z.boolean().default(true),
    graceMs: z.number().int().min(0).max(24 * 3600_000).default(30 * 60_000),
    maxIntervalMs: z.number().int().positive().max(24 * 3600_000).default(4 * 3600_000),
    beforeDeadlineMs: z.number().int().min(0).max(24 * 3600_000).default(5 * 60_000),
  });

  const CheckoutInput = z
    .strictObject({
      checkoutSessionId: CheckoutSessionId,
      flow: CheckoutFlow,
      chargePermissionType: ChargePermissionType.default('OneTime'),
      chargeAmount: Money.optional(),
      totalOrderAmount: Money.optional(),
      paymentIntent: PaymentIntent.optional(),
      canHandlePendingAuthorization: z.boolean().optional(),
      shippingAddress: Address.optional(),
      billingAddress: Address.optional(),
      supplementaryData: z.string().max(1024).optional(),
      merchantReferenceId: z.string().min(1).max(256).optional(),
      /**
       * Absolute instant after which Amazon cancels the session: creation + 24 h, i.e. the session's
       * `expirationTimestamp`, which Amazon writes compactly (`20191015T204327Z`); ISO 8601 passes unchanged.
       */
      deadline: z.string().transform(isoFromAmazonTimestamp).pipe(z.iso.datetime({ offset: true })),
      pending: PendingTiming.optional(),
      recovery: RecoveryTiming.optional(),
      /**
       * Set by a starter that wrote the Created step (createdStep) to the records before starting the workflow
       * (client/temporal/checkout.ts, StartDefaults.startRecorded); the workflow then does not write it again.
       */
      startRecorded: z.literal(true).optional(),
    })
    .superRefine((v, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      const finalizeOnly = ['paymentIntent', 'canHandlePendingAuthorization', 'shippingAddress', 'billingAddress', 'supplementaryData'] as const;
      if (v.flow === 'complete') {
        for (const k of finalizeOnly) if (v[k] !== undefined) issue(k, 'only for the finalize flow');
      }
      if (isSetupOnly(v)) {
        // Seed 002 (complete after the sign-in return) and seed 000 (finalize from the Mobile SDK): the saved-wallet
        // setup confirms with `{}` (finalize may add supplementaryData) and Amazon answers with the charge permission,
        // the buyer, the paymentDescriptor and the billing address.
        const body = v.flow === 'complete' ? 'an empty body' : 'the body {} (supplementaryData optional)';
        const notInSetup = v.flow === 'complete' ? (['totalOrderAmount'] as const) : (['totalOrderAmount', ...finalizeOnly.slice(0, 4)] as const);
        for (const k of notInSetup) {
          if (v[k] !== undefined) issue(k, `the saved-wallet setup (PaymentMethodOnFile without chargeAmount) confirms with ${body}: leave out ${k}`);
        }
        return;
      }
      if (!v.chargeAmount) {
        issue(
          'chargeAmount',
          v.chargePermissionType === 'PaymentMethodOnFile'
            ? 'required to charge now (must equal the session’s paymentDetails.chargeAmount); for the saved-wallet setup leave out every amount, intent and address'
            : 'required (must equal the session’s paymentDetails.chargeAmount)',
        );
      }
      if (v.totalOrderAmount && v.chargeAmount && v.totalOrderAmount.currencyCode !== v.chargeAmount.currencyCode) {
        issue('totalOrderAmount', 'currency must match chargeAmount');
      }
      if (v.flow === 'finalize') {
        if (!v.paymentIntent) issue('paymentIntent', 'required for finalize');
        if (!v.shippingAddress && !v.billingAddress) {
          issue('shippingAddress', 'finalize needs the shippingAddress (PayAndShip) or the billingAddress (PayOnly) Amazon shared');
        }
      }
    });

  /** What the workflow (and the buyerReturned update) resolves with. No buyer data: that lives in MongoDB only. */
  const CheckoutOutcome = z.object({
    checkoutSessionId: z.string(),
    state: CheckoutState,
    reasonCode: z.string().optional(),
    chargeId: z.string().optional(),
    chargePermissionId: z.string().optional(),
    chargeState: z.string().optional(),
    message: z.string().optional(),
    /** Confirmed by lost-return recovery, not by the buyer's return. */
    recovered: z.boolean().optional(),
  });

  const BuyerReturn = z.strictObject({
    checkoutSessionId: CheckoutSessionId,
  });

  const BuyerCancel = z.strictObject({ checkoutSessionId: CheckoutSessionId });

  /** IPNs carry no state (reference §8): the workflow re-reads the charge. */
  const ChargeStateChanged = z.strictObject({
    chargeId: z.string().min(1).max(100),
    chargePermissionId: z.string().max(100).optional(),
  });
  return { CheckoutSessionId, Money, PendingTiming, RecoveryTiming, CheckoutInput, CheckoutOutcome, BuyerReturn, BuyerCancel, ChargeStateChanged };
}

export const { CheckoutSessionId, Money, PendingTiming, RecoveryTiming, CheckoutInput, CheckoutOutcome, BuyerReturn, BuyerCancel, ChargeStateChanged } = builtOnce('workflows/checkout-session/input', buildSchemas);
export type Money = z.infer<typeof Money>;
export type PendingTiming = z.infer<typeof PendingTiming>;
export type RecoveryTiming = z.infer<typeof RecoveryTiming>;
export type CheckoutInput = z.input<typeof CheckoutInput>;
export type ParsedCheckoutInput = z.output<typeof CheckoutInput>;
export type CheckoutOutcome = z.infer<typeof CheckoutOutcome>;
export type BuyerReturn = z.infer<typeof BuyerReturn>;
export type BuyerCancel = z.infer<typeof BuyerCancel>;
export type ChargeStateChanged = z.infer<typeof ChargeStateChanged>;


export { Address };

/**
 * The Created step: the fields the session's record starts with (the order as the merchant gave it) and its timeline
 * entry. The workflow's first step writes it, unless its starter wrote it before the start (`startRecorded`).
 */
export function createdStep(input: ParsedCheckoutInput): { event: TimelineEvent; set: SessionFields } {
  return {
    event: { type: 'Created', flow: input.flow },
    set: {
      state: 'AwaitingReturn',
      flow: input.flow,
      chargePermissionType: input.chargePermissionType,
      paymentIntent: input.paymentIntent ?? null,
      chargeAmount: input.chargeAmount ?? null,
      totalOrderAmount: input.totalOrderAmount ?? null,
      merchantReferenceId: input.merchantReferenceId ?? null,
      deadline: input.deadline,
    },
  };
}

/** Amazon cancels a session 24 hours after it was created, so no deadline lies further ahead than that. */
export const AMAZON_SESSION_LIFETIME_MS = 24 * 3600_000;
export const DEFAULT_DEADLINE_SKEW_MS = 5 * 60_000;
/** Amazon's documented bound on merchantMetadata.merchantReferenceId: 256 characters/bytes (counted as UTF-8). */
export const MERCHANT_REFERENCE_MAX_BYTES = 256;

export interface InputBoundsOptions {
  /** The instant the deadline is judged against: the request's arrival at the edge, the run's start in the workflow. */
  now: number;
  /** How far past now + 24 h a deadline may lie (clocks differ); default 5 minutes. */
  deadlineSkewMs?: number;
  /** Whether a deadline already past is refused (the edge); the workflow lets the deadline branch settle it. */
  refusePastDeadline?: boolean;
  /** The merchant's own ceiling per currency, as decimal strings; `*` applies to every currency not named. */
  maxAmounts?: Readonly<Record<string, string>>;
}

export interface InputProblem {
  path: string;
  message: string;
}

function utf8Bytes(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * What Amazon would never accept, beyond the input's shape (CheckoutInput): a currency it does not charge in, an
 * amount that is not positive or above the merchant's ceiling, a deadline outside the session's 24-hour life, a
 * reference longer than Amazon's bound. One rule set for the HTTP edge (refused before anything starts) and the
 * workflow (which refuses the same input whoever started it).
 */
export function inputBounds(v: ParsedCheckoutInput, o: InputBoundsOptions): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const k of ['chargeAmount', 'totalOrderAmount'] as const) {
    const m = v[k];
    if (!m) continue;
    if (!isAmazonPayCurrency(m.currencyCode)) {
      problems.push({ path: `${k}.currencyCode`, message: `${m.currencyCode} is not a currency Amazon Pay charges in (one of ${AMAZON_PAY_CURRENCIES.join(', ')})` });
      continue;
    }
    const minor = toMinorUnits(m);
    if (minor <= 0) problems.push({ path: `${k}.amount`, message: 'must be more than zero' });
    const ceiling = o.maxAmounts?.[m.currencyCode] ?? o.maxAmounts?.['*'];
    if (ceiling !== undefined && minor > toMinorUnits({ amount: ceiling, currencyCode: m.currencyCode })) {
      problems.push({ path: `${k}.amount`, message: `must be at most ${ceiling} ${m.currencyCode} (this service's limit)` });
    }
  }
  const deadline = Date.parse(v.deadline);
  const latest = o.now + AMAZON_SESSION_LIFETIME_MS + (o.deadlineSkewMs ?? DEFAULT_DEADLINE_SKEW_MS);
  if (deadline > latest) {
    problems.push({ path: 'deadline', message: `must be within 24 hours of now (Amazon cancels a session 24 hours after creating it; use its expirationTimestamp); latest accepted ${new Date(latest).toISOString()}` });
  } else if (o.refusePastDeadline && deadline <= o.now) {
    problems.push({ path: 'deadline', message: 'has already passed (Amazon has canceled the session)' });
  }
  if (v.merchantReferenceId !== undefined && utf8Bytes(v.merchantReferenceId) > MERCHANT_REFERENCE_MAX_BYTES) {
    problems.push({ path: 'merchantReferenceId', message: `must be at most ${MERCHANT_REFERENCE_MAX_BYTES} bytes (Amazon's limit)` });
  }
  return problems;
}

/** The problems as one message, in zod's prettified style (`✖ message\n  → at path`). */
export const formatInputProblems = (problems: readonly InputProblem[]): string => problems.map((p) => `✖ ${p.message}\n  → at ${p.path}`).join('\n');

export interface CheckoutStatus {
  checkoutSessionId: string;
  state: CheckoutState;
  /** What the workflow is waiting on now, in words, as in the Temporal UI's current details. */
  waitingOn: string;
  returned: boolean;
  deadline: string;
  outcome?: CheckoutOutcome;
  confirmAttempts: number;
  /** Lost-return recovery: checks of Amazon made while waiting, and whether recovery confirmed the session. */
  recoveryChecks?: number;
  recovered?: boolean;
}
