import { randomInt } from 'node:crypto';
import type { Address, ChargeCounters, MerchantMetadata, SessionCounters } from './model';

// The scripted buyer side (README, "Where it is not Amazon"): fixed addresses and generated ids.

export const DEFAULT_SHIPPING: Address = {
  name: 'Susie Smith',
  addressLine1: '10 Ditka Ave',
  addressLine2: 'Suite 2500',
  addressLine3: null,
  city: 'Chicago',
  county: null,
  district: null,
  stateOrRegion: 'IL',
  postalCode: '60602',
  countryCode: 'US',
  phoneNumber: '800-000-0000',
};

export const DEFAULT_BILLING: Address = {
  name: 'Work',
  addressLine1: '440 Terry Ave',
  addressLine2: '',
  addressLine3: '',
  city: 'Seattle',
  county: 'King',
  district: 'Seattle',
  stateOrRegion: 'WA',
  postalCode: '98121',
  countryCode: 'US',
  phoneNumber: '800-000-0000',
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomBuyerId(): string {
  let s = 'amzn1.account.';
  for (let i = 0; i < 28; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

export function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

export function emptyMerchantMetadata(): MerchantMetadata {
  return { merchantReferenceId: null, merchantStoreName: null, noteToBuyer: null, customInformation: null };
}

export function emptySessionCounters(): SessionCounters {
  return { getCalls: 0, updateCalls: 0, completeCalls: 0, finalizeCalls: 0, completeEffects: 0, finalizeEffects: 0 };
}

export function emptyChargeCounters(): ChargeCounters {
  return { getCalls: 0, captureCalls: 0, captureEffects: 0, cancelCalls: 0, cancelEffects: 0 };
}
