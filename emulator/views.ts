import type { ChargePermissionRecord, ChargeRecord, SessionRecord } from './model';
import { subtractMoney } from './money';
import type { Json } from './parse';
import { isSetupOnly, paymentConstraints } from './session-rules';
import { compactTimestamp } from './time';

// The JSON bodies of the three objects, with Amazon's field names and compact timestamps.

const CONSTRAINT_DESCRIPTIONS: Record<string, string> = {
  BuyerNotAssociated:
    'There is no buyer associated with the Checkout Session. Return the checkout button to the buyer.',
  ChargeAmountNotSet: 'chargeAmount is not set.',
  CheckoutResultReturnUrlNotSet: 'checkoutResultReturnUrl is not set.',
  PaymentIntentNotSet: 'paymentIntent is not set.',
};

export function sessionView(
  s: SessionRecord,
  amazonPageUrl: (checkoutSessionId: string) => string,
  opts: { finalize?: boolean } = {},
): Json {
  const shown = s.buyerAssociated;
  const payment = paymentConstraints(s);
  const constraints = s.state !== 'Open' ? [] : [...(s.buyerAssociated ? [] : ['BuyerNotAssociated']), ...payment];
  const pd = s.paymentDetails;
  return {
    checkoutSessionId: s.checkoutSessionId,
    webCheckoutDetails: {
      checkoutReviewReturnUrl: s.webCheckoutDetails.checkoutReviewReturnUrl,
      checkoutResultReturnUrl: s.webCheckoutDetails.checkoutResultReturnUrl,
      amazonPayRedirectUrl: s.state === 'Open' && payment.length === 0 ? amazonPageUrl(s.checkoutSessionId) : null,
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
      ? { paymentMethodOnFileMetadata: { setupOnly: isSetupOnly(s) } }
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

export function chargeView(c: ChargeRecord): Json {
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

export function chargePermissionView(cp: ChargePermissionRecord): Json {
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
