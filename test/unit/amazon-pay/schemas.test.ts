import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ChargePermissionSchema,
  ChargeSchema,
  CheckoutSessionSchema,
  CompleteCheckoutSessionBodySchema,
  ErrorBodySchema,
  FinalizeCheckoutSessionBodySchema,
} from '../../../activities/amazon-pay/schemas';

const SEEDS = join(__dirname, 'seeds');

/**
 * The response example of a seed page: the last object that opens on a line of its own, up to its matching brace,
 * with `// ...` comments removed (seed 000 has `"supplementaryData":null, // Amazon Pay system data`).
 */
function seedResponse(file: string): unknown {
  const text = readFileSync(join(SEEDS, file), 'utf8');
  const starts = [...text.matchAll(/^\{\s*$/gm)];
  const start = starts.at(-1)?.index;
  if (start === undefined) return undefined;
  let depth = 0;
  let inString = false;
  let end = -1;
  for (let i = start; i < text.length && end < 0; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) end = i;
  }
  const json = text.slice(start, end + 1).replace(/\s*\/\/[^\n"]*$/gm, '');
  return JSON.parse(json) as unknown;
}

const seedFiles = readdirSync(SEEDS)
  .filter((f) => f.endsWith('.txt'))
  .sort();

describe('seed responses (Amazon Pay documentation examples)', () => {
  it('has a response example in pages 000-003 (004 has none)', () => {
    expect(seedFiles.filter((f) => seedResponse(f) !== undefined)).toEqual([
      expect.stringMatching(/^000_/),
      expect.stringMatching(/^001_/),
      expect.stringMatching(/^002_/),
      expect.stringMatching(/^003_/),
    ]);
  });

  it.each(seedFiles.filter((f) => !f.startsWith('004_')))('%s parses as a CheckoutSession', (file) => {
    const parsed = CheckoutSessionSchema.safeParse(seedResponse(file));
    if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
    expect(parsed.data.checkoutSessionId).toBe('bd504926-f659-4ad7-a1a9-9a747aaf5275');
    expect(parsed.data.statusDetails.state).toBe('Completed');
    expect(parsed.data.chargePermissionId).toMatch(/^[SB]01-/);
  });

  it('reads seed 000\'s "chargeId": "null" as null and keeps unknown fields', () => {
    const s = CheckoutSessionSchema.parse(seedResponse('000_a5dacecfcd1ef482.txt'));
    expect(s.chargeId).toBeNull();
    expect(s.chargePermissionType).toBe('PaymentMethodOnFile');
    expect(s.paymentMethodOnFileMetadata?.setupOnly).toBe(true);
    expect(s.paymentPreferences).toEqual([null]);
    expect(s.constraints).toEqual([null]);
  });

  it('reads seed 002 (saved wallet): buyer, addresses, constraints null', () => {
    const s = CheckoutSessionSchema.parse(seedResponse('002_d78dd471eccec8ab.txt'));
    expect(s.chargeId).toBeNull();
    expect(s.constraints).toBeNull();
    expect(s.buyer?.primeMembershipTypes).toBeNull();
    expect(s.shippingAddress?.addressLine3).toBeNull();
    expect(s.billingAddress?.postalCode).toBe('98121');
  });

  it('reads seed 003 (finalize): top-level paymentDescriptor and chargeId', () => {
    const s = CheckoutSessionSchema.parse(seedResponse('003_30ac8e81979705d2.txt'));
    expect(s.paymentDescriptor).toBe('Amazon Pay Visa (1111)');
    expect(s.chargeId).toBe('S01-5105180-3221187-C056351');
  });
});

describe('CheckoutSessionSchema', () => {
  const open = {
    checkoutSessionId: 'bd504926-f659-4ad7-a1a9-9a747aaf5275',
    statusDetails: {
      state: 'Open',
      reasonCode: null,
      reasonDescription: null,
      lastUpdatedTimestamp: '20200908T221012Z',
    },
  };

  it('parses shippingAddressList JSON strings into addresses', () => {
    const s = CheckoutSessionSchema.parse({
      ...open,
      shippingAddressList: [JSON.stringify({ name: 'A', city: 'Seattle' }), 'not json'],
    });
    expect(s.shippingAddressList).toEqual([{ name: 'A', city: 'Seattle' }, 'not json']);
  });

  it('reads "true"/"false" strings as booleans in paymentDetails', () => {
    const s = CheckoutSessionSchema.parse({
      ...open,
      paymentDetails: {
        paymentIntent: 'Authorize',
        canHandlePendingAuthorization: 'false',
        chargeAmount: { amount: '14.00', currencyCode: 'USD' },
      },
    });
    expect(s.paymentDetails?.canHandlePendingAuthorization).toBe(false);
  });

  it('requires a known state', () => {
    expect(CheckoutSessionSchema.safeParse({ ...open, statusDetails: { state: 'Weird' } }).success).toBe(false);
    expect(CheckoutSessionSchema.safeParse({ checkoutSessionId: 'x' }).success).toBe(false);
  });
});

describe('Charge and ChargePermission', () => {
  it('parses a pending charge', () => {
    const c = ChargeSchema.parse({
      chargeId: 'S01-1234567-1234567-C123456',
      chargePermissionId: 'S01-1234567-1234567',
      chargeAmount: { amount: '14.00', currencyCode: 'USD' },
      captureAmount: null,
      refundedAmount: null,
      statusDetails: { state: 'AuthorizationInitiated', reasonCode: null, lastUpdatedTimestamp: '20200908T221012Z' },
      releaseEnvironment: 'Sandbox',
    });
    expect(c.statusDetails.state).toBe('AuthorizationInitiated');
  });

  it('parses a charge permission with a reasons array or null', () => {
    const base = { chargePermissionId: 'S01-1234567-1234567', chargePermissionType: 'OneTime' };
    const closed = ChargePermissionSchema.parse({
      ...base,
      statusDetails: { state: 'Closed', reasons: [{ reasonCode: 'MerchantClosed', reasonDescription: null }] },
    });
    expect(closed.statusDetails.reasons?.[0]?.reasonCode).toBe('MerchantClosed');
    const ok = ChargePermissionSchema.parse({ ...base, statusDetails: { state: 'Chargeable', reasons: null } });
    expect(ok.statusDetails.reasons).toBeNull();
  });
});

describe('request bodies', () => {
  it('accepts {} for a saved-wallet complete and rejects misspelt fields', () => {
    expect(CompleteCheckoutSessionBodySchema.safeParse({}).success).toBe(true);
    expect(CompleteCheckoutSessionBodySchema.safeParse({ chargeAmmount: {} }).success).toBe(false);
  });

  it('requires chargeAmount and paymentIntent on finalize (seed 003 field list)', () => {
    const body = {
      chargeAmount: { amount: '14', currencyCode: 'USD' },
      paymentIntent: 'AuthorizeWithCapture',
      canHandlePendingAuthorization: false,
      shippingAddress: { name: 'Susy S', addressLine1: '11 Ditka Ave', county: null, countryCode: 'US' },
    };
    expect(FinalizeCheckoutSessionBodySchema.safeParse(body).success).toBe(true);
    expect(FinalizeCheckoutSessionBodySchema.safeParse({ ...body, paymentIntent: undefined }).success).toBe(false);
    expect(
      FinalizeCheckoutSessionBodySchema.safeParse({ ...body, chargeAmount: { amount: '14.001', currencyCode: 'USD' } })
        .success,
    ).toBe(false);
  });

  it('accepts the saved-wallet setup finalize of seed 000 ({}, supplementaryData optional) and nothing half-charged', () => {
    expect(FinalizeCheckoutSessionBodySchema.safeParse({}).success).toBe(true);
    expect(FinalizeCheckoutSessionBodySchema.safeParse({ supplementaryData: '{"a":1}' }).success).toBe(true);
    expect(FinalizeCheckoutSessionBodySchema.safeParse({ paymentIntent: 'Authorize' }).success).toBe(false);
    expect(FinalizeCheckoutSessionBodySchema.safeParse({ chargeAmount: { amount: '14', currencyCode: 'USD' } }).success).toBe(false);
  });

  it('parses an error body', () => {
    expect(ErrorBodySchema.parse({ reasonCode: 'InvalidParameterValue', message: 'x' }).reasonCode).toBe(
      'InvalidParameterValue',
    );
  });
});
