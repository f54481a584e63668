import { SettleChargeSchema, parseInput, type SettleChargeInput } from './admin-inputs';
import { emptyChargeCounters } from './defaults';
import { ApiError, notFound } from './errors';
import type {
  BuyerDecision,
  ChargeCounters,
  ChargePermissionRecord,
  ChargeRecord,
  ChargeState,
  ReleaseEnvironment,
  SessionRecord,
} from './model';
import { addMoney, compareDecimal, zeroMoney, type Money } from './money';
import {
  AUTHORIZATION_TTL_MS,
  DECLINE_SIMULATIONS,
  PENDING_AUTHORIZATION_TIMEOUT_MS,
  type DomainDeps,
  type OpContext,
  type OpResult,
} from './ops';
import { optString, reqMoney, type Json } from './parse';
import { chargeView } from './views';

/** The Charge state machine (reference §5.3): authorization, pending settlement, capture, cancel, expiry. */
export class Charges {
  readonly records = new Map<string, ChargeRecord>();
  readonly counters = new Map<string, ChargeCounters>();
  private chargeSeq = 0;

  constructor(
    private readonly deps: Pick<DomainDeps, 'now' | 'notify' | 'scheduler'>,
    /** The charge permission a charge belongs to: a capture lowers its balance. */
    private readonly permissionOf: (chargePermissionId: string) => ChargePermissionRecord | undefined,
  ) {}

  reset(): void {
    this.records.clear();
    this.counters.clear();
    this.chargeSeq = 0;
  }

  private now(): number {
    return this.deps.now();
  }

  chargeCountersOf(chargeId: string): ChargeCounters {
    let c = this.counters.get(chargeId);
    if (!c) this.counters.set(chargeId, (c = emptyChargeCounters()));
    return c;
  }

  private liveCharge(id: string): ChargeRecord {
    const c = this.records.get(id);
    if (!c) throw notFound('Charge', id);
    return c;
  }

  newCharge(
    cp: ChargePermissionRecord,
    s: SessionRecord,
    amount: Money,
    captureNow: boolean,
    canHandlePending: boolean,
    env: ReleaseEnvironment,
  ): ChargeRecord {
    let id: string;
    do id = `${cp.chargePermissionId}-C${String(++this.chargeSeq % 1_000_000).padStart(6, '0')}`;
    while (this.records.has(id));
    const now = this.now();
    const c: ChargeRecord = {
      chargeId: id,
      chargePermissionId: cp.chargePermissionId,
      checkoutSessionId: s.checkoutSessionId,
      chargeAmount: { ...amount },
      captureAmount: null,
      refundedAmount: zeroMoney(amount.currencyCode),
      softDescriptor: s.paymentDetails.softDescriptor,
      captureNow,
      canHandlePendingAuthorization: canHandlePending,
      merchantMetadata: { ...s.merchantMetadata },
      platformId: s.platformId,
      state: 'AuthorizationInitiated',
      reasonCode: null,
      reasonDescription: null,
      createdAt: now,
      lastUpdatedAt: now,
      expiresAt: now + AUTHORIZATION_TTL_MS,
      releaseEnvironment: env,
      pendingSettleTo: null,
      pendingSettleAt: null,
    };
    this.records.set(id, c);
    this.chargeCountersOf(id);
    return c;
  }

  // --------------------------------------------------------------------------------------------- charge states

  /** Every charge state change goes through here: it is what triggers an IPN (reference §8). */
  private enterState(
    c: ChargeRecord,
    state: ChargeState,
    reasonCode: string | null,
    reasonDescription: string | null,
  ): void {
    c.state = state;
    c.reasonCode = reasonCode;
    c.reasonDescription = reasonDescription;
    c.lastUpdatedAt = this.now();
    if (state !== 'AuthorizationInitiated') {
      c.pendingSettleTo = null;
      c.pendingSettleAt = null;
    }
    if (state === 'Authorized') {
      const stamp = c.lastUpdatedAt;
      this.deps.scheduler.schedule(stamp + AUTHORIZATION_TTL_MS, () => {
        const cur = this.records.get(c.chargeId);
        if (cur?.state === 'Authorized' && cur.lastUpdatedAt === stamp) {
          this.enterState(cur, 'Canceled', 'ExpiredUnused', 'The authorization was not captured within 30 days.');
        }
      });
    }
    this.deps.notify({
      objectType: 'CHARGE',
      objectId: c.chargeId,
      chargePermissionId: c.chargePermissionId,
      notificationType: 'STATE_CHANGE',
    });
  }

  private capture(c: ChargeRecord, amount: Money): void {
    c.captureAmount = { ...amount };
    const cp = this.permissionOf(c.chargePermissionId);
    if (cp?.capturedTotal && cp.capturedTotal.currencyCode === amount.currencyCode) {
      cp.capturedTotal = addMoney(cp.capturedTotal, amount);
    }
    this.enterState(c, 'Captured', null, null);
  }

  /** A successful authorization: captured at once for AuthorizeWithCapture / captureNow. */
  authorizeSucceeded(c: ChargeRecord): void {
    if (c.captureNow) this.capture(c, c.chargeAmount);
    else this.enterState(c, 'Authorized', null, null);
  }

  /**
   * A pending authorization (202): it settles `settleAfterMs` after `now` to the buyer's `settleTo` when given, and is
   * declined after 24 h if still pending.
   */
  beginPendingAuthorization(c: ChargeRecord, decision: BuyerDecision, now: number): void {
    c.pendingSettleTo = decision.settleTo;
    this.enterState(c, 'AuthorizationInitiated', null, null);
    if (decision.settleAfterMs !== null) {
      c.pendingSettleAt = now + decision.settleAfterMs;
      this.deps.scheduler.schedule(c.pendingSettleAt, () => this.settlePendingOnSchedule(c.chargeId));
    }
    this.deps.scheduler.schedule(now + PENDING_AUTHORIZATION_TIMEOUT_MS, () => {
      const cur = this.records.get(c.chargeId);
      if (cur?.state === 'AuthorizationInitiated') {
        this.enterState(cur, 'Declined', 'TransactionTimedOut', 'The authorization did not complete within 24 hours.');
      }
    });
  }

  private settlePendingOnSchedule(chargeId: string): void {
    const c = this.records.get(chargeId);
    if (!c || c.state !== 'AuthorizationInitiated') return;
    if (c.pendingSettleTo === 'Declined') {
      this.enterState(c, 'Declined', 'SoftDeclined', 'The pending authorization was declined.');
    } else {
      this.authorizeSucceeded(c);
    }
  }

  /** Closing a charge permission with `cancelPendingCharges` cancels its pending and authorized charges. */
  cancelForClosedPermission(chargePermissionId: string): void {
    for (const c of this.records.values()) {
      if (
        c.chargePermissionId === chargePermissionId &&
        (c.state === 'AuthorizationInitiated' || c.state === 'Authorized')
      ) {
        this.enterState(c, 'Canceled', 'ChargePermissionCanceled', 'The Charge Permission was closed.');
      }
    }
  }

  /** Admin: settle a charge explicitly. `Authorized` means "the authorization succeeded" (Captured with captureNow). */
  settleCharge(chargeId: string, input: SettleChargeInput): Json {
    const v = parseInput(SettleChargeSchema, input);
    const c = this.liveCharge(chargeId);
    const from = c.state;
    const refuse = () => {
      throw new ApiError(422, 'InvalidChargeStatus', `A ${from} charge cannot be settled to ${v.to}.`);
    };
    switch (v.to) {
      case 'Authorized':
        if (from !== 'AuthorizationInitiated') refuse();
        this.authorizeSucceeded(c);
        break;
      case 'Captured':
        if (from !== 'AuthorizationInitiated' && from !== 'Authorized' && from !== 'CaptureInitiated') refuse();
        this.capture(c, c.captureAmount ?? c.chargeAmount);
        break;
      case 'Declined':
        if (from !== 'AuthorizationInitiated' && from !== 'CaptureInitiated') refuse();
        this.enterState(
          c,
          'Declined',
          v.reasonCode ?? (from === 'CaptureInitiated' ? 'ProcessingFailure' : 'SoftDeclined'),
          v.reasonDescription ?? 'Declined by the emulator admin.',
        );
        break;
      case 'Canceled':
        if (from !== 'AuthorizationInitiated' && from !== 'Authorized' && from !== 'CaptureInitiated') refuse();
        this.enterState(c, 'Canceled', v.reasonCode ?? 'AmazonCanceled', v.reasonDescription ?? null);
        break;
    }
    return chargeView(c);
  }

  // --------------------------------------------------------------------------------------------- API operations

  getCharge(id: string): OpResult {
    const c = this.liveCharge(id);
    return {
      status: 200,
      body: chargeView(c),
      effect: false,
      checkoutSessionId: c.checkoutSessionId,
      chargeId: id,
      chargePermissionId: c.chargePermissionId,
    };
  }

  captureCharge(id: string, body: Json, ctx: OpContext): OpResult {
    const c = this.liveCharge(id);
    const counters = this.chargeCountersOf(id);
    const amount = reqMoney(body.captureAmount, 'captureAmount');
    optString(body.softDescriptor, 'softDescriptor', 16);
    if (c.state !== 'Authorized') {
      throw new ApiError(422, 'InvalidChargeStatus', `The Charge is in ${c.state} state; it cannot be captured.`);
    }
    if (amount.currencyCode !== c.chargeAmount.currencyCode) {
      throw new ApiError(400, 'CurrencyMismatch', 'captureAmount.currencyCode does not match the Charge currency.');
    }
    if (compareDecimal(amount.amount, c.chargeAmount.amount) > 0) {
      throw new ApiError(400, 'TransactionAmountExceeded', 'captureAmount exceeds the authorized amount.');
    }
    const ids = { checkoutSessionId: c.checkoutSessionId, chargeId: id, chargePermissionId: c.chargePermissionId };
    const sim = ctx.simulationCode;
    if (sim && (DECLINE_SIMULATIONS as readonly string[]).includes(sim)) {
      this.enterState(c, 'Declined', sim, `The capture was declined (${sim}).`);
      counters.captureEffects++;
      throw new ApiError(422, sim, `The capture was declined (${sim}).`, true);
    }
    if (sim === 'CaptureInitiated') {
      c.captureAmount = { ...amount };
      this.enterState(c, 'CaptureInitiated', null, null);
    } else {
      this.capture(c, amount);
    }
    counters.captureEffects++;
    return { status: 200, body: chargeView(c), effect: true, ...ids };
  }

  cancelCharge(id: string, body: Json): OpResult {
    const c = this.liveCharge(id);
    const reason = optString(body.cancellationReason, 'cancellationReason', 255);
    if (c.state !== 'AuthorizationInitiated' && c.state !== 'Authorized' && c.state !== 'CaptureInitiated') {
      throw new ApiError(422, 'InvalidChargeStatus', `The Charge is in ${c.state} state; it cannot be canceled.`);
    }
    this.enterState(c, 'Canceled', 'MerchantCanceled', reason ?? null);
    this.chargeCountersOf(id).cancelEffects++;
    return {
      status: 200,
      body: chargeView(c),
      effect: true,
      checkoutSessionId: c.checkoutSessionId,
      chargeId: id,
      chargePermissionId: c.chargePermissionId,
    };
  }
}
