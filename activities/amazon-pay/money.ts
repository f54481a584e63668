import { z } from 'zod';
import { currencyExponent } from '../../domain/money';

/** Amazon Pay's `price` type: a decimal string plus an ISO 4217 code (CONVENTIONS.md, convention 12). */
export type Money = { amount: string; currencyCode: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

export { currencyExponent } from '../../domain/money';

/**
 * Integer minor units of `m`, computed on the digit string (never through a float). Rejects signs, exponents,
 * blanks and more fraction digits than the currency has (`"1.5"` JPY, `"1.234"` USD).
 */
export function toMinorUnits(m: Money): number {
  if (typeof m.currencyCode !== 'string' || !CURRENCY_CODE.test(m.currencyCode)) {
    throw new Error(`invalid currency code: expected three upper-case letters`);
  }
  const match = typeof m.amount === 'string' ? DECIMAL.exec(m.amount) : null;
  if (!match) {
    throw new Error(`invalid amount for ${m.currencyCode}: expected an unsigned decimal string such as "14.00"`);
  }
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  const exponent = currencyExponent(m.currencyCode);
  if (fraction.length > exponent) {
    throw new Error(
      `invalid amount for ${m.currencyCode}: ${fraction.length} decimal places, the currency allows ${exponent}`,
    );
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`invalid amount for ${m.currencyCode}: exceeds the safe integer range`);
  }
  return Number(minor);
}

/** Decimal string with exactly the currency's precision: `formatMinorUnits(1400, 'USD')` is `"14.00"`. */
export function formatMinorUnits(minor: number, currencyCode: string): string {
  if (!Number.isSafeInteger(minor) || minor < 0) {
    throw new RangeError(`minor units must be a non-negative safe integer`);
  }
  if (!CURRENCY_CODE.test(currencyCode)) {
    throw new Error(`invalid currency code: expected three upper-case letters`);
  }
  const exponent = currencyExponent(currencyCode);
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Same currency and same value: `"14"` equals `"14.00"`. Throws if either amount is malformed. */
export function sameAmount(a: Money, b: Money): boolean {
  return a.currencyCode === b.currencyCode && toMinorUnits(a) === toMinorUnits(b);
}

/** A well-formed amount for its currency (the rules of `toMinorUnits`); use it for bodies we send. */
export const MoneySchema = z
  .object({
    amount: z.string().regex(DECIMAL, 'expected an unsigned decimal string such as "14.00"'),
    currencyCode: z.string().regex(CURRENCY_CODE, 'expected an ISO 4217 code such as "USD"'),
  })
  .superRefine((m, ctx) => {
    try {
      toMinorUnits(m);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: (e as Error).message });
    }
  });
