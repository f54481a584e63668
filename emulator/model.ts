import { z } from 'zod';
import { CURRENCY_RE, DECIMAL_RE, type Money } from './money';

/** Closed sets of Amazon Pay CV2 (reference §3, §5), declared once. */
export const PaymentIntentSchema = z.enum(['Confirm', 'Authorize', 'AuthorizeWithCapture']);
export type PaymentIntent = z.infer<typeof PaymentIntentSchema>;

export const ChargePermissionTypeSchema = z.enum(['OneTime', 'Recurring', 'PaymentMethodOnFile']);
export type ChargePermissionType = z.infer<typeof ChargePermissionTypeSchema>;

export const ProductTypeSchema = z.enum(['PayAndShip', 'PayOnly']);
export type ProductType = z.infer<typeof ProductTypeSchema>;

export type SessionState = 'Open' | 'Completed' | 'Canceled';
export type ChargeState =
  'AuthorizationInitiated' | 'Authorized' | 'CaptureInitiated' | 'Captured' | 'Canceled' | 'Declined';
export type ChargePermissionState = 'Chargeable' | 'NonChargeable' | 'Closed';
export type ReleaseEnvironment = 'Sandbox' | 'Live';

export const MoneySchema = z.object({
  amount: z.string().regex(DECIMAL_RE, 'a decimal string such as "14.00"'),
  currencyCode: z.string().regex(CURRENCY_RE, 'an ISO 4217 code such as "USD"'),
});

export const ADDRESS_FIELDS = [
  'name',
  'addressLine1',
  'addressLine2',
  'addressLine3',
  'city',
  'county',
  'district',
  'stateOrRegion',
  'postalCode',
  'countryCode',
  'phoneNumber',
] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];
export type Address = Record<AddressField, string | null>;

export const AddressSchema = z.object(
  Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, z.string().nullable().optional()])) as Record<
    AddressField,
    z.ZodOptional<z.ZodNullable<z.ZodString>>
  >,
);

export interface Buyer {
  buyerId: string;
  name: string;
  email: string;
  phoneNumber: string | null;
  primeMembershipTypes: string[] | null;
}

export const BuyerSchema = z.object({
  buyerId: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  phoneNumber: z.string().nullable().optional(),
  primeMembershipTypes: z.array(z.string()).nullable().optional(),
});

export interface MerchantMetadata {
  merchantReferenceId: string | null;
  merchantStoreName: string | null;
  noteToBuyer: string | null;
  customInformation: string | null;
}

export interface StatusDetails {
  state: string;
  reasonCode: string | null;
  reasonDescription: string | null;
  lastUpdatedTimestamp: string;
}

export type BuyerActionKind = 'approve' | 'approve-pending' | 'decline' | 'cancel';

export interface BuyerDecision {
  action: BuyerActionKind;
  at: number;
  settleAfterMs: number | null;
  settleTo: 'Authorized' | 'Declined';
}

export interface SessionCounters {
  getCalls: number;
  updateCalls: number;
  completeCalls: number;
  finalizeCalls: number;
  completeEffects: number;
  finalizeEffects: number;
}

/** Everything the emulator knows about a checkout session; times are epoch ms on the emulator clock. */
export interface SessionRecord {
  checkoutSessionId: string;
  ownerPublicKeyId: string | null;
  createdAt: number;
  expiresAt: number;
  lastUpdatedAt: number;
  state: SessionState;
  reasonCode: string | null;
  reasonDescription: string | null;
  webCheckoutDetails: {
    checkoutReviewReturnUrl: string | null;
    checkoutResultReturnUrl: string | null;
    checkoutCancelUrl: string | null;
    checkoutMode: string | null;
  };
  productType: ProductType;
  paymentDetails: {
    paymentIntent: PaymentIntent | null;
    canHandlePendingAuthorization: boolean;
    chargeAmount: Money | null;
    totalOrderAmount: Money | null;
    softDescriptor: string | null;
    presentmentCurrency: string | null;
    allowOvercharge: boolean | null;
    extendExpiration: boolean | null;
  };
  chargePermissionType: ChargePermissionType;
  recurringMetadata: unknown;
  merchantMetadata: MerchantMetadata;
  supplementaryData: string | null;
  platformId: string | null;
  storeId: string | null;
  /** What Amazon knows about the buyer; shown only once the buyer has signed in on Amazon's page. */
  buyerProfile: Buyer;
  shippingProfile: Address | null;
  billingProfile: Address;
  paymentDescriptor: string;
  buyerAssociated: boolean;
  buyerDecision: BuyerDecision | null;
  chargePermissionId: string | null;
  chargeId: string | null;
  releaseEnvironment: ReleaseEnvironment;
}

export interface ChargeCounters {
  getCalls: number;
  captureCalls: number;
  captureEffects: number;
  cancelCalls: number;
  cancelEffects: number;
}

export interface ChargeRecord {
  chargeId: string;
  chargePermissionId: string;
  checkoutSessionId: string | null;
  chargeAmount: Money;
  captureAmount: Money | null;
  refundedAmount: Money;
  softDescriptor: string | null;
  captureNow: boolean;
  canHandlePendingAuthorization: boolean;
  merchantMetadata: MerchantMetadata;
  platformId: string | null;
  state: ChargeState;
  reasonCode: string | null;
  reasonDescription: string | null;
  createdAt: number;
  lastUpdatedAt: number;
  expiresAt: number;
  releaseEnvironment: ReleaseEnvironment;
  /** Where a pending authorization ends when it settles on its own. */
  pendingSettleTo: 'Authorized' | 'Declined' | null;
  pendingSettleAt: number | null;
}

export interface ChargePermissionRecord {
  chargePermissionId: string;
  chargePermissionType: ChargePermissionType;
  checkoutSessionId: string | null;
  buyer: Buyer;
  shippingAddress: Address | null;
  billingAddress: Address;
  paymentDescriptor: string;
  merchantMetadata: MerchantMetadata;
  platformId: string | null;
  amountLimit: Money | null;
  capturedTotal: Money | null;
  presentmentCurrency: string | null;
  recurringMetadata: unknown;
  state: ChargePermissionState;
  reasons: { reasonCode: string; reasonDescription: string | null }[] | null;
  createdAt: number;
  lastUpdatedAt: number;
  expiresAt: number | null;
  releaseEnvironment: ReleaseEnvironment;
}
