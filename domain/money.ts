// Money, declared once (DESIGN.md, "two shared homes"; CONVENTIONS.md 12): a decimal string plus an ISO 4217 code,
// never a float; integer minor units computed on the digit string. Shared by the input schema (workflows), the Amazon
// Pay client (activities), the records and everything else: part of the dependency-free vocabulary.
import { z } from 'zod';
import { builtOnce } from './built-once';

/** Amazon Pay's `price` type. */
export type Money = { amount: string; currencyCode: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

/** ISO 4217 minor-unit exponents that differ from 2; every other code has 2. */
const EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
});

export function currencyExponent(code: string): number {
  return EXPONENTS[code.toUpperCase()] ?? 2;
}

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

/**
 * A well-formed amount for its currency (the rules of `toMinorUnits`): what the Amazon Pay client sends and the
 * records store. The input schema adds the merchant-facing bounds (workflows/checkout-session/input.ts). Built once per
 * worker thread, not once per workflow run (domain/built-once.ts).
 */
export const MoneySchema = builtOnce('domain/money', () =>
  z
    .strictObject({
      amount: z.string().regex(DECIMAL, 'expected an unsigned decimal string such as "14.00"'),
      currencyCode: z.string().regex(CURRENCY_CODE, 'expected an ISO 4217 code such as "USD"'),
    })
    .superRefine((m, ctx) => {
      try {
        toMinorUnits(m);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: (e as Error).message });
      }
    }),
);

/**
 * The currencies Amazon Pay charges in: the ledger currencies of its regions (US: USD; EU: EUR; UK: GBP; JP: JPY) and
 * the presentment currencies its multi-currency feature adds for EU and UK merchants (Amazon Pay's "Multi-currency
 * integration" page, supported currencies: AUD, GBP, DKK, EUR, HKD, JPY, NZD, NOK, ZAR, SEK, CHF, USD). Amazon refuses
 * any other code, so a checkout in one could only fail later.
 */
export const AMAZON_PAY_CURRENCIES = ['AUD', 'CHF', 'DKK', 'EUR', 'GBP', 'HKD', 'JPY', 'NOK', 'NZD', 'SEK', 'USD', 'ZAR'] as const;
export type AmazonPayCurrency = (typeof AMAZON_PAY_CURRENCIES)[number];
export const isAmazonPayCurrency = (code: string): code is AmazonPayCurrency => (AMAZON_PAY_CURRENCIES as readonly string[]).includes(code);
