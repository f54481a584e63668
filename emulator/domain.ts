import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ApiError, invalidParameter, missingParameter, notFound } from './errors';
import {
  ADDRESS_FIELDS,
  AddressSchema,
  BuyerSchema,
  ChargePermissionTypeSchema,
  MoneySchema,
  PaymentIntentSchema,
  ProductTypeSchema,
  type Address,
  type Buyer,
  type ChargeCounters,
  type ChargePermissionRecord,
  type ChargeRecord,
  type ChargeState,
  type MerchantMetadata,
  type PaymentIntent,
  type ReleaseEnvironment,
  type SessionCounters,
  type SessionRecord,
} from './model';
import {
  CURRENCY_RE,
  DECIMAL_RE,
  addMoney,
  compareDecimal,
  moneyEquals,
  subtractMoney,
  zeroMoney,
  type Money,
} from './money';
import type { Scheduler } from './scheduler';
import { DAY_MS, compactTimestamp } from './time';

/** Amazon's clocks (reference §5): sessions cancel after 24 h and are deleted after 30 days. */
export const SESSION_TTL_MS = DAY_MS;
export const SESSION_RETENTION_MS = 30 * DAY_MS;
/** An authorization is valid 30 days; a pending authorization may take up to 24 h (reference §5.1, §5.3). */
export const AUTHORIZATION_TTL_MS = 30 * DAY_MS;
export const PENDING_AUTHORIZATION_TIMEOUT_MS = DAY_MS;
export const ONE_TIME_PERMISSION_TTL_MS = 180 * DAY_MS;

/** Simulation codes that make an authorization fail on complete/finalize, and their charge reason codes. */
export const DECLINE_SIMULATIONS = [
  'HardDeclined',
  'SoftDeclined',
  'AmazonRejected',
  'ProcessingFailure',
  'TransactionTimedOut',
] as const;

export interface Notification {
  objectType: 'CHARGE' | 'CHARGE_PERMISSION';
  objectId: string;
  chargePermissionId: string;
  notificationType: 'STATE_CHANGE';
}

export interface DomainDeps {
  /** The emulator clock (wall clock + admin offset). */
  now: () => number;
  amazonPageUrl: (checkoutSessionId: string) => string;
  notify: (n: Notification) => void;
  scheduler: Scheduler;
}

export interface OpContext {
  publicKeyId: string;
  simulationCode: string | undefined;
  releaseEnvironment: ReleaseEnvironment;
}

export interface OpResult {
  status: number;
  body: unknown;
  /** True when state changed: such responses are stored for idempotent replay. */
  effect: boolean;
  checkoutSessionId?: string | null;
  chargeId?: string | null;
  chargePermissionId?: string | null;
}

// ---------------------------------------------------------------------------------------------------- admin inputs

export const AdminCreateSessionSchema = z
  .object({
    chargeAmount: MoneySchema.optional(),
    totalOrderAmount: MoneySchema.optional(),
    paymentIntent: PaymentIntentSchema.optional(),
    canHandlePendingAuthorization: z.boolean().optional(),
    chargePermissionType: ChargePermissionTypeSchema.optional(),
    productType: ProductTypeSchema.optional(),
    buyer: BuyerSchema.optional(),
    shippingAddress: AddressSchema.nullable().optional(),
    billingAddress: AddressSchema.optional(),
    paymentDescriptor: z.string().optional(),
    checkoutResultReturnUrl: z.string().optional(),
    checkoutCancelUrl: z.string().optional(),
    checkoutReviewReturnUrl: z.string().optional(),
    merchantReferenceId: z.string().optional(),
    merchantStoreName: z.string().optional(),
    supplementaryData: z.string().optional(),
    softDescriptor: z.string().optional(),
    storeId: z.string().optional(),
    publicKeyId: z.string().optional(),
  })
  .refine((v) => v.chargeAmount !== undefined || v.chargePermissionType === 'PaymentMethodOnFile', {
    message: 'chargeAmount is required unless chargePermissionType is PaymentMethodOnFile',
    path: ['chargeAmount'],
  });
export type AdminCreateSessionInput = z.input<typeof AdminCreateSessionSchema>;

export const BuyerActionSchema = z.object({
  action: z.enum(['approve', 'approve-pending', 'decline', 'cancel']),
  settleAfterMs: z.number().int().nonnegative().optional(),
  settleTo: z.enum(['Authorized', 'Declined']).optional(),
});
export type BuyerActionInput = z.input<typeof BuyerActionSchema>;

export const SettleChargeSchema = z.object({
  to: z.enum(['Authorized', 'Declined', 'Captured', 'Canceled']),
  reasonCode: z.string().optional(),
  reasonDescription: z.string().optional(),
});
export type SettleChargeInput = z.input<typeof SettleChargeSchema>;

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ApiError(400, 'InvalidRequest', z.prettifyError(r.error));
  return r.data;
}

// ---------------------------------------------------------------------------------------------- request body parsing

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optObject(v: unknown, name: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidParameter(name);
  return v;
}

function optString(v: unknown, name: string, max = 10_000): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string' || v.length > max) throw invalidParameter(name);
  return v;
}

/** Booleans may arrive as strings: Amazon's own finalize example sends `"canHandlePendingAuthorization": "false"`. */
function optBoolean(v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalidParameter(name);
}

function optMoney(v: unknown, name: string): Money | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidParameter(name);
  const amount = typeof v.amount === 'number' ? String(v.amount) : v.amount;
  if (amount === undefined || amount === null || amount === '') throw missingParameter(`${name}.amount`);
  if (typeof amount !== 'string' || !DECIMAL_RE.test(amount)) throw invalidParameter(`${name}.amount`);
  if (v.currencyCode === undefined || v.currencyCode === null) throw missingParameter(`${name}.currencyCode`);
  if (typeof v.currencyCode !== 'string' || !CURRENCY_RE.test(v.currencyCode)) {
    throw invalidParameter(`${name}.currencyCode`);
  }
  return { amount, currencyCode: v.currencyCode };
}

function reqMoney(v: unknown, name: string): Money {
  const m = optMoney(v, name);
  if (!m) throw missingParameter(name);
  return m;
}

function optPaymentIntent(v: unknown, name: string): PaymentIntent | undefined {
  if (v === undefined || v === null) return undefined;
  const r = PaymentIntentSchema.safeParse(v);
  if (!r.success) throw invalidParameter(name);
  return r.data;
}

function optAddress(v: unknown, name: string): Address | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidParameter(name);
  const out = {} as Address;
  for (const f of ADDRESS_FIELDS) {
    const value = v[f];
    if (value !== undefined && value !== null && typeof value !== 'string') throw invalidParameter(`${name}.${f}`);
    out[f] = (value as string | null | undefined) ?? null;
  }
  return out;
}

function toAddress(a: z.output<typeof AddressSchema>): Address {
  const out = {} as Address;
  for (const f of ADDRESS_FIELDS) out[f] = a[f] ?? null;
  return out;
}

/** Address equality as a verifier would see it: field by field, trimmed, with null, absent and "" the same. */
export function sameAddress(a: Address, b: Address): boolean {
  return ADDRESS_FIELDS.every((f) => (a[f] ?? '').trim() === (b[f] ?? '').trim());
}

function mergeMerchantMetadata(base: MerchantMetadata, v: unknown, name: string): MerchantMetadata {
  const o = optObject(v, name);
  if (!o) return base;
  const next = { ...base };
  for (const k of ['merchantReferenceId', 'merchantStoreName', 'noteToBuyer', 'customInformation'] as const) {
    const s = optString(o[k], `${name}.${k}`, 4096);
    if (s !== undefined) next[k] = s;
  }
  return next;
}

// ------------------------------------------------------------------------------------------------------- defaults

const DEFAULT_SHIPPING: Address = {
  name: 'Susie Smith',
  addressLine1: '10 Ditka Ave',
  addressLine2: 'Suite 2500',
  addressLine3: null,
  city: 'Chicago',
  county: null,
  district: null,
  stateOrRegion: 'IL',
  postalCode: '60602',
  countryCode: 'US',
  phoneNumber: '800-000-0000',
};

const DEFAULT_BILLING: Address = {
  name: 'Work',
  addressLine1: '440 Terry Ave',
  addressLine2: '',
  addressLine3: '',
  city: 'Seattle',
  county: 'King',
  district: 'Seattle',
  stateOrRegion: 'WA',
  postalCode: '98121',
  countryCode: 'US',
  phoneNumber: '800-000-0000',
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomBuyerId(): string {
  let s = 'amzn1.account.';
  for (let i = 0; i < 28; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

function emptyMerchantMetadata(): MerchantMetadata {
  return { merchantReferenceId: null, merchantStoreName: null, noteToBuyer: null, customInformation: null };
}

function emptySessionCounters(): SessionCounters {
  return { getCalls: 0, updateCalls: 0, completeCalls: 0, finalizeCalls: 0, completeEffects: 0, finalizeEffects: 0 };
}

function emptyChargeCounters(): ChargeCounters {
  return { getCalls: 0, captureCalls: 0, captureEffects: 0, cancelCalls: 0, cancelEffects: 0 };
}

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

const CONSTRAINT_DESCRIPTIONS: Record<string, string> = {
  BuyerNotAssociated:
    'There is no buyer associated with the Checkout Session. Return the checkout button to the buyer.',
  ChargeAmountNotSet: 'chargeAmount is not set.',
  CheckoutResultReturnUrlNotSet: 'checkoutResultReturnUrl is not set.',
  PaymentIntentNotSet: 'paymentIntent is not set.',
};

// -------------------------------------------------------------------------------------------------------- domain

export type CompleteOperation = 'complete' | 'finalize';

export class Domain {
  readonly sessions = new Map<string, SessionRecord>();
  readonly charges = new Map<string, ChargeRecord>();
  readonly chargePermissions = new Map<string, ChargePermissionRecord>();
  readonly sessionCounters = new Map<string, SessionCounters>();
  readonly chargeCounters = new Map<string, ChargeCounters>();
  private chargeSeq = 0;

  constructor(private readonly deps: DomainDeps) {}

  reset(): void {
    this.sessions.clear();
    this.charges.clear();
    this.chargePermissions.clear();
    this.sessionCounters.clear();
    this.chargeCounters.clear();
    this.chargeSeq = 0;
  }

  private now(): number {
    return this.deps.now();
  }

  countersOf(checkoutSessionId: string): SessionCounters {
    let c = this.sessionCounters.get(checkoutSessionId);
    if (!c) this.sessionCounters.set(checkoutSessionId, (c = emptySessionCounters()));
    return c;
  }

  chargeCountersOf(chargeId: string): ChargeCounters {
    let c = this.chargeCounters.get(chargeId);
    if (!c) this.chargeCounters.set(chargeId, (c = emptyChargeCounters()));
    return c;
  }

  // --------------------------------------------------------------------------------------------- lookups

  /** A session as the API sees it: gone after 30 days, Canceled/Expired once past its expiration (lazily applied). */
  private liveSession(id: string, publicKeyId?: string): SessionRecord {
    const s = this.sessions.get(id);
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

  private liveCharge(id: string): ChargeRecord {
    const c = this.charges.get(id);
    if (!c) throw notFound('Charge', id);
    return c;
  }

  private liveChargePermission(id: string): ChargePermissionRecord {
    const cp = this.chargePermissions.get(id);
    if (!cp) throw notFound('ChargePermission', id);
    return cp;
  }

  private isSetupOnly(s: SessionRecord): boolean {
    return s.chargePermissionType === 'PaymentMethodOnFile' && s.paymentDetails.chargeAmount === null;
  }

  private paymentConstraints(s: SessionRecord): string[] {
    const c: string[] = [];
    const setupOnly = this.isSetupOnly(s);
    if (!setupOnly && s.paymentDetails.chargeAmount === null) c.push('ChargeAmountNotSet');
    if (!s.webCheckoutDetails.checkoutResultReturnUrl) c.push('CheckoutResultReturnUrlNotSet');
    if (!setupOnly && s.paymentDetails.paymentIntent === null) c.push('PaymentIntentNotSet');
    return c;
  }

  // --------------------------------------------------------------------------------------------- views

  sessionView(s: SessionRecord, opts: { finalize?: boolean } = {}): Json {
    const shown = s.buyerAssociated;
    const paymentConstraints = this.paymentConstraints(s);
    const constraints =
      s.state !== 'Open' ? [] : [...(s.buyerAssociated ? [] : ['BuyerNotAssociated']), ...paymentConstraints];
    const pd = s.paymentDetails;
    return {
      checkoutSessionId: s.checkoutSessionId,
      webCheckoutDetails: {
        checkoutReviewReturnUrl: s.webCheckoutDetails.checkoutReviewReturnUrl,
        checkoutResultReturnUrl: s.webCheckoutDetails.checkoutResultReturnUrl,
        amazonPayRedirectUrl:
          s.state === 'Open' && paymentConstraints.length === 0 ? this.deps.amazonPageUrl(s.checkoutSessionId) : null,
        checkoutCancelUrl: s.webCheckoutDetails.checkoutCancelUrl,
        checkoutMode: s.webCheckoutDetails.checkoutMode,
      },
      productType: s.productType,
      paymentDetails: {
        paymentIntent: pd.paymentIntent,
        canHandlePendingAuthorization: pd.canHandlePendingAuthorization,
        chargeAmount: pd.chargeAmount,
        totalOrderAmount: pd.totalOrderAmount,
        softDescriptor: pd.softDescriptor,
        presentmentCurrency: pd.presentmentCurrency ?? pd.chargeAmount?.currencyCode ?? null,
        allowOvercharge: pd.allowOvercharge,
        extendExpiration: pd.extendExpiration,
      },
      chargePermissionType: s.chargePermissionType,
      ...(s.chargePermissionType === 'PaymentMethodOnFile'
        ? { paymentMethodOnFileMetadata: { setupOnly: this.isSetupOnly(s) } }
        : {}),
      recurringMetadata: s.recurringMetadata ?? null,
      merchantMetadata: s.merchantMetadata,
      supplementaryData: s.supplementaryData,
      buyer: shown ? s.buyerProfile : null,
      billingAddress: shown ? s.billingProfile : null,
      paymentPreferences: shown ? [{ paymentDescriptor: s.paymentDescriptor }] : null,
      ...(opts.finalize && shown ? { paymentDescriptor: s.paymentDescriptor } : {}),
      statusDetails: {
        state: s.state,
        reasonCode: s.reasonCode,
        reasonDescription: s.reasonDescription,
        lastUpdatedTimestamp: compactTimestamp(s.lastUpdatedAt),
      },
      shippingAddress: shown ? s.shippingProfile : null,
      shippingAddressList: null,
      platformId: s.platformId,
      chargePermissionId: s.chargePermissionId,
      chargeId: s.chargeId,
      constraints: constraints.map((constraintId) => ({
        constraintId,
        description: CONSTRAINT_DESCRIPTIONS[constraintId] ?? constraintId,
      })),
      creationTimestamp: compactTimestamp(s.createdAt),
      expirationTimestamp: compactTimestamp(s.expiresAt),
      storeId: s.storeId,
      deliverySpecifications: null,
      providerMetadata: { providerReferenceId: null },
      checkoutButtonText: null,
      releaseEnvironment: s.releaseEnvironment,
    };
  }

  chargeView(c: ChargeRecord): Json {
    return {
      chargeId: c.chargeId,
      chargePermissionId: c.chargePermissionId,
      chargeAmount: c.chargeAmount,
      captureAmount: c.captureAmount,
      refundedAmount: c.refundedAmount,
      convertedAmount: null,
      conversionRate: null,
      channel: null,
      chargeInitiator: null,
      softDescriptor: c.softDescriptor,
      merchantMetadata: c.merchantMetadata,
      providerMetadata: { providerReferenceId: null },
      statusDetails: {
        state: c.state,
        reasonCode: c.reasonCode,
        reasonDescription: c.reasonDescription,
        lastUpdatedTimestamp: compactTimestamp(c.lastUpdatedAt),
      },
      creationTimestamp: compactTimestamp(c.createdAt),
      expirationTimestamp: compactTimestamp(c.expiresAt),
      releaseEnvironment: c.releaseEnvironment,
      captureNow: c.captureNow,
      canHandlePendingAuthorization: c.canHandlePendingAuthorization,
      platformId: c.platformId,
      webCheckoutDetails: null,
    };
  }

  chargePermissionView(cp: ChargePermissionRecord): Json {
    return {
      chargePermissionId: cp.chargePermissionId,
      chargePermissionReferenceId: null,
      chargePermissionType: cp.chargePermissionType,
      buyer: cp.buyer,
      shippingAddress: cp.shippingAddress,
      billingAddress: cp.billingAddress,
      paymentPreferences: [{ paymentDescriptor: cp.paymentDescriptor }],
      merchantMetadata: cp.merchantMetadata,
      platformId: cp.platformId,
      limits: {
        amountLimit: cp.amountLimit,
        amountBalance: cp.amountLimit && cp.capturedTotal ? subtractMoney(cp.amountLimit, cp.capturedTotal) : null,
      },
      presentmentCurrency: cp.presentmentCurrency,
      recurringMetadata: cp.recurringMetadata ?? null,
      statusDetails: {
        state: cp.state,
        reasons: cp.reasons,
        lastUpdatedTimestamp: compactTimestamp(cp.lastUpdatedAt),
      },
      creationTimestamp: compactTimestamp(cp.createdAt),
      expirationTimestamp: cp.expiresAt === null ? null : compactTimestamp(cp.expiresAt),
      releaseEnvironment: cp.releaseEnvironment,
    };
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
    this.sessions.set(s.checkoutSessionId, s);
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

  /** Complete and finalize refuse any session that is not Open (reference §5.1, §6). */
  private assertOpen(s: SessionRecord): void {
    if (s.state === 'Open') return;
    if (s.state === 'Canceled' && (s.reasonCode === 'Declined' || s.reasonCode === 'BuyerCanceled')) {
      throw new ApiError(
        422,
        'CheckoutSessionCanceled',
        `The Checkout Session was canceled (${s.reasonCode}). Send the buyer back to the start of checkout.`,
      );
    }
    throw new ApiError(
      422,
      'InvalidCheckoutSessionStatus',
      `The Checkout Session is in ${s.state}${s.reasonCode ? `/${s.reasonCode}` : ''} state; the operation is not allowed.`,
    );
  }

  private assertBuyerDecided(s: SessionRecord): void {
    if (!s.buyerDecision) {
      throw new ApiError(
        422,
        'InvalidCheckoutSessionStatus',
        'The buyer has not completed checkout on Amazon Pay for this Checkout Session.',
      );
    }
    const missing = this.paymentConstraints(s).filter((c) => c !== 'CheckoutResultReturnUrlNotSet');
    if (missing.length > 0) {
      throw new ApiError(
        422,
        'InvalidCheckoutSessionStatus',
        `The Checkout Session has constraints: ${missing.join(', ')}.`,
      );
    }
  }

  private checkAmounts(s: SessionRecord, body: Json): void {
    const expected = s.paymentDetails.chargeAmount;
    if (expected) {
      const given = reqMoney(body.chargeAmount, 'chargeAmount');
      if (!moneyEquals(given, expected)) {
        throw new ApiError(
          409,
          'AmountMismatch',
          'The chargeAmount does not match the paymentDetails.chargeAmount of the Checkout Session.',
        );
      }
    } else {
      optMoney(body.chargeAmount, 'chargeAmount');
    }
    const total = s.paymentDetails.totalOrderAmount;
    if (total) {
      const given = reqMoney(body.totalOrderAmount, 'totalOrderAmount');
      if (!moneyEquals(given, total)) {
        throw new ApiError(
          409,
          'AmountMismatch',
          'The totalOrderAmount does not match the paymentDetails.totalOrderAmount of the Checkout Session.',
        );
      }
    } else {
      optMoney(body.totalOrderAmount, 'totalOrderAmount');
    }
  }

  completeCheckoutSession(id: string, body: Json, ctx: OpContext): OpResult {
    const s = this.liveSession(id, ctx.publicKeyId);
    this.assertOpen(s);
    this.checkAmounts(s, body);
    this.assertBuyerDecided(s);
    return this.confirm(s, {
      operation: 'complete',
      paymentIntent: s.paymentDetails.paymentIntent,
      canHandlePending: s.paymentDetails.canHandlePendingAuthorization,
      ctx,
    });
  }

  finalizeCheckoutSession(id: string, body: Json, ctx: OpContext): OpResult {
    const s = this.liveSession(id, ctx.publicKeyId);
    this.assertOpen(s);
    const setupOnly = this.isSetupOnly(s);
    const paymentIntent = optPaymentIntent(body.paymentIntent, 'paymentIntent');
    if (!setupOnly && !paymentIntent) throw missingParameter('paymentIntent');
    if (!setupOnly && body.chargeAmount === undefined) throw missingParameter('chargeAmount');
    this.checkAmounts(s, body);
    const canHandle = optBoolean(body.canHandlePendingAuthorization, 'canHandlePendingAuthorization');
    const supplementaryData = optString(body.supplementaryData, 'supplementaryData');
    if (s.supplementaryData !== null) {
      if (supplementaryData === undefined || supplementaryData === null) throw missingParameter('supplementaryData');
      if (supplementaryData !== s.supplementaryData) throw invalidParameter('supplementaryData', 'does not match');
    }
    const shipping = optAddress(body.shippingAddress, 'shippingAddress');
    const billing = optAddress(body.billingAddress, 'billingAddress');
    this.assertBuyerDecided(s);
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

    const cp = this.newChargePermission(s, o.ctx.releaseEnvironment);
    s.state = 'Completed';
    s.chargePermissionId = cp.chargePermissionId;
    s.lastUpdatedAt = now;
    let status = 200;
    const amount = s.paymentDetails.chargeAmount;
    if (amount && o.paymentIntent && o.paymentIntent !== 'Confirm') {
      const captureNow = o.paymentIntent === 'AuthorizeWithCapture';
      const c = this.newCharge(cp, s, amount, captureNow, o.canHandlePending, o.ctx.releaseEnvironment);
      s.chargeId = c.chargeId;
      if (pending) {
        status = 202;
        c.pendingSettleTo = decision.settleTo;
        this.enterState(c, 'AuthorizationInitiated', null, null);
        if (decision.settleAfterMs !== null) {
          c.pendingSettleAt = now + decision.settleAfterMs;
          this.deps.scheduler.schedule(c.pendingSettleAt, () => this.settlePendingOnSchedule(c.chargeId));
        }
        this.deps.scheduler.schedule(now + PENDING_AUTHORIZATION_TIMEOUT_MS, () => {
          const cur = this.charges.get(c.chargeId);
          if (cur?.state === 'AuthorizationInitiated') {
            this.enterState(
              cur,
              'Declined',
              'TransactionTimedOut',
              'The authorization did not complete within 24 hours.',
            );
          }
        });
      } else {
        this.authorizeSucceeded(c);
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

  private newChargePermission(s: SessionRecord, env: ReleaseEnvironment): ChargePermissionRecord {
    const prefix = env === 'Live' ? 'P01' : 'S01';
    let id: string;
    do id = `${prefix}-${digits(7)}-${digits(7)}`;
    while (this.chargePermissions.has(id));
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
    this.chargePermissions.set(id, cp);
    return cp;
  }

  private newCharge(
    cp: ChargePermissionRecord,
    s: SessionRecord,
    amount: Money,
    captureNow: boolean,
    canHandlePending: boolean,
    env: ReleaseEnvironment,
  ): ChargeRecord {
    let id: string;
    do id = `${cp.chargePermissionId}-C${String(++this.chargeSeq % 1_000_000).padStart(6, '0')}`;
    while (this.charges.has(id));
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
    this.charges.set(id, c);
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
        const cur = this.charges.get(c.chargeId);
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
    const cp = this.chargePermissions.get(c.chargePermissionId);
    if (cp?.capturedTotal && cp.capturedTotal.currencyCode === amount.currencyCode) {
      cp.capturedTotal = addMoney(cp.capturedTotal, amount);
    }
    this.enterState(c, 'Captured', null, null);
  }

  /** A successful authorization: captured at once for AuthorizeWithCapture / captureNow. */
  private authorizeSucceeded(c: ChargeRecord): void {
    if (c.captureNow) this.capture(c, c.chargeAmount);
    else this.enterState(c, 'Authorized', null, null);
  }

  private settlePendingOnSchedule(chargeId: string): void {
    const c = this.charges.get(chargeId);
    if (!c || c.state !== 'AuthorizationInitiated') return;
    if (c.pendingSettleTo === 'Declined') {
      this.enterState(c, 'Declined', 'SoftDeclined', 'The pending authorization was declined.');
    } else {
      this.authorizeSucceeded(c);
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
    return this.chargeView(c);
  }

  getCharge(id: string): OpResult {
    const c = this.liveCharge(id);
    return {
      status: 200,
      body: this.chargeView(c),
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
    return { status: 200, body: this.chargeView(c), effect: true, ...ids };
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
      body: this.chargeView(c),
      effect: true,
      checkoutSessionId: c.checkoutSessionId,
      chargeId: id,
      chargePermissionId: c.chargePermissionId,
    };
  }

  getChargePermission(id: string): OpResult {
    const cp = this.liveChargePermission(id);
    return {
      status: 200,
      body: this.chargePermissionView(cp),
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
      body: this.chargePermissionView(cp),
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
    if (cp.state === 'Closed') return { status: 200, body: this.chargePermissionView(cp), effect: false, ...ids };
    cp.state = 'Closed';
    cp.reasons = [{ reasonCode: 'MerchantClosed', reasonDescription: reason ?? null }];
    cp.lastUpdatedAt = this.now();
    if (cancelPending) {
      for (const c of this.charges.values()) {
        if (c.chargePermissionId === id && (c.state === 'AuthorizationInitiated' || c.state === 'Authorized')) {
          this.enterState(c, 'Canceled', 'ChargePermissionCanceled', 'The Charge Permission was closed.');
        }
      }
    }
    this.deps.notify({
      objectType: 'CHARGE_PERMISSION',
      objectId: id,
      chargePermissionId: id,
      notificationType: 'STATE_CHANGE',
    });
    return { status: 200, body: this.chargePermissionView(cp), effect: true, ...ids };
  }
}
