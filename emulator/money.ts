/** Amounts are decimal strings, compared as decimals ("14" == "14.00"), never as floats (CONVENTIONS.md 12). */
export interface Money {
  amount: string;
  currencyCode: string;
}

export const DECIMAL_RE = /^\d{1,15}(\.\d{1,6})?$/;
export const CURRENCY_RE = /^[A-Z]{3}$/;

interface Scaled {
  units: bigint;
  scale: number;
}

function scaled(amount: string): Scaled {
  const [int = '0', frac = ''] = amount.split('.');
  return { units: BigInt(int + frac), scale: frac.length };
}

function atScale(s: Scaled, scale: number): bigint {
  return s.units * 10n ** BigInt(scale - s.scale);
}

export function compareDecimal(a: string, b: string): number {
  const x = scaled(a);
  const y = scaled(b);
  const scale = Math.max(x.scale, y.scale);
  const d = atScale(x, scale) - atScale(y, scale);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

export function decimalEquals(a: string, b: string): boolean {
  return compareDecimal(a, b) === 0;
}

export function moneyEquals(a: Money, b: Money): boolean {
  return a.currencyCode === b.currencyCode && decimalEquals(a.amount, b.amount);
}

/** Currencies without minor units that Amazon Pay settles in; everything else is shown with 2 decimals. */
const ZERO_DECIMAL = new Set(['JPY']);

export function currencyScale(currencyCode: string): number {
  return ZERO_DECIMAL.has(currencyCode) ? 0 : 2;
}

function format(units: bigint, scale: number): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${neg ? '-' : ''}${int}${frac}`;
}

/** a - b, formatted with the currency's scale (or more if an input carries more decimals). */
export function subtractMoney(a: Money, b: Money): Money {
  const x = scaled(a.amount);
  const y = scaled(b.amount);
  const scale = Math.max(x.scale, y.scale, currencyScale(a.currencyCode));
  return { amount: format(atScale(x, scale) - atScale(y, scale), scale), currencyCode: a.currencyCode };
}

/** a + b, formatted like subtractMoney. */
export function addMoney(a: Money, b: Money): Money {
  const x = scaled(a.amount);
  const y = scaled(b.amount);
  const scale = Math.max(x.scale, y.scale, currencyScale(a.currencyCode));
  return { amount: format(atScale(x, scale) + atScale(y, scale), scale), currencyCode: a.currencyCode };
}

export function zeroMoney(currencyCode: string): Money {
  return { amount: format(0n, currencyScale(currencyCode)), currencyCode };
}
