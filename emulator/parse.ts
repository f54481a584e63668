import { invalidParameter, missingParameter } from './errors';
import { ADDRESS_FIELDS, PaymentIntentSchema, type Address, type MerchantMetadata, type PaymentIntent } from './model';
import { CURRENCY_RE, DECIMAL_RE, type Money } from './money';

// Request body parsing: Amazon's field names, 400 `InvalidParameterValue` / `MissingParameterValue` on bad input.

export type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optObject(v: unknown, name: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidParameter(name);
  return v;
}

export function optString(v: unknown, name: string, max = 10_000): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string' || v.length > max) throw invalidParameter(name);
  return v;
}

/** Booleans may arrive as strings: Amazon's own finalize example sends `"canHandlePendingAuthorization": "false"`. */
export function optBoolean(v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalidParameter(name);
}

export function optMoney(v: unknown, name: string): Money | undefined {
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

export function reqMoney(v: unknown, name: string): Money {
  const m = optMoney(v, name);
  if (!m) throw missingParameter(name);
  return m;
}

export function optPaymentIntent(v: unknown, name: string): PaymentIntent | undefined {
  if (v === undefined || v === null) return undefined;
  const r = PaymentIntentSchema.safeParse(v);
  if (!r.success) throw invalidParameter(name);
  return r.data;
}

export function optAddress(v: unknown, name: string): Address | undefined {
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

/** Address equality as a verifier would see it: field by field, trimmed, with null, absent and "" the same. */
export function sameAddress(a: Address, b: Address): boolean {
  return ADDRESS_FIELDS.every((f) => (a[f] ?? '').trim() === (b[f] ?? '').trim());
}

export function mergeMerchantMetadata(base: MerchantMetadata, v: unknown, name: string): MerchantMetadata {
  const o = optObject(v, name);
  if (!o) return base;
  const next = { ...base };
  for (const k of ['merchantReferenceId', 'merchantStoreName', 'noteToBuyer', 'customInformation'] as const) {
    const s = optString(o[k], `${name}.${k}`, 4096);
    if (s !== undefined) next[k] = s;
  }
  return next;
}
