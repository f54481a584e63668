// The postal address, declared once (DESIGN.md, "two shared homes"): Amazon's address fields (reference §3). What we
// send (the finalize body, the workflow input) is strict and bounded; what Amazon answers is read leniently, so an
// extra or null field never hides a buyer's address.
import { z } from 'zod';
import { builtOnce } from './built-once';

export const ADDRESS_FIELDS = [
  'name',
  'addressLine1',
  'addressLine2',
  'addressLine3',
  'city',
  'county',
  'district',
  'stateOrRegion',
  'postalCode',
  'countryCode',
  'phoneNumber',
] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];

function addressShape<T extends z.ZodType>(field: T): Record<AddressField, T> {
  return Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, field])) as Record<AddressField, T>;
}

// Built once per worker thread, not once per workflow run (domain/built-once.ts).
const schemas = builtOnce('domain/address', () => ({
  /** An address we send: known fields only, each a bounded string or null. */
  Address: z.strictObject(addressShape(z.string().max(500).nullish())),
  /** An address Amazon answers with: unknown fields kept, every field optional. */
  AmazonAddress: z.looseObject(addressShape(z.string().nullish())),
}));

export const { Address, AmazonAddress } = schemas;
export type Address = z.infer<typeof Address>;
export type AmazonAddress = z.infer<typeof AmazonAddress>;
