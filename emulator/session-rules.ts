import { ApiError } from './errors';
import type { SessionRecord } from './model';
import { moneyEquals } from './money';
import { optMoney, reqMoney, type Json } from './parse';

// What a checkout session must satisfy: its open constraints, and the preconditions of complete and finalize.

export function isSetupOnly(s: SessionRecord): boolean {
  return s.chargePermissionType === 'PaymentMethodOnFile' && s.paymentDetails.chargeAmount === null;
}

export function paymentConstraints(s: SessionRecord): string[] {
  const c: string[] = [];
  const setupOnly = isSetupOnly(s);
  if (!setupOnly && s.paymentDetails.chargeAmount === null) c.push('ChargeAmountNotSet');
  if (!s.webCheckoutDetails.checkoutResultReturnUrl) c.push('CheckoutResultReturnUrlNotSet');
  if (!setupOnly && s.paymentDetails.paymentIntent === null) c.push('PaymentIntentNotSet');
  return c;
}

/** Complete and finalize refuse any session that is not Open (reference §5.1, §6). */
export function assertOpen(s: SessionRecord): void {
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

export function assertBuyerDecided(s: SessionRecord): void {
  if (!s.buyerDecision) {
    throw new ApiError(
      422,
      'InvalidCheckoutSessionStatus',
      'The buyer has not completed checkout on Amazon Pay for this Checkout Session.',
    );
  }
  const missing = paymentConstraints(s).filter((c) => c !== 'CheckoutResultReturnUrlNotSet');
  if (missing.length > 0) {
    throw new ApiError(
      422,
      'InvalidCheckoutSessionStatus',
      `The Checkout Session has constraints: ${missing.join(', ')}.`,
    );
  }
}

export function checkAmounts(s: SessionRecord, body: Json): void {
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
