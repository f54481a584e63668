import { describe, expect, it } from '@jest/globals';
import {
  MoneySchema,
  currencyExponent,
  formatMinorUnits,
  sameAmount,
  toMinorUnits,
} from '../../../domain/money';

describe('currencyExponent', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['KWD', 3],
    ['XYZ', 2],
  ])('%s has %i decimals', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });
});

describe('toMinorUnits', () => {
  it.each([
    ['14.00', 'USD', 1400],
    ['14', 'USD', 1400],
    ['14.5', 'USD', 1450],
    ['0.05', 'EUR', 5],
    ['0', 'USD', 0],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER],
  ])('%s %s is %i', (amount, currencyCode, minor) => {
    expect(toMinorUnits({ amount, currencyCode })).toBe(minor);
  });

  it.each([
    ['1e3', 'USD', /decimal string/],
    ['-1', 'USD', /decimal string/],
    ['+1', 'USD', /decimal string/],
    ['1.', 'USD', /decimal string/],
    ['.5', 'USD', /decimal string/],
    [' 1', 'USD', /decimal string/],
    ['', 'USD', /decimal string/],
    ['1,00', 'EUR', /decimal string/],
    ['0x10', 'USD', /decimal string/],
    ['Infinity', 'USD', /decimal string/],
    ['1.234', 'USD', /3 decimal places, the currency allows 2/],
    ['1.5', 'JPY', /1 decimal places, the currency allows 0/],
    ['1.0', 'JPY', /the currency allows 0/],
    ['90071992547409.92', 'USD', /safe integer/],
    ['14.00', 'usd', /currency code/],
    ['14.00', 'US', /currency code/],
  ])('rejects %j %s', (amount, currencyCode, message) => {
    expect(() => toMinorUnits({ amount, currencyCode })).toThrow(message);
  });

  it('rejects a number smuggled in as the amount', () => {
    expect(() => toMinorUnits({ amount: 14 as unknown as string, currencyCode: 'USD' })).toThrow(/decimal string/);
  });
});

describe('formatMinorUnits', () => {
  it.each([
    [1400, 'USD', '14.00'],
    [5, 'USD', '0.05'],
    [0, 'EUR', '0.00'],
    [1500, 'JPY', '1500'],
    [1, 'KWD', '0.001'],
  ])('%i %s is %s', (minor, code, text) => {
    expect(formatMinorUnits(minor, code)).toBe(text);
    expect(toMinorUnits({ amount: text, currencyCode: code })).toBe(minor);
  });

  it.each([1.5, -1, Number.MAX_SAFE_INTEGER + 1, Number.NaN])('rejects %p', (minor) => {
    expect(() => formatMinorUnits(minor, 'USD')).toThrow(RangeError);
  });
});

describe('sameAmount', () => {
  it('treats "14" and "14.00" as the same USD amount', () => {
    expect(sameAmount({ amount: '14', currencyCode: 'USD' }, { amount: '14.00', currencyCode: 'USD' })).toBe(true);
  });

  it('differs by value or by currency', () => {
    expect(sameAmount({ amount: '14.01', currencyCode: 'USD' }, { amount: '14.00', currencyCode: 'USD' })).toBe(false);
    expect(sameAmount({ amount: '14.00', currencyCode: 'EUR' }, { amount: '14.00', currencyCode: 'USD' })).toBe(false);
  });
});

describe('MoneySchema', () => {
  it('accepts well-formed amounts and rejects too many decimals for the currency', () => {
    expect(MoneySchema.safeParse({ amount: '1500', currencyCode: 'JPY' }).success).toBe(true);
    expect(MoneySchema.safeParse({ amount: '14.00', currencyCode: 'USD' }).success).toBe(true);
    expect(MoneySchema.safeParse({ amount: '1.5', currencyCode: 'JPY' }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: '1e3', currencyCode: 'USD' }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: 14, currencyCode: 'USD' }).success).toBe(false);
  });
});
