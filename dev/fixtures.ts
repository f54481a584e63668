// The demo buyer and address that the test harness, the benchmarks and the soak give the emulator (the emulator keeps
// its own defaults: it imports nothing of ours). One place, so a test that looks for this buyer's data in a history or
// a log looks for what was really sent.
export const DEMO_ADDRESS = Object.freeze({
  name: 'Susie Smith',
  addressLine1: '10 Ditka Ave',
  addressLine2: 'Suite 2500',
  city: 'Chicago',
  stateOrRegion: 'IL',
  postalCode: '60602',
  countryCode: 'US',
  phoneNumber: '800-000-0000',
});

/** The buyer's profile; `buyerId` is the caller's (one per session where that matters). */
export const demoBuyer = (buyerId: string) => ({ buyerId, name: 'Susie Smith', email: 'susie@example.com', phoneNumber: '800-000-0000' });
