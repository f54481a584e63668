import { z } from 'zod';
import { Address as SentAddress, AmazonAddress } from '../../domain/address';
import { MoneySchema } from '../../domain/money';
import { ChargePermissionState, ChargePermissionType, ChargeState, CheckoutSessionState, PaymentIntent } from '../../domain/checkout';

/*
 * Response schemas are loose: unknown fields are kept, and every field Amazon documents as optional may be absent or
 * null (the seed responses send null for whole objects). Only the fields the orchestrator cannot work without are
 * required: the object's ID and its statusDetails.state.
 */

const str = z.string().nullish();

/** `"true"`/`"false"` strings are accepted as booleans (one Amazon page shows `"canHandlePendingAuthorization": "false"`). */
const lenientBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).nullish();

/** Seed 000 (Finalize, PaymentMethodOnFile) sends `"chargeId": "null"`: read the literal string as null. */
const nullableId = z
  .string()
  .nullish()
  .transform((v) => (v === 'null' ? null : v));

/** Amounts in responses: read as decimal strings; not re-validated so an odd amount never hides a completed session. */
export const ResponseMoneySchema = z.looseObject({
  amount: z.union([z.string(), z.number().transform((n) => String(n))]),
  currencyCode: z.string(),
});
const money = ResponseMoneySchema.nullish();


export { ChargePermissionState, ChargePermissionType, ChargeState, CheckoutSessionState, PaymentIntent };

/** Addresses Amazon answers with, read leniently (domain/address.ts). */
export const AddressSchema = AmazonAddress;
export type Address = AmazonAddress;

export const BuyerSchema = z.looseObject({
  buyerId: str,
  name: str,
  email: str,
  phoneNumber: str,
  primeMembershipTypes: z.array(z.string()).nullish(),
});
export type Buyer = z.infer<typeof BuyerSchema>;

export const StatusDetailsSchema = z.looseObject({
  state: z.string(),
  reasonCode: str,
  reasonDescription: str,
  lastUpdatedTimestamp: str,
});
export type StatusDetails = z.infer<typeof StatusDetailsSchema>;

export const WebCheckoutDetailsSchema = z.looseObject({
  checkoutReviewReturnUrl: str,
  checkoutResultReturnUrl: str,
  amazonPayRedirectUrl: str,
  checkoutCancelUrl: str,
  checkoutMode: str,
});

export const PaymentDetailsSchema = z.looseObject({
  paymentIntent: PaymentIntent.nullish(),
  canHandlePendingAuthorization: lenientBoolean,
  chargeAmount: money,
  totalOrderAmount: money,
  softDescriptor: str,
  presentmentCurrency: str,
  allowOvercharge: lenientBoolean,
  extendExpiration: lenientBoolean,
});

export const MerchantMetadataSchema = z.looseObject({
  merchantReferenceId: str,
  merchantStoreName: str,
  noteToBuyer: str,
  customInformation: str,
});

export const RecurringMetadataSchema = z.looseObject({
  frequency: z.looseObject({ unit: str, value: z.union([z.string(), z.number()]).nullish() }).nullish(),
  amount: money,
});

const ProviderMetadataSchema = z.looseObject({ providerReferenceId: str });

/** `shippingAddressList` holds JSON strings (reference §3); each is parsed when it is a valid address. */
const shippingAddressList = z
  .array(
    z.preprocess(
      (v) => {
        if (typeof v !== 'string') return v;
        try {
          return JSON.parse(v) as unknown;
        } catch {
          return v;
        }
      },
      z.union([AddressSchema, z.string()]).nullable(),
    ),
  )
  .nullish();

export const CheckoutSessionSchema = z.looseObject({
  checkoutSessionId: z.string().min(1),
  webCheckoutDetails: WebCheckoutDetailsSchema.nullish(),
  productType: str,
  paymentDetails: PaymentDetailsSchema.nullish(),
  chargePermissionType: ChargePermissionType.nullish(),
  recurringMetadata: RecurringMetadataSchema.nullish(),
  paymentMethodOnFileMetadata: z.looseObject({ setupOnly: lenientBoolean }).nullish(),
  checkoutType: str,
  merchantMetadata: MerchantMetadataSchema.nullish(),
  supplementaryData: str,
  buyer: BuyerSchema.nullish(),
  billingAddress: AddressSchema.nullish(),
  shippingAddress: AddressSchema.nullish(),
  shippingAddressList,
  paymentPreferences: z.array(z.looseObject({ paymentDescriptor: str }).nullable()).nullish(),
  paymentDescriptor: str,
  statusDetails: StatusDetailsSchema.extend({ state: CheckoutSessionState }),
  platformId: str,
  chargePermissionId: nullableId,
  chargeId: nullableId,
  constraints: z.array(z.looseObject({ constraintId: str, description: str }).nullable()).nullish(),
  creationTimestamp: str,
  expirationTimestamp: str,
  storeId: str,
  providerMetadata: ProviderMetadataSchema.nullish(),
  releaseEnvironment: str,
  deliverySpecifications: z.looseObject({}).nullish(),
  checkoutButtonText: str,
});
export type CheckoutSession = z.infer<typeof CheckoutSessionSchema>;

export const ChargeSchema = z.looseObject({
  chargeId: z.string().min(1),
  chargePermissionId: nullableId,
  chargeAmount: money,
  captureAmount: money,
  refundedAmount: money,
  convertedAmount: money,
  conversionRate: z.union([z.number(), z.string()]).nullish(),
  softDescriptor: str,
  captureNow: lenientBoolean,
  canHandlePendingAuthorization: lenientBoolean,
  merchantMetadata: MerchantMetadataSchema.nullish(),
  providerMetadata: ProviderMetadataSchema.nullish(),
  webCheckoutDetails: WebCheckoutDetailsSchema.nullish(),
  platformId: str,
  statusDetails: StatusDetailsSchema.extend({ state: ChargeState }),
  creationTimestamp: str,
  expirationTimestamp: str,
  releaseEnvironment: str,
});
export type Charge = z.infer<typeof ChargeSchema>;

export const ChargePermissionSchema = z.looseObject({
  chargePermissionId: z.string().min(1),
  chargePermissionType: ChargePermissionType.nullish(),
  buyer: BuyerSchema.nullish(),
  shippingAddress: AddressSchema.nullish(),
  billingAddress: AddressSchema.nullish(),
  paymentPreferences: z.array(z.looseObject({ paymentDescriptor: str }).nullable()).nullish(),
  merchantMetadata: MerchantMetadataSchema.nullish(),
  platformId: str,
  limits: z.looseObject({ amountLimit: money, amountBalance: money }).nullish(),
  presentmentCurrency: str,
  recurringMetadata: RecurringMetadataSchema.nullish(),
  statusDetails: z.looseObject({
    state: ChargePermissionState,
    reasons: z.array(z.looseObject({ reasonCode: z.string(), reasonDescription: str })).nullish(),
    lastUpdatedTimestamp: str,
  }),
  creationTimestamp: str,
  expirationTimestamp: str,
  releaseEnvironment: str,
});
export type ChargePermission = z.infer<typeof ChargePermissionSchema>;

/** Reference §3: `{"reasonCode":"InvalidParameterValue","message":"..."}`. */
export const ErrorBodySchema = z.looseObject({
  reasonCode: z.string().min(1),
  message: str,
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/*
 * Request bodies. The client validates a body against these before sending and then sends the caller's object
 * serialised once, so a validated body goes out byte for byte as given. Complete, finalize, capture and cancel are
 * strict so a misspelt field fails here rather than as Amazon's 400 UnrecognizedField.
 */

/** Addresses we send: strict and bounded (domain/address.ts). */
const RequestAddressSchema = SentAddress;

/** `{}` is the saved-wallet (sign-in) form (seed 002). */
export const CompleteCheckoutSessionBodySchema = z.strictObject({
  chargeAmount: MoneySchema.optional(),
  totalOrderAmount: MoneySchema.optional(),
});
export type CompleteCheckoutSessionBody = z.infer<typeof CompleteCheckoutSessionBodySchema>;

/**
 * Finalize charges (seeds 003, 004: amounts, intent and the address Amazon shared) or, for the saved-wallet setup of
 * the Mobile SDK (seed 000), sends `{}` with at most supplementaryData.
 */
export const FinalizeCheckoutSessionBodySchema = z.union([
  z.strictObject({
    chargeAmount: MoneySchema,
    totalOrderAmount: MoneySchema.optional(),
    paymentIntent: PaymentIntent,
    canHandlePendingAuthorization: z.boolean().optional(),
    shippingAddress: RequestAddressSchema.optional(),
    billingAddress: RequestAddressSchema.optional(),
    supplementaryData: z.string().optional(),
  }),
  z.strictObject({ supplementaryData: z.string().optional() }),
]);
export type FinalizeCheckoutSessionBody = z.infer<typeof FinalizeCheckoutSessionBodySchema>;

const RequestPaymentDetailsSchema = z.looseObject({
  paymentIntent: PaymentIntent.optional(),
  canHandlePendingAuthorization: z.boolean().optional(),
  chargeAmount: MoneySchema.optional(),
  totalOrderAmount: MoneySchema.optional(),
  softDescriptor: z.string().optional(),
  presentmentCurrency: z.string().optional(),
});

const RequestMerchantMetadataSchema = z.looseObject({
  merchantReferenceId: z.string().optional(),
  merchantStoreName: z.string().optional(),
  noteToBuyer: z.string().optional(),
  customInformation: z.string().optional(),
});

export const CreateCheckoutSessionBodySchema = z.looseObject({
  webCheckoutDetails: z.looseObject({
    checkoutReviewReturnUrl: z.string().optional(),
    checkoutResultReturnUrl: z.string().optional(),
    checkoutCancelUrl: z.string().optional(),
    checkoutMode: z.string().optional(),
  }),
  storeId: z.string().min(1),
  paymentDetails: RequestPaymentDetailsSchema.optional(),
  chargePermissionType: ChargePermissionType.optional(),
  merchantMetadata: RequestMerchantMetadataSchema.optional(),
  platformId: z.string().optional(),
});
export type CreateCheckoutSessionBody = z.infer<typeof CreateCheckoutSessionBodySchema>;

export const UpdateCheckoutSessionBodySchema = z.looseObject({
  webCheckoutDetails: z
    .looseObject({
      checkoutReviewReturnUrl: z.string().optional(),
      checkoutResultReturnUrl: z.string().optional(),
      checkoutCancelUrl: z.string().optional(),
    })
    .optional(),
  paymentDetails: RequestPaymentDetailsSchema.optional(),
  merchantMetadata: RequestMerchantMetadataSchema.optional(),
  platformId: z.string().optional(),
});
export type UpdateCheckoutSessionBody = z.infer<typeof UpdateCheckoutSessionBodySchema>;

export const CaptureChargeBodySchema = z.strictObject({
  captureAmount: MoneySchema,
  softDescriptor: z.string().max(16).optional(),
});
export type CaptureChargeBody = z.infer<typeof CaptureChargeBodySchema>;

export const CancelChargeBodySchema = z.strictObject({
  cancellationReason: z.string().min(1),
});
export type CancelChargeBody = z.infer<typeof CancelChargeBodySchema>;
