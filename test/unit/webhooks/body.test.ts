import { webhookEventSeq } from '../../../records/checkout-sessions';
import { storedWebhookEvent, webhookBody, webhookBuyer, webhookEvent } from '../../../activities/webhooks/body';
import type { WebhookEventInput } from '../../../activities/webhooks/types';

const event: WebhookEventInput = {
  eventId: 'sess-1:4',
  type: 'checkout.declined',
  checkoutSessionId: 'sess-1',
  state: 'Declined',
  reasonCode: 'HardDeclined',
  chargeId: null,
  chargePermissionId: null,
  chargeState: null,
  chargeAmount: { amount: '14.00', currencyCode: 'USD' },
  totalOrderAmount: null,
  merchantReferenceId: 'order-1',
  recovered: false,
  occurredAt: '2025-01-01T00:00:00.000Z',
};

describe('webhook body', () => {
  it('is the event fields in a fixed order, nothing else', () => {
    const body = webhookBody({ ...event, secretNote: 'x', chargeAmount: { amount: '14.00', currencyCode: 'USD', minor: 1400 } } as WebhookEventInput);
    expect(Object.keys(JSON.parse(body) as object)).toEqual([
      'eventId',
      'type',
      'checkoutSessionId',
      'state',
      'reasonCode',
      'chargeId',
      'chargePermissionId',
      'chargeState',
      'chargeAmount',
      'totalOrderAmount',
      'merchantReferenceId',
      'recovered',
      'occurredAt',
    ]);
    expect(JSON.parse(body)).toEqual(event);
    expect(webhookBody(event)).toBe(body);
  });

  it('carries buyer data only when given: Amazon buyer fields and both addresses', () => {
    const buyer = webhookBuyer({ buyer: { buyerId: 'b-1', name: 'Susie Smith', email: 'susie@example.com' }, shippingAddress: { city: 'Chicago' } });
    expect(JSON.parse(webhookBody(event, buyer))).toEqual({
      ...event,
      buyer: { buyerId: 'b-1', name: 'Susie Smith', email: 'susie@example.com', billingAddress: null, shippingAddress: { city: 'Chicago' } },
    });
    expect(webhookBody(event)).not.toMatch(/buyer/);
  });

  it('reads a stored event back for a resend, refusing a malformed one', () => {
    expect(storedWebhookEvent(JSON.parse(JSON.stringify(webhookEvent(event))))).toEqual(event);
    for (const bad of [null, 'x', {}, { ...event, type: 'checkout.unknown' }, { ...event, eventId: '' }, { ...event, chargeAmount: { amount: 14 } }, { ...event, chargeId: 5 }]) {
      expect(storedWebhookEvent(bad)).toBeUndefined();
    }
  });

  it('orders events by the step number after the last colon', () => {
    expect(webhookEventSeq('sess-1:4')).toBe(4);
    expect(webhookEventSeq('a:b:12')).toBe(12);
    expect(webhookEventSeq('sess-1')).toBeUndefined();
    expect(webhookEventSeq('sess-1:x')).toBeUndefined();
  });
});
