// The webhook's JSON body. Built from the event's fixed fields only (a field added to the input later is not sent
// until it is added here), so every attempt and every resend of one event sends the same document; the time of
// the attempt lives in the signature header.
import type { Money } from '../../domain/money';
import type { WebhookEventInput, WebhookEventType } from './types';

export const WEBHOOK_EVENT_TYPES = [
  'checkout.completed',
  'checkout.declined',
  'checkout.buyer_canceled',
  'checkout.expired',
  'checkout.failed',
  'checkout.authorization_pending',
] as const satisfies readonly WebhookEventType[];

const money = (m: Money | null | undefined): Money | null => (m ? { amount: m.amount, currencyCode: m.currencyCode } : null);

/** The event as sent and as stored for a resend: no buyer data. */
export function webhookEvent(e: WebhookEventInput): WebhookEventInput {
  return {
    eventId: e.eventId,
    type: e.type,
    checkoutSessionId: e.checkoutSessionId,
    state: e.state,
    reasonCode: e.reasonCode ?? null,
    chargeId: e.chargeId ?? null,
    chargePermissionId: e.chargePermissionId ?? null,
    chargeState: e.chargeState ?? null,
    chargeAmount: money(e.chargeAmount),
    totalOrderAmount: money(e.totalOrderAmount),
    merchantReferenceId: e.merchantReferenceId ?? null,
    recovered: e.recovered === true,
    occurredAt: e.occurredAt,
  };
}

/** Buyer data as the MongoDB record holds it (Amazon's `buyer` object and the two addresses). */
export interface BuyerRecord {
  buyer?: Record<string, unknown> | null;
  billingAddress?: Record<string, unknown> | null;
  shippingAddress?: Record<string, unknown> | null;
}

export interface WebhookBuyer extends Record<string, unknown> {
  billingAddress: Record<string, unknown> | null;
  shippingAddress: Record<string, unknown> | null;
}

/** `buyer` of the body: Amazon's buyer fields (buyerId, name, email, phoneNumber) plus both addresses. */
export function webhookBuyer(r: BuyerRecord): WebhookBuyer {
  return { ...(r.buyer ?? {}), billingAddress: r.billingAddress ?? null, shippingAddress: r.shippingAddress ?? null };
}

export function webhookBody(e: WebhookEventInput, buyer?: WebhookBuyer): string {
  return JSON.stringify({ ...webhookEvent(e), ...(buyer ? { buyer } : {}) });
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNullableString = (v: unknown) => v === null || v === undefined || typeof v === 'string';
const isMoney = (v: unknown) =>
  v === null ||
  v === undefined ||
  (typeof v === 'object' && isString((v as Money)?.amount) && isString((v as Money)?.currencyCode));

/** A stored `webhook.lastEvent` read back for a resend; undefined when it is not a well-formed event. */
export function storedWebhookEvent(raw: unknown): WebhookEventInput | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const e = raw as Record<string, unknown>;
  const ok =
    isString(e.eventId) &&
    (WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(e.type) &&
    isString(e.checkoutSessionId) &&
    isString(e.state) &&
    isString(e.occurredAt) &&
    ['reasonCode', 'chargeId', 'chargePermissionId', 'chargeState', 'merchantReferenceId'].every((k) =>
      isNullableString(e[k]),
    ) &&
    isMoney(e.chargeAmount) &&
    isMoney(e.totalOrderAmount);
  return ok ? webhookEvent(e as unknown as WebhookEventInput) : undefined;
}
