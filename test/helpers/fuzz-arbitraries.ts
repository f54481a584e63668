// Shared fast-check arbitraries and run settings for the fuzz tests (test/integration/http/fuzz.test.ts and
// test/unit/cli/args-fuzz.test.ts): nasty strings, near-valid checkout inputs with one field mutated, raw JSON bodies,
// query strings and headers. No harness imports: the unit project uses this file too.
//
// Replay a failure: FUZZ_SEED=<seed> (and FUZZ_PATH=<path> from fast-check's report to go straight to the shrunk
// counterexample); scale with FUZZ_RUNS=<runs per property>.
import fc from 'fast-check';
import { DEMO_ADDRESS } from '../../dev/fixtures';
import { AMAZON_PAY_CURRENCIES } from '../../domain/money';

/** Runs per property: FUZZ_RUNS, else `fallback` (small enough for `npm test`). */
export function fuzzRuns(fallback: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** FUZZ_SEED, else a fresh 32-bit seed; printed by each fuzz file so any run can be replayed. */
export function fuzzSeed(): number {
  const n = Number(process.env.FUZZ_SEED);
  return Number.isInteger(n) && n !== 0 ? n : (Math.random() * 0x7fffffff) | 0 || 1;
}

/** fc.assert parameters: the seed, the runs, FUZZ_PATH when replaying, and a time budget that keeps shrinking bounded. */
export function fuzzParameters<T>(seed: number, numRuns: number, budgetMs: number): fc.Parameters<T> {
  return {
    seed,
    numRuns,
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    plugins: [fc.interruptAfterTimeLimit(budgetMs)],
    // fast-check's own report (seed, path, shrunk case, cause), with every long value cut so it stays readable.
    reporter(details) {
      if (!details.failed) return;
      const cause =
        details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const report = `${fc.defaultReportMessage(details) ?? 'property failed'}\nCause: ${cause}`;
      throw new Error(
        report
          .replace(/(.)\1{40,}/g, (run, c: string) => `${c.repeat(8)}…(${run.length}×)`)
          .replace(/[^\n]{2000,}/g, (l) => clip(l, 2000)),
      );
    },
  };
}

/** A string with `len` units at most, for messages and reports. */
export const clip = (s: string, len = 300): string => (s.length > len ? `${s.slice(0, len)}… (${s.length} chars)` : s);

// ---------------------------------------------------------------------------------------------------------------
// Strings

const SPECIAL_CHARS = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009f',
  '\u00a0',
  '\u00ad',
  '\u2028',
  '\u2029',
  '\u200b',
  '\u200d',
  '\u202e',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  'İ',
  'ß',
  'ﬀ',
  'Ω',
  'Ⅻ',
  '１',
  '٣',
  '\u0301',
  'ｕ',
  '$',
  '%',
  '/',
  '\\',
  '.',
  '..',
  '"',
  "'",
  '`',
  '<',
  '>',
  '&',
  '?',
  '#',
  '=',
  '+',
  ' ',
  ';',
  ',',
  ':',
  '@',
  '{',
  '}',
  '[',
  ']',
  '|',
  '^',
  '~',
  '*',
  '-',
  '_',
];

/** One unit of a nasty string: any code point, a control or format character, a lone surrogate or a URL/JSON metachar. */
export const nastyUnit: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), weight: 1 },
  { arbitrary: fc.constantFrom(...SPECIAL_CHARS), weight: 3 },
);

const FIXED_NASTY = [
  '',
  ' ',
  '0',
  '-1',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  '$gt',
  '{"$gt":""}',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '/dev/stdin',
  'C:\\Windows\\win.ini',
  'http://evil.example/x',
  '//evil.example',
  'javascript:alert(1)',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '%00',
  '%',
  '%zz',
  '%E0%A4',
  '\r\nSet-Cookie: x=1',
  'a'.repeat(101),
  'A'.repeat(100),
  '0'.repeat(400),
  '9'.repeat(40),
  '1e309',
  '-0',
  '0x10',
  ' 5',
  '5.0',
  'checkout-session-',
  'ＵＳＤ',
  '١٢٣',
  'Ｂｅａｒｅｒ',
];

/** Large strings, to reach bounds (100-character IDs, 1 KiB fields, the 64 KiB body limit, header sizes). */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('a', '0', 'Ω', '\u0000', '😀', '-', '%', 'ab-'),
    fc.constantFrom(99, 100, 101, 257, 1025, 5_000, 70_000, 200_000),
  )
  .map(([c, n]) => c.repeat(Math.ceil(n / c.length)).slice(0, n));

/** Short strings of any kind: random code points, controls, lone surrogates, metacharacters, a few known-bad values. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: nastyUnit, maxLength: 24 }), weight: 6 },
  { arbitrary: fc.constantFrom(...FIXED_NASTY), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 2 },
  { arbitrary: hugeString, weight: 1 },
);

/** Suffixes that keep a session ID syntactically valid (letters, digits, dashes; short enough for the 100 bound). */
export const validIdSuffix: fc.Arbitrary<string> = fc.stringMatching(/^[A-Za-z0-9-]{0,40}$/);

/**
 * The placeholder for a session ID's prefix: the HTTP fuzzer swaps it for one of the same length unique to each case.
 * Letters only, so it survives percent-encoding and starts a valid ID.
 */
export const FUZZ_TOKEN = 'FUZZSESSIONTOKEN';

/** Amazon's checkoutSessionId shape (CheckoutSessionId): a generated ID of this shape always carries the token. */
const VALID_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;

/**
 * Session IDs as the tests send them. `token` is a placeholder the HTTP fuzzer replaces by a unique per-case prefix
 * (so nothing ever addresses a real session and every ID can be found in Temporal and MongoDB afterwards).
 */
export function sessionIdArb(token: string = FUZZ_TOKEN): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: validIdSuffix.map((s) => `${token}${s}`), weight: 8 },
    {
      arbitrary: fc
        .tuple(nastyString, fc.boolean())
        .map(([s, withToken]) => (withToken || VALID_ID.test(s) ? `${token}${s}` : s)),
      weight: 3,
    },
    {
      arbitrary: fc.constantFrom(100, 101, 1000).map((n) => `${token}${'a'.repeat(Math.max(0, n - token.length))}`),
      weight: 1,
    },
    { arbitrary: fc.constantFrom('', '-abc', 'a_b', 'a.b', 'a/b', '..', '.', 'a b', 'a%2Fb', 'ａ'), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// JSON values

/** Objects with keys a body must never carry: `$` operators and prototype names, at the top or nested. */
export const forbiddenKeyObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.constantFrom('$gt', '$where', '$set', '$', '__proto__', 'constructor', 'prototype', '$ne'),
    fc.jsonValue({ maxDepth: 1 }),
  )
  .map(([k, v]) => defineKey({}, k, v));

/** Arrays or objects nested `depth` deep (the body parser refuses more than 64 levels; JSON.parse has no limit). */
export const deeplyNested: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(63, 64, 65, 66, 200, 3000), fc.boolean())
  .map(([depth, arrays]) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
    return v;
  });

const NASTY_NUMBERS = [
  -1,
  0,
  -0,
  1,
  0.001,
  1e3,
  14,
  14.5,
  1e21,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 31,
  -(2 ** 31),
  2 ** 53,
  7 * 24 * 3600_000 + 1,
  24 * 3600_000 + 1,
];

/** Any JSON value, with the values a validator most often gets wrong over-represented. */
export const nastyJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: nastyString, weight: 4 },
  { arbitrary: fc.constantFrom(...NASTY_NUMBERS), weight: 2 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}, [null], ['USD'], { amount: '1' }), weight: 2 },
  { arbitrary: forbiddenKeyObject, weight: 1 },
  { arbitrary: deeplyNested, weight: 1 },
);

/** Sets an own enumerable key, `__proto__` included (an assignment would set the prototype instead). */
export function defineKey<T extends object>(o: T, key: string, value: unknown): T {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Checkout inputs

const validMoney = fc
  .tuple(
    fc.constantFrom(...AMAZON_PAY_CURRENCIES),
    fc.integer({ min: 1, max: 99_999 }),
    fc.integer({ min: 0, max: 99 }),
  )
  .map(([currencyCode, whole, cents]) => ({
    amount: currencyCode === 'JPY' ? String(whole) : `${whole}.${String(cents).padStart(2, '0')}`,
    currencyCode,
  }));

/** A deadline inside the session's 24-hour life, computed when the value is generated. */
const validDeadline = fc
  .integer({ min: 10 * 60_000, max: 23 * 3600_000 })
  .map((ms) => new Date(Date.now() + ms).toISOString());

/** Inputs that CheckoutInput accepts (complete, finalize, the saved-wallet setup), for the session ID given. */
export function validCheckoutInput(id: fc.Arbitrary<string>): fc.Arbitrary<Record<string, unknown>> {
  const complete = fc.record(
    {
      checkoutSessionId: id,
      flow: fc.constant('complete'),
      chargePermissionType: fc.constantFrom('OneTime', 'Recurring'),
      chargeAmount: validMoney,
      deadline: validDeadline,
      merchantReferenceId: fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/),
      pending: fc.constant({ maxWaitMs: 60_000, initialPollMs: 30_000, maxPollMs: 60_000 }),
      recovery: fc.constant({ enabled: false }),
    },
    { requiredKeys: ['checkoutSessionId', 'flow', 'chargeAmount', 'deadline'] },
  );
  const finalize = fc.record(
    {
      checkoutSessionId: id,
      flow: fc.constant('finalize'),
      chargeAmount: validMoney,
      paymentIntent: fc.constantFrom('Confirm', 'Authorize', 'AuthorizeWithCapture'),
      canHandlePendingAuthorization: fc.boolean(),
      shippingAddress: fc.constant({ ...DEMO_ADDRESS }),
      billingAddress: fc.constant({ ...DEMO_ADDRESS }),
      supplementaryData: fc.constant('{"note":"fuzz"}'),
      deadline: validDeadline,
    },
    { requiredKeys: ['checkoutSessionId', 'flow', 'chargeAmount', 'paymentIntent', 'shippingAddress', 'deadline'] },
  );
  const setup = fc.record({
    checkoutSessionId: id,
    flow: fc.constant('complete'),
    chargePermissionType: fc.constant('PaymentMethodOnFile'),
    deadline: validDeadline,
  });
  return fc.oneof(complete, finalize, setup);
}

const AMOUNTS = [
  '-1',
  '1e3',
  '0.001',
  '1.',
  '.5',
  '00.10',
  '0',
  '0.00',
  '01',
  '1.23456',
  '1234567890123',
  '999999999999.9999',
  '14.00 ',
  ' 14.00',
  '14,00',
  '+14',
  '１４',
  '14.0\n',
  '0x10',
  'NaN',
  'Infinity',
  '',
  '9'.repeat(400),
  '1.5',
];
const CURRENCIES = [
  'usd',
  'US',
  'USDD',
  'XYZ',
  'XXX',
  'BHD',
  'KWD',
  'CLP',
  'BTC',
  'ＵＳＤ',
  'US$',
  '',
  'EUR ',
  'eur',
  'JPY',
  'USD',
];
const DEADLINES: (() => unknown)[] = [
  () => new Date(Date.now() - 60_000).toISOString(),
  () => new Date(Date.now() + 25 * 3600_000).toISOString(),
  () => new Date(Date.now() + 24 * 3600_000 + 4 * 60_000).toISOString(),
  () => new Date(Date.now() + 48 * 3600_000).toISOString(),
  () => new Date(Date.now() + 3600_000).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, ''),
  () => new Date(Date.now() + 3600_000).toISOString().replace('Z', '+14:00'),
  () => 'tomorrow',
  () => '2026-02-31T00:00:00Z',
  () => '+275760-09-13T00:00:00.000Z',
  () => '9999-12-31T23:59:59Z',
  () => '1970-01-01T00:00:00Z',
  () => Date.now() + 3600_000,
  () => '20261301T000000Z',
];

/** Values aimed at one field: amounts, currencies, deadlines, then anything. */
const fieldValue = (path: readonly string[]): fc.Arbitrary<unknown> => {
  const last = path[path.length - 1];
  // A valid ID never comes without the token: every session a case can start is its own.
  if (last === 'checkoutSessionId')
    return fc.oneof(
      sessionIdArb(),
      nastyJsonValue.filter((v) => !(typeof v === 'string' && VALID_ID.test(v))),
    );
  const specific: fc.Arbitrary<unknown>[] = [];
  if (last === 'amount' || last === 'chargeAmount' || last === 'totalOrderAmount') {
    specific.push(fc.constantFrom(...AMOUNTS), fc.double({ noNaN: true, noDefaultInfinity: true }));
  }
  if (last === 'currencyCode' || last === 'chargeAmount' || last === 'totalOrderAmount')
    specific.push(fc.constantFrom(...CURRENCIES));
  if (last === 'deadline') specific.push(fc.constantFrom(...DEADLINES).map((f) => f()));
  if (last === 'chargeAmount' || last === 'totalOrderAmount') {
    specific.push(
      fc
        .tuple(fc.constantFrom(...AMOUNTS, '14.00', '1'), fc.constantFrom(...CURRENCIES, ...AMAZON_PAY_CURRENCIES))
        .map(([amount, currencyCode]) => ({ amount, currencyCode })),
    );
  }
  return specific.length > 0
    ? fc.oneof({ arbitrary: fc.oneof(...specific), weight: 3 }, { arbitrary: nastyJsonValue, weight: 1 })
    : nastyJsonValue;
};

const MUTABLE_PATHS: readonly (readonly string[])[] = [
  ['checkoutSessionId'],
  ['flow'],
  ['chargePermissionType'],
  ['chargeAmount'],
  ['chargeAmount', 'amount'],
  ['chargeAmount', 'currencyCode'],
  ['chargeAmount', 'extra'],
  ['totalOrderAmount'],
  ['paymentIntent'],
  ['canHandlePendingAuthorization'],
  ['shippingAddress'],
  ['shippingAddress', 'countryCode'],
  ['shippingAddress', 'extra'],
  ['billingAddress'],
  ['supplementaryData'],
  ['merchantReferenceId'],
  ['deadline'],
  ['pending'],
  ['pending', 'maxWaitMs'],
  ['pending', 'initialPollMs'],
  ['recovery'],
  ['recovery', 'graceMs'],
  ['recovery', 'enabled'],
  ['unknownKey'],
];

export type Mutation =
  | { kind: 'none' }
  | { kind: 'set'; path: readonly string[]; value: unknown }
  | { kind: 'delete'; path: readonly string[] }
  | { kind: 'forbiddenKey'; path: readonly string[]; key: string; value: unknown };

const pathArb = fc.constantFrom(...MUTABLE_PATHS);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
  {
    arbitrary: pathArb.chain((path) => fieldValue(path).map((value) => ({ kind: 'set' as const, path, value }))),
    weight: 12,
  },
  { arbitrary: pathArb.map((path) => ({ kind: 'delete' as const, path })), weight: 3 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom<readonly string[]>([], ['chargeAmount'], ['shippingAddress'], ['pending']),
        fc.constantFrom('$gt', '$set', '__proto__', 'constructor', 'prototype', '$'),
        fc.jsonValue({ maxDepth: 1 }),
      )
      .map(([path, key, value]) => ({ kind: 'forbiddenKey' as const, path, key, value })),
    weight: 2,
  },
);

/** `input` with one mutation applied (a deep copy; `__proto__` keys become own keys). */
export function applyMutation(input: Record<string, unknown>, m: Mutation): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
  if (m.kind === 'none') return out;
  const path = m.kind === 'forbiddenKey' ? [...m.path, m.key] : m.path;
  let target: Record<string, unknown> = out;
  for (const k of path.slice(0, -1)) {
    const next = target[k];
    if (!next || typeof next !== 'object' || Array.isArray(next)) defineKey(target, k, {});
    target = target[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (m.kind === 'delete') delete target[last];
  else defineKey(target, last, m.value);
  return out;
}

/** A valid checkout input with (usually) one field mutated: most are refused, a few stay valid. */
export function nearValidCheckoutInput(
  id: fc.Arbitrary<string>,
): fc.Arbitrary<{ input: Record<string, unknown>; mutation: Mutation }> {
  return fc
    .tuple(validCheckoutInput(id), mutationArb)
    .map(([base, mutation]) => ({ input: applyMutation(base, mutation), mutation }));
}

/** JSON text made invalid, or valid in ways a lenient parser handles differently. */
export function corruptJsonText(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(text, fc.integer({ min: 0, max: 7 }), fc.nat()).map(([t, how, n]) => {
    switch (how) {
      case 0:
        return t.slice(0, n % Math.max(1, t.length)); // truncated
      case 1:
        return `${t}garbage`;
      case 2:
        return `\ufeff${t}`; // byte order mark
      case 3:
        return t.replace(/^\{/, '{"__proto__":{"polluted":true},');
      case 4:
        return t.replace(/^\{/, '{"flow":"finalize",'); // duplicate key; the last one wins in JSON.parse
      case 5:
        return t.replace(/"/g, "'");
      case 6:
        return t.replace(/^\{/, '{"chargeAmount":NaN,');
      default:
        return `${' \n\t'.repeat(n % 50)}${t}${' '.repeat(n % 7)}`;
    }
  });
}

/** Bodies for the merchant routes: mostly near-valid inputs as JSON, and any other text. */
export function checkoutBodyText(id: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const nearValidJson = nearValidCheckoutInput(id).map(({ input }) => JSON.stringify(input));
  return fc.oneof(
    { arbitrary: nearValidJson, weight: 14 },
    { arbitrary: corruptJsonText(nearValidJson), weight: 3 },
    { arbitrary: nastyJsonValue.map((v) => JSON.stringify(v) ?? 'null'), weight: 2 },
    { arbitrary: nastyString, weight: 1 },
    { arbitrary: fc.constantFrom('', 'null', '[]', '{}', '""', '0', 'true', '{"checkoutSessionId":'), weight: 1 },
    {
      arbitrary: fc
        .constantFrom(66_000, 200_000)
        .map((n) => JSON.stringify({ checkoutSessionId: 'x', supplementaryData: 'x'.repeat(n) })),
      weight: 1,
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// URLs and headers

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD) except unreserved characters. */
export function percentEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Characters a client may send unencoded in a request target (no space, no `#`), `%` and `+` included. */
const rawUrlText = fc.string({
  unit: fc.constantFrom(...'abcXYZ019-._~%+&=/?[]$!*(),;:@\'"<>{}|\\^`'.split('')),
  maxLength: 30,
});

/** URL text for a value: encoded properly, as arbitrary (often invalid UTF-8) bytes, or raw with metacharacters. */
export function urlText(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: value.map(percentEncode), weight: 6 },
    {
      arbitrary: fc
        .uint8Array({ maxLength: 24 })
        .map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('')),
      weight: 1,
    },
    { arbitrary: rawUrlText, weight: 2 },
    {
      arbitrary: fc.constantFrom('%', '%zz', '%E0%A4', '%C0%AE%C0%AE%2F', '%00', '%2e%2e%2f', '%FF%FE', '..%2f', '%25'),
      weight: 1,
    },
  );
}

/** Query strings for the buyer routes: missing, repeated, empty, bracketed, unicode, control characters, huge. */
export function buyerQuery(id: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const key = fc.oneof(
    { arbitrary: fc.constant('amazonCheckoutSessionId'), weight: 10 },
    {
      arbitrary: fc.constantFrom(
        'amazonCheckoutSessionId[]',
        'amazonCheckoutSessionId[$ne]',
        'AMAZONCHECKOUTSESSIONID',
        'amazonCheckoutSessionId%00',
        '',
        '__proto__',
        'constructor',
        'amazonCheckoutSessionId.x',
      ),
      weight: 2,
    },
    { arbitrary: urlText(nastyString), weight: 1 },
  );
  const pair = fc
    .tuple(
      key,
      fc.oneof({ arbitrary: urlText(id), weight: 4 }, { arbitrary: urlText(nastyString), weight: 1 }),
      fc.boolean(),
    )
    .map(([k, v, withEquals]) => (withEquals ? `${k}=${v}` : k));
  return fc.oneof(
    { arbitrary: fc.array(pair, { minLength: 1, maxLength: 3 }).map((ps) => `?${ps.join('&')}`), weight: 10 },
    { arbitrary: fc.constantFrom('', '?', '?&', '?=', '?&&=&', '??amazonCheckoutSessionId=a'), weight: 1 },
    { arbitrary: hugeString.map((s) => `?amazonCheckoutSessionId=${percentEncode(s)}`), weight: 1 },
  );
}

/** Header values a client can send (visible ASCII, spaces, tabs, obs-text), sometimes huge. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), weight: 5 },
  {
    arbitrary: fc.string({
      unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
      maxLength: 8,
    }),
    weight: 1,
  },
  { arbitrary: fc.constantFrom(1_000, 16_000, 100_000).map((n) => 'v'.repeat(n)), weight: 1 },
);

const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'authorization',
  'accept',
  'host',
  'connection',
  'expect',
  'upgrade',
  'te',
  'trailer',
]);

/** Extra request headers with random names (HTTP tokens) and values. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,16}$/),
        fc.constantFrom(
          'x-forwarded-for',
          'x-real-ip',
          'cookie',
          'origin',
          'referer',
          'user-agent',
          'accept-encoding',
          'accept-charset',
          'x-amz-sns-message-type',
          'x-http-method-override',
          'forwarded',
        ),
      ),
      headerValue,
    ),
    { maxLength: 3 },
  )
  .map((pairs) => Object.fromEntries(pairs.filter(([k]) => !RESERVED_HEADERS.has(k))));

/** Content types, with what a server that takes JSON (and text/plain JSON, as SNS sends) should make of each. */
export const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  {
    arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain; charset=UTF-8'),
    weight: 8,
  },
  {
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'APPLICATION/JSON',
      'application/json;charset=UTF-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset="utf-8"',
      'text/plain',
      'Text/Plain; Charset=utf-8',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'application/xml',
      'text/html',
      'application/jsonx',
      'application/json-seq',
      'application/vnd.api+json',
      ';;;',
      'application/*',
      '*/*',
      ' application/json',
      'application/json ; charset=utf-8',
      'application/octet-stream',
      'text/plainx',
      'json',
    ),
    weight: 4,
  },
  { arbitrary: fc.constantFrom(1_000, 20_000).map((n) => `application/json; ${'x'.repeat(n)}=1`), weight: 1 },
  { arbitrary: headerValue, weight: 1 },
);

/** Accept headers: JSON, browser-like, missing, odd. */
export const acceptArb: fc.Arbitrary<string | undefined> = fc.oneof(
  {
    arbitrary: fc.constantFrom(undefined, 'application/json', 'text/html,application/xhtml+xml,*/*;q=0.8', '*/*'),
    weight: 6,
  },
  {
    arbitrary: fc.constantFrom(
      'text/html,application/json',
      'application/json;q=0',
      'APPLICATION/JSON',
      'application/problem+json',
      'text/plain',
      'image/png',
      '',
    ),
    weight: 2,
  },
  { arbitrary: headerValue, weight: 1 },
);
