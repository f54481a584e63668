import { CheckoutInput } from '../../../workflows/checkout-session/input';
import { checkoutWorkflowId, sessionIdFromWorkflowId } from '../../../workflows/checkout-session/ids';
import { confirmBody } from '../../../workflows/checkout-session/workflow';

const base = { checkoutSessionId: 'bd504926-f659-4ad7-a1a9-9a747aaf5275', deadline: '2026-11-24T10:00:00Z' };

describe('checkout input', () => {
  it('accepts the three flows', () => {
    expect(CheckoutInput.safeParse({ ...base, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' } }).success).toBe(true);
    expect(CheckoutInput.safeParse({ ...base, flow: 'complete', chargePermissionType: 'PaymentMethodOnFile' }).success).toBe(true);
    expect(
      CheckoutInput.safeParse({
        ...base,
        flow: 'finalize',
        chargeAmount: { amount: '14', currencyCode: 'USD' },
        paymentIntent: 'AuthorizeWithCapture',
        canHandlePendingAuthorization: false,
        shippingAddress: { name: 'Susy S', addressLine1: '11 Ditka Ave', countryCode: 'US' },
      }).success,
    ).toBe(true);
  });

  it('takes the deadline as Amazon writes expirationTimestamp (compact) or as ISO 8601, and stores ISO', () => {
    const amount = { flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' } };
    expect(CheckoutInput.parse({ ...base, ...amount, deadline: '20261124T100000Z' }).deadline).toBe('2026-11-24T10:00:00Z');
    expect(CheckoutInput.parse({ ...base, ...amount, deadline: '20261124T100000.123Z' }).deadline).toBe('2026-11-24T10:00:00.123Z');
    expect(CheckoutInput.parse({ ...base, ...amount }).deadline).toBe(base.deadline);
    for (const bad of ['20261324T100000Z', '2026-11-24', 'tomorrow', '20261124T1000Z']) {
      const r = CheckoutInput.safeParse({ ...base, ...amount, deadline: bad });
      expect({ bad, ok: r.success, at: r.error?.issues[0]?.path }).toEqual({ bad, ok: false, at: ['deadline'] });
    }
  });

  it('rejects floats, missing amounts, finalize without address, and odd IDs with a message per field', () => {
    const r = CheckoutInput.safeParse({ ...base, flow: 'complete', chargeAmount: { amount: 14, currencyCode: 'USD' } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/chargeAmount/);
    expect(CheckoutInput.safeParse({ ...base, flow: 'complete' }).success).toBe(false);
    expect(CheckoutInput.safeParse({ ...base, flow: 'complete', chargeAmount: { amount: '1e3', currencyCode: 'USD' } }).success).toBe(false);
    const f = CheckoutInput.safeParse({ ...base, flow: 'finalize', chargeAmount: { amount: '14', currencyCode: 'USD' }, paymentIntent: 'Authorize' });
    expect(JSON.stringify(f.error?.issues)).toMatch(/shippingAddress/);
    expect(CheckoutInput.safeParse({ ...base, checkoutSessionId: '../etc', flow: 'complete', chargeAmount: { amount: '1', currencyCode: 'USD' } }).success).toBe(false);
    // A saved wallet that charges now is an ordinary confirm with its amount; only the setup has none.
    expect(CheckoutInput.safeParse({ ...base, flow: 'complete', chargePermissionType: 'PaymentMethodOnFile', chargeAmount: { amount: '1', currencyCode: 'USD' } }).success).toBe(true);
    expect(
      JSON.stringify(CheckoutInput.safeParse({ ...base, flow: 'complete', chargePermissionType: 'PaymentMethodOnFile', totalOrderAmount: { amount: '1', currencyCode: 'USD' } }).error?.issues),
    ).toMatch(/saved-wallet setup.*empty body.*totalOrderAmount/);
    expect(CheckoutInput.safeParse({ ...base, flow: 'complete', chargeAmount: { amount: '1', currencyCode: 'USD' }, $where: 'x' }).success).toBe(false);
  });

  it('accepts the Mobile SDK saved-wallet finalize of seed 000 with the body {} and refuses half of a charge', () => {
    const setup = { ...base, flow: 'finalize', chargePermissionType: 'PaymentMethodOnFile' };
    const parsed = CheckoutInput.parse(setup);
    expect(confirmBody(parsed)).toStrictEqual({});
    expect(JSON.stringify(confirmBody(CheckoutInput.parse({ ...setup, supplementaryData: '{"order":"A-1"}' })))).toBe('{"supplementaryData":"{\\"order\\":\\"A-1\\"}"}');
    // Intent, pending flag or address without an amount: neither the setup nor a charge.
    for (const [k, v] of [
      ['paymentIntent', 'Authorize'],
      ['canHandlePendingAuthorization', true],
      ['billingAddress', { name: 'Susy S' }],
      ['totalOrderAmount', { amount: '1.00', currencyCode: 'USD' }],
    ] as const) {
      const r = CheckoutInput.safeParse({ ...setup, [k]: v });
      expect({ k, ok: r.success, path: r.error?.issues[0]?.path, msg: r.error?.issues[0]?.message }).toEqual({
        k,
        ok: false,
        path: [k],
        msg: expect.stringMatching(/saved-wallet setup .* confirms with the body \{\}/),
      });
    }
    // Other charge permission types always charge: the amount is required, with a hint at the setup shape.
    const oneTime = CheckoutInput.safeParse({ ...base, flow: 'finalize' });
    expect(oneTime.error?.issues.map((i) => i.path[0])).toEqual(['chargeAmount', 'paymentIntent', 'shippingAddress']);
    const pmofIntent = CheckoutInput.safeParse({ ...setup, chargeAmount: { amount: '5.00', currencyCode: 'USD' } });
    expect(pmofIntent.error?.issues.map((i) => i.path[0])).toEqual(['paymentIntent', 'shippingAddress']);
  });

  it('builds the same body every time, with only the fields of its flow', () => {
    const input = CheckoutInput.parse({ ...base, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' } });
    expect(JSON.stringify(confirmBody(input))).toBe('{"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}');
    const wallet = CheckoutInput.parse({ ...base, flow: 'complete', chargePermissionType: 'PaymentMethodOnFile' });
    expect(confirmBody(wallet)).toEqual({});
  });

  it('formats and parses workflow IDs in one place', () => {
    expect(checkoutWorkflowId('abc')).toBe('checkout-session-abc');
    expect(sessionIdFromWorkflowId('checkout-session-abc')).toBe('abc');
    expect(sessionIdFromWorkflowId('other-abc')).toBeUndefined();
  });
});

describe('money in the input', () => {
  it('follows the currency’s precision', () => {
    const m = (amount: string, currencyCode: string) =>
      CheckoutInput.safeParse({ ...base, flow: 'complete', chargeAmount: { amount, currencyCode } }).success;
    expect(m('1500', 'JPY')).toBe(true);
    expect(m('1.5', 'JPY')).toBe(false);
    expect(m('14.00', 'USD')).toBe(true);
    expect(m('14.001', 'USD')).toBe(false);
    expect(m('1.234', 'KWD')).toBe(true);
  });
});
