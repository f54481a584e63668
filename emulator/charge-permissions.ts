import { digits } from './defaults';
import { ApiError, notFound } from './errors';
import type { ChargePermissionRecord, ReleaseEnvironment, SessionRecord } from './model';
import { zeroMoney } from './money';
import { ONE_TIME_PERMISSION_TTL_MS, type DomainDeps, type OpResult } from './ops';
import { mergeMerchantMetadata, optBoolean, optString, type Json } from './parse';
import { chargePermissionView } from './views';

/** What closing a charge permission needs of its charges. */
export interface PermissionCharges {
  cancelForClosedPermission(chargePermissionId: string): void;
}

/** The Charge Permission state machine (reference §5.4): Chargeable until the merchant closes it. */
export class ChargePermissions {
  readonly records = new Map<string, ChargePermissionRecord>();

  constructor(
    private readonly deps: Pick<DomainDeps, 'now' | 'notify'>,
    private readonly charges: PermissionCharges,
  ) {}

  reset(): void {
    this.records.clear();
  }

  private now(): number {
    return this.deps.now();
  }

  private liveChargePermission(id: string): ChargePermissionRecord {
    const cp = this.records.get(id);
    if (!cp) throw notFound('ChargePermission', id);
    return cp;
  }

  newChargePermission(s: SessionRecord, env: ReleaseEnvironment): ChargePermissionRecord {
    const prefix = env === 'Live' ? 'P01' : 'S01';
    let id: string;
    do id = `${prefix}-${digits(7)}-${digits(7)}`;
    while (this.records.has(id));
    const now = this.now();
    const limit =
      s.chargePermissionType === 'OneTime'
        ? (s.paymentDetails.totalOrderAmount ?? s.paymentDetails.chargeAmount)
        : null;
    const cp: ChargePermissionRecord = {
      chargePermissionId: id,
      chargePermissionType: s.chargePermissionType,
      checkoutSessionId: s.checkoutSessionId,
      buyer: { ...s.buyerProfile },
      shippingAddress: s.shippingProfile ? { ...s.shippingProfile } : null,
      billingAddress: { ...s.billingProfile },
      paymentDescriptor: s.paymentDescriptor,
      merchantMetadata: { ...s.merchantMetadata },
      platformId: s.platformId,
      amountLimit: limit,
      capturedTotal: limit ? zeroMoney(limit.currencyCode) : null,
      presentmentCurrency: s.paymentDetails.presentmentCurrency ?? s.paymentDetails.chargeAmount?.currencyCode ?? null,
      recurringMetadata: s.recurringMetadata ?? null,
      state: 'Chargeable',
      reasons: null,
      createdAt: now,
      lastUpdatedAt: now,
      expiresAt: s.chargePermissionType === 'OneTime' ? now + ONE_TIME_PERMISSION_TTL_MS : null,
      releaseEnvironment: env,
    };
    this.records.set(id, cp);
    return cp;
  }

  // --------------------------------------------------------------------------------------------- API operations

  getChargePermission(id: string): OpResult {
    const cp = this.liveChargePermission(id);
    return {
      status: 200,
      body: chargePermissionView(cp),
      effect: false,
      checkoutSessionId: cp.checkoutSessionId,
      chargePermissionId: id,
    };
  }

  updateChargePermission(id: string, body: Json): OpResult {
    const cp = this.liveChargePermission(id);
    if (cp.state === 'Closed') {
      throw new ApiError(422, 'InvalidChargePermissionStatus', 'The Charge Permission is Closed.');
    }
    cp.merchantMetadata = mergeMerchantMetadata(cp.merchantMetadata, body.merchantMetadata, 'merchantMetadata');
    cp.lastUpdatedAt = this.now();
    return {
      status: 200,
      body: chargePermissionView(cp),
      effect: true,
      checkoutSessionId: cp.checkoutSessionId,
      chargePermissionId: id,
    };
  }

  closeChargePermission(id: string, body: Json): OpResult {
    const cp = this.liveChargePermission(id);
    const reason = optString(body.closureReason, 'closureReason', 255);
    const cancelPending = optBoolean(body.cancelPendingCharges, 'cancelPendingCharges') ?? false;
    const ids = { checkoutSessionId: cp.checkoutSessionId, chargePermissionId: id };
    if (cp.state === 'Closed') return { status: 200, body: chargePermissionView(cp), effect: false, ...ids };
    cp.state = 'Closed';
    cp.reasons = [{ reasonCode: 'MerchantClosed', reasonDescription: reason ?? null }];
    cp.lastUpdatedAt = this.now();
    if (cancelPending) this.charges.cancelForClosedPermission(id);
    this.deps.notify({
      objectType: 'CHARGE_PERMISSION',
      objectId: id,
      chargePermissionId: id,
      notificationType: 'STATE_CHANGE',
    });
    return { status: 200, body: chargePermissionView(cp), effect: true, ...ids };
  }
}
