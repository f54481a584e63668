import { randomUUID } from 'node:crypto';
import {
  AdminCreateSessionSchema,
  BuyerActionSchema,
  parseInput,
  toAddress,
  type AdminCreateSessionInput,
  type BuyerActionInput,
} from './admin-inputs';
import type { ChargePermissions } from './charge-permissions';
import type { Charges } from './charges';
import {
  DEFAULT_BILLING,
  DEFAULT_SHIPPING,
  emptyMerchantMetadata,
  emptySessionCounters,
  randomBuyerId,
} from './defaults';
import { ApiError, invalidParameter, missingParameter, notFound } from './errors';
import {
  ChargePermissionTypeSchema,
  ProductTypeSchema,
  type Address,
  type Buyer,
  type MerchantMetadata,
  type PaymentIntent,
  type ReleaseEnvironment,
  type SessionCounters,
  type SessionRecord,
} from './model';
import {
  DECLINE_SIMULATIONS,
  SESSION_RETENTION_MS,
  SESSION_TTL_MS,
  type CompleteOperation,
  type DomainDeps,
  type OpContext,
  type OpResult,
} from './ops';
import {
  mergeMerchantMetadata,
  optAddress,
  optBoolean,
  optMoney,
  optObject,
  optPaymentIntent,
  optString,
  sameAddress,
  type Json,
} from './parse';
import { assertBuyerDecided, assertOpen, checkAmounts, isSetupOnly } from './session-rules';
import { sessionView } from './views';

function withReturnParam(url: string | null, checkoutSessionId: string): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    u.searchParams.set('amazonCheckoutSessionId', checkoutSessionId);
    return u.toString();
  } catch {
    return `${url}${url.includes('?') ? '&' : '?'}amazonCheckoutSessionId=${encodeURIComponent(checkoutSessionId)}`;
  }
}

/**
 * The Checkout Session state machine (reference §5.1): Open → Completed | Canceled; complete and finalize create the
 * charge permission and the charge through their own state machines.
 */
export class CheckoutSessions {
  readonly records = new Map<string, SessionRecord>();
  readonly counters = new Map<string, SessionCounters>();

  constructor(
    private readonly deps: Pick<DomainDeps, 'now' | 'amazonPageUrl'>,
    private readonly charges: Pick<Charges, 'newCharge' | 'authorizeSucceeded' | 'beginPendingAuthorization'>,
    private readonly chargePermissions: Pick<ChargePermissions, 'newChargePermission'>,
  ) {}

  reset(): void {
    this.records.clear();
    this.counters.clear();
  }

  private now(): number {
    return this.deps.now();
  }

  countersOf(checkoutSessionId: string): SessionCounters {
    let c = this.counters.get(checkoutSessionId);
    if (!c) this.counters.set(checkoutSessionId, (c = emptySessionCounters()));
    return c;
  }

  // --------------------------------------------------------------------------------------------- lookups

  /** A session as the API sees it: gone after 30 days, Canceled/Expired once past its expiration (lazily applied). */
  private liveSession(id: string, publicKeyId?: string): SessionRecord {
    const s = this.records.get(id);
    if (!s || this.isDeleted(s) || (publicKeyId && s.ownerPublicKeyId && s.ownerPublicKeyId !== publicKeyId)) {
      throw notFound('CheckoutSession', id);
    }
    this.expireIfDue(s);
    return s;
  }

  isDeleted(s: SessionRecord): boolean {
    return this.now() >= s.createdAt + SESSION_RETENTION_MS;
  }

  expireIfDue(s: SessionRecord): void {
    if (s.state === 'Open' && this.now() >= s.expiresAt) {
      s.state = 'Canceled';
      s.reasonCode = 'Expired';
      s.reasonDescription = 'The Checkout Session expired because it was not completed within 24 hours.';
      s.lastUpdatedAt = s.expiresAt;
    }
  }

  sessionView(s: SessionRecord, opts: { finalize?: boolean } = {}): Json {
    return sessionView(s, this.deps.amazonPageUrl, opts);
  }

  // --------------------------------------------------------------------------------------------- creation

  private newSession(init: {
    ownerPublicKeyId: string | null;
    releaseEnvironment: ReleaseEnvironment;
    webCheckoutDetails: SessionRecord['webCheckoutDetails'];
    productType: SessionRecord['productType'];
    paymentDetails: SessionRecord['paymentDetails'];
    chargePermissionType: SessionRecord['chargePermissionType'];
    recurringMetadata: unknown;
    merchantMetadata: MerchantMetadata;
    supplementaryData: string | null;
    platformId: string | null;
    storeId: string | null;
    buyer?: Partial<Buyer>;
    shippingAddress?: Address | null;
    billingAddress?: Address;
    paymentDescriptor?: string;
  }): SessionRecord {
    const now = this.now();
    const buyer: Buyer = {
      buyerId: init.buyer?.buyerId ?? randomBuyerId(),
      name: init.buyer?.name ?? 'Susie Smith',
      email: init.buyer?.email ?? 'susie.smith@example.com',
      phoneNumber: init.buyer?.phoneNumber ?? '800-000-0000',
      primeMembershipTypes: init.buyer?.primeMembershipTypes ?? null,
    };
    const s: SessionRecord = {
      checkoutSessionId: randomUUID(),
      ownerPublicKeyId: init.ownerPublicKeyId,
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
      lastUpdatedAt: now,
      state: 'Open',
      reasonCode: null,
      reasonDescription: null,
      webCheckoutDetails: init.webCheckoutDetails,
      productType: init.productType,
      paymentDetails: init.paymentDetails,
      chargePermissionType: init.chargePermissionType,
      recurringMetadata: init.recurringMetadata,
      merchantMetadata: init.merchantMetadata,
      supplementaryData: init.supplementaryData,
      platformId: init.platformId,
      storeId: init.storeId,
      buyerProfile: buyer,
      shippingProfile:
        init.shippingAddress !== undefined
          ? init.shippingAddress
          : init.productType === 'PayAndShip'
            ? { ...DEFAULT_SHIPPING, name: buyer.name }
            : null,
      billingProfile: init.billingAddress ?? { ...DEFAULT_BILLING },
      paymentDescriptor: init.paymentDescriptor ?? 'Amazon Pay Visa (1111)',
      buyerAssociated: false,
      buyerDecision: null,
      chargePermissionId: null,
      chargeId: null,
      releaseEnvironment: init.releaseEnvironment,
    };
    this.records.set(s.checkoutSessionId, s);
    this.countersOf(s.checkoutSessionId);
    return s;
  }

  /** A session as Amazon's button creates it (the buyer is about to see Amazon's page). */
  createSessionFromButton(input: AdminCreateSessionInput): SessionRecord {
    const v = parseInput(AdminCreateSessionSchema, input);
    const env: ReleaseEnvironment = v.publicKeyId?.toUpperCase().startsWith('LIVE') ? 'Live' : 'Sandbox';
    return this.newSession({
      ownerPublicKeyId: v.publicKeyId ?? null,
      releaseEnvironment: env,
      webCheckoutDetails: {
        checkoutReviewReturnUrl: v.checkoutReviewReturnUrl ?? null,
        checkoutResultReturnUrl: v.checkoutResultReturnUrl ?? null,
        checkoutCancelUrl: v.checkoutCancelUrl ?? null,
        checkoutMode: 'ProcessOrder',
      },
      productType: v.productType ?? 'PayAndShip',
      paymentDetails: {
        paymentIntent: v.paymentIntent ?? (v.chargeAmount ? 'AuthorizeWithCapture' : null),
        canHandlePendingAuthorization: v.canHandlePendingAuthorization ?? false,
        chargeAmount: v.chargeAmount ?? null,
        totalOrderAmount: v.totalOrderAmount ?? null,
        softDescriptor: v.softDescriptor ?? null,
        presentmentCurrency: v.chargeAmount?.currencyCode ?? null,
        allowOvercharge: null,
        extendExpiration: null,
      },
      chargePermissionType: v.chargePermissionType ?? 'OneTime',
      recurringMetadata: null,
      merchantMetadata: {
        ...emptyMerchantMetadata(),
        merchantReferenceId: v.merchantReferenceId ?? null,
        merchantStoreName: v.merchantStoreName ?? null,
      },
      supplementaryData: v.supplementaryData ?? null,
      platformId: null,
      storeId: v.storeId ?? 'amzn1.application-oa2-client.emulator',
      buyer: v.buyer ? Object.fromEntries(Object.entries(v.buyer).filter(([, x]) => x !== undefined)) : undefined,
      shippingAddress:
        v.shippingAddress === undefined ? undefined : v.shippingAddress === null ? null : toAddress(v.shippingAddress),
      billingAddress: v.billingAddress ? toAddress(v.billingAddress) : undefined,
      paymentDescriptor: v.paymentDescriptor,
    });
  }

  /** POST checkoutSessions: what the merchant backend calls before rendering the button (201). */
  createCheckoutSession(body: Json, ctx: OpContext): OpResult {
    const wcd = optObject(body.webCheckoutDetails, 'webCheckoutDetails');
    if (!wcd) throw missingParameter('webCheckoutDetails');
    const storeId = optString(body.storeId, 'storeId', 512);
    if (!storeId) throw missingParameter('storeId');
    const checkoutMode = optString(wcd.checkoutMode, 'webCheckoutDetails.checkoutMode') ?? null;
    if (checkoutMode !== null && checkoutMode !== 'ProcessOrder') {
      throw invalidParameter('webCheckoutDetails.checkoutMode');
    }
    const review = optString(wcd.checkoutReviewReturnUrl, 'webCheckoutDetails.checkoutReviewReturnUrl') ?? null;
    const result = optString(wcd.checkoutResultReturnUrl, 'webCheckoutDetails.checkoutResultReturnUrl') ?? null;
    if (checkoutMode === 'ProcessOrder' ? !result : !review) {
      throw missingParameter(
        checkoutMode === 'ProcessOrder'
          ? 'webCheckoutDetails.checkoutResultReturnUrl'
          : 'webCheckoutDetails.checkoutReviewReturnUrl',
      );
    }
    const cpt = body.chargePermissionType ?? 'OneTime';
    const cptParsed = ChargePermissionTypeSchema.safeParse(cpt);
    if (!cptParsed.success) throw invalidParameter('chargePermissionType');
    const pt = body.productType ?? 'PayAndShip';
    const ptParsed = ProductTypeSchema.safeParse(pt);
    if (!ptParsed.success) throw invalidParameter('productType');
    const pd = optObject(body.paymentDetails, 'paymentDetails') ?? {};
    const chargeAmount = optMoney(pd.chargeAmount, 'paymentDetails.chargeAmount') ?? null;
    const addressDetails = optAddress(body.addressDetails, 'addressDetails');
    const s = this.newSession({
      ownerPublicKeyId: null,
      releaseEnvironment: ctx.releaseEnvironment,
      webCheckoutDetails: {
        checkoutReviewReturnUrl: review,
        checkoutResultReturnUrl: result,
        checkoutCancelUrl: optString(wcd.checkoutCancelUrl, 'webCheckoutDetails.checkoutCancelUrl') ?? null,
        checkoutMode,
      },
      productType: ptParsed.data,
      paymentDetails: {
        paymentIntent: optPaymentIntent(pd.paymentIntent, 'paymentDetails.paymentIntent') ?? null,
        canHandlePendingAuthorization:
          optBoolean(pd.canHandlePendingAuthorization, 'paymentDetails.canHandlePendingAuthorization') ?? false,
        chargeAmount,
        totalOrderAmount: optMoney(pd.totalOrderAmount, 'paymentDetails.totalOrderAmount') ?? null,
        softDescriptor: optString(pd.softDescriptor, 'paymentDetails.softDescriptor', 16) ?? null,
        presentmentCurrency: optString(pd.presentmentCurrency, 'paymentDetails.presentmentCurrency', 3) ?? null,
        allowOvercharge: optBoolean(pd.allowOvercharge, 'paymentDetails.allowOvercharge') ?? null,
        extendExpiration: optBoolean(pd.extendExpiration, 'paymentDetails.extendExpiration') ?? null,
      },
      chargePermissionType: cptParsed.data,
      recurringMetadata: body.recurringMetadata ?? null,
      merchantMetadata: mergeMerchantMetadata(emptyMerchantMetadata(), body.merchantMetadata, 'merchantMetadata'),
      supplementaryData: optString(body.supplementaryData, 'supplementaryData') ?? null,
      platformId: optString(body.platformId, 'platformId', 64) ?? null,
      storeId,
      shippingAddress: addressDetails,
    });
    return { status: 201, body: this.sessionView(s), effect: true, checkoutSessionId: s.checkoutSessionId };
  }

  // --------------------------------------------------------------------------------------------- the buyer

  /** What the buyer does on Amazon's page; returns where Amazon sends the browser next. */
  buyerAction(checkoutSessionId: string, input: BuyerActionInput): { redirectUrl: string | null } {
    const v = parseInput(BuyerActionSchema, input);
    const s = this.liveSession(checkoutSessionId);
    if (s.state !== 'Open') {
      throw new ApiError(422, 'InvalidCheckoutSessionStatus', `The Checkout Session is ${s.state}.`);
    }
    const now = this.now();
    if (v.action === 'cancel') {
      s.state = 'Canceled';
      s.reasonCode = 'BuyerCanceled';
      s.reasonDescription = 'The buyer canceled the checkout on Amazon Pay.';
      s.lastUpdatedAt = now;
      s.buyerDecision = { action: 'cancel', at: now, settleAfterMs: null, settleTo: 'Authorized' };
      return {
        redirectUrl: withReturnParam(
          s.webCheckoutDetails.checkoutCancelUrl ?? s.webCheckoutDetails.checkoutReviewReturnUrl,
          s.checkoutSessionId,
        ),
      };
    }
    s.buyerAssociated = true;
    s.buyerDecision = {
      action: v.action,
      at: now,
      settleAfterMs: v.settleAfterMs ?? null,
      settleTo: v.settleTo ?? 'Authorized',
    };
    s.lastUpdatedAt = now;
    return {
      redirectUrl: withReturnParam(
        s.webCheckoutDetails.checkoutResultReturnUrl ?? s.webCheckoutDetails.checkoutReviewReturnUrl,
        s.checkoutSessionId,
      ),
    };
  }

  // --------------------------------------------------------------------------------------------- API operations

  getCheckoutSession(id: string, ctx: OpContext): OpResult {
    const s = this.liveSession(id, ctx.publicKeyId);
    return { status: 200, body: this.sessionView(s), effect: false, checkoutSessionId: id };
  }

  updateCheckoutSession(id: string, body: Json, ctx: OpContext): OpResult {
    const s = this.liveSession(id, ctx.publicKeyId);
    if (s.state !== 'Open') {
      throw new ApiError(
        422,
        'InvalidCheckoutSessionStatus',
        `The Checkout Session is ${s.state}; it cannot be updated.`,
      );
    }
    const wcd = optObject(body.webCheckoutDetails, 'webCheckoutDetails');
    const pd = optObject(body.paymentDetails, 'paymentDetails');
    // Validate everything before changing anything.
    const next = {
      review: wcd ? optString(wcd.checkoutReviewReturnUrl, 'webCheckoutDetails.checkoutReviewReturnUrl') : undefined,
      result: wcd ? optString(wcd.checkoutResultReturnUrl, 'webCheckoutDetails.checkoutResultReturnUrl') : undefined,
      cancel: wcd ? optString(wcd.checkoutCancelUrl, 'webCheckoutDetails.checkoutCancelUrl') : undefined,
      paymentIntent: pd ? optPaymentIntent(pd.paymentIntent, 'paymentDetails.paymentIntent') : undefined,
      canHandle: pd
        ? optBoolean(pd.canHandlePendingAuthorization, 'paymentDetails.canHandlePendingAuthorization')
        : undefined,
      chargeAmount: pd ? optMoney(pd.chargeAmount, 'paymentDetails.chargeAmount') : undefined,
      totalOrderAmount: pd ? optMoney(pd.totalOrderAmount, 'paymentDetails.totalOrderAmount') : undefined,
      softDescriptor: pd ? optString(pd.softDescriptor, 'paymentDetails.softDescriptor', 16) : undefined,
      presentmentCurrency: pd ? optString(pd.presentmentCurrency, 'paymentDetails.presentmentCurrency', 3) : undefined,
      merchantMetadata: mergeMerchantMetadata(s.merchantMetadata, body.merchantMetadata, 'merchantMetadata'),
      platformId: optString(body.platformId, 'platformId', 64),
      supplementaryData: optString(body.supplementaryData, 'supplementaryData'),
    };
    if (next.review !== undefined) s.webCheckoutDetails.checkoutReviewReturnUrl = next.review;
    if (next.result !== undefined) s.webCheckoutDetails.checkoutResultReturnUrl = next.result;
    if (next.cancel !== undefined) s.webCheckoutDetails.checkoutCancelUrl = next.cancel;
    if (next.paymentIntent !== undefined) s.paymentDetails.paymentIntent = next.paymentIntent;
    if (next.canHandle !== undefined) s.paymentDetails.canHandlePendingAuthorization = next.canHandle;
    if (next.chargeAmount !== undefined) s.paymentDetails.chargeAmount = next.chargeAmount;
    if (next.totalOrderAmount !== undefined) s.paymentDetails.totalOrderAmount = next.totalOrderAmount;
    if (next.softDescriptor !== undefined) s.paymentDetails.softDescriptor = next.softDescriptor;
    if (next.presentmentCurrency !== undefined) s.paymentDetails.presentmentCurrency = next.presentmentCurrency;
    s.merchantMetadata = next.merchantMetadata;
    if (next.platformId !== undefined) s.platformId = next.platformId;
    if (next.supplementaryData !== undefined) s.supplementaryData = next.supplementaryData;
    s.lastUpdatedAt = this.now();
    return { status: 200, body: this.sessionView(s), effect: true, checkoutSessionId: id };
  }

  completeCheckoutSession(id: string, body: Json, ctx: OpContext): OpResult {
    const s = this.liveSession(id, ctx.publicKeyId);
    assertOpen(s);
    checkAmounts(s, body);
    assertBuyerDecided(s);
    return this.confirm(s, {
      operation: 'complete',
      paymentIntent: s.paymentDetails.paymentIntent,
      canHandlePending: s.paymentDetails.canHandlePendingAuthorization,
      ctx,
    });
  }

  finalizeCheckoutSession(id: string, body: Json, ctx: OpContext): OpResult {
    const s = this.liveSession(id, ctx.publicKeyId);
    assertOpen(s);
    const setupOnly = isSetupOnly(s);
    const paymentIntent = optPaymentIntent(body.paymentIntent, 'paymentIntent');
    if (!setupOnly && !paymentIntent) throw missingParameter('paymentIntent');
    if (!setupOnly && body.chargeAmount === undefined) throw missingParameter('chargeAmount');
    checkAmounts(s, body);
    const canHandle = optBoolean(body.canHandlePendingAuthorization, 'canHandlePendingAuthorization');
    const supplementaryData = optString(body.supplementaryData, 'supplementaryData');
    if (s.supplementaryData !== null) {
      if (supplementaryData === undefined || supplementaryData === null) throw missingParameter('supplementaryData');
      if (supplementaryData !== s.supplementaryData) throw invalidParameter('supplementaryData', 'does not match');
    }
    const shipping = optAddress(body.shippingAddress, 'shippingAddress');
    const billing = optAddress(body.billingAddress, 'billingAddress');
    assertBuyerDecided(s);
    // The address must be the one Amazon shared with the merchant (seed 004); the saved-wallet setup finalizes with
    // `{}` (seed 000), no address.
    if (!setupOnly && s.productType === 'PayAndShip' && !shipping) throw missingParameter('shippingAddress');
    if (!setupOnly && s.productType === 'PayOnly' && !billing) throw missingParameter('billingAddress');
    if (shipping && (!s.shippingProfile || !sameAddress(shipping, s.shippingProfile))) {
      throw invalidParameter('shippingAddress', 'does not match the address the buyer selected');
    }
    if (billing && !sameAddress(billing, s.billingProfile)) {
      throw invalidParameter('billingAddress', 'does not match the address the buyer selected');
    }
    return this.confirm(s, {
      operation: 'finalize',
      paymentIntent: paymentIntent ?? s.paymentDetails.paymentIntent,
      canHandlePending: canHandle ?? s.paymentDetails.canHandlePendingAuthorization,
      ctx,
    });
  }

  /** The effect of a successful complete/finalize: decline, or Completed with a charge permission and charge. */
  private confirm(
    s: SessionRecord,
    o: { operation: CompleteOperation; paymentIntent: PaymentIntent | null; canHandlePending: boolean; ctx: OpContext },
  ): OpResult {
    const decision = s.buyerDecision!;
    const counters = this.countersOf(s.checkoutSessionId);
    const bumpEffect = () => {
      if (o.operation === 'complete') counters.completeEffects++;
      else counters.finalizeEffects++;
    };
    const sim = o.ctx.simulationCode;
    const wantsPending = decision.action === 'approve-pending' || sim === 'AuthorizationInitiated';
    const pending = wantsPending && o.canHandlePending;
    let declineReason: string | null = null;
    if (decision.action === 'decline') declineReason = 'HardDeclined';
    else if (sim && (DECLINE_SIMULATIONS as readonly string[]).includes(sim)) declineReason = sim;
    // The buyer's authorization would go async, but the merchant cannot wait: the outcome is synchronous.
    else if (wantsPending && !pending && decision.settleTo === 'Declined') declineReason = 'HardDeclined';

    const now = this.now();
    if (declineReason) {
      s.state = 'Canceled';
      s.reasonCode = 'Declined';
      s.reasonDescription = `The buyer's payment was declined (${declineReason}).`;
      s.lastUpdatedAt = now;
      bumpEffect();
      throw new ApiError(
        422,
        'CheckoutSessionCanceled',
        'The Checkout Session was canceled because the payment was declined. Send the buyer back to the start of checkout.',
        true,
      );
    }

    const cp = this.chargePermissions.newChargePermission(s, o.ctx.releaseEnvironment);
    s.state = 'Completed';
    s.chargePermissionId = cp.chargePermissionId;
    s.lastUpdatedAt = now;
    let status = 200;
    const amount = s.paymentDetails.chargeAmount;
    if (amount && o.paymentIntent && o.paymentIntent !== 'Confirm') {
      const captureNow = o.paymentIntent === 'AuthorizeWithCapture';
      const c = this.charges.newCharge(cp, s, amount, captureNow, o.canHandlePending, o.ctx.releaseEnvironment);
      s.chargeId = c.chargeId;
      if (pending) {
        status = 202;
        this.charges.beginPendingAuthorization(c, decision, now);
      } else {
        this.charges.authorizeSucceeded(c);
      }
    }
    bumpEffect();
    return {
      status,
      body: this.sessionView(s, { finalize: o.operation === 'finalize' }),
      effect: true,
      checkoutSessionId: s.checkoutSessionId,
      chargeId: s.chargeId,
      chargePermissionId: s.chargePermissionId,
    };
  }
}
