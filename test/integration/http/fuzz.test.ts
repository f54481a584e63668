// The fuzzer over every HTTP route (issue: hostile input at the public edges), on the real stack: generated bodies,
// paths, query strings, headers and content types go to a listening server over real HTTP. For every case: never a
// 5xx, a hang or a dropped connection; a 4xx is the `{ error, message }` JSON (the buyer's 404 page excepted); a
// success only for an input the schema and its bounds accept — and such an input is never refused. At the end,
// nothing was started in Temporal and nothing written to MongoDB but for the inputs that were accepted.
//
// `npm test` runs a few hundred cases; `npm run fuzz` (FUZZ_RUNS, default 2000 per property) runs long. A failure
// reports fast-check's seed, path and shrunk case; FUZZ_SEED=<seed> FUZZ_PATH=<path> replays it.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { parseCheckoutInput } from '../../../client/temporal/checkout';
import { loadHttpConfig } from '../../../client/http/config';
import { CheckoutSessionId, checkoutWorkflowId } from '../../../workflows/checkout-session';
import { createHarness, eventually, type Harness } from '../../helpers/checkout-harness';
import {
  FUZZ_TOKEN,
  acceptArb,
  buyerQuery,
  checkoutBodyText,
  clip,
  contentTypeArb,
  extraHeaders,
  fuzzParameters,
  fuzzRuns,
  fuzzSeed,
  hugeString,
  nastyJsonValue,
  nastyString,
  percentEncode,
  sessionIdArb,
  urlText,
} from '../../helpers/fuzz-arbitraries';
import {
  FAKE_SNS_CERT_URL,
  FAKE_SNS_TOPIC_ARN,
  TOKEN,
  fakeSns,
  listen,
  testApp,
  type FakeSns,
  type ListeningApp,
} from '../../helpers/http-app';

jest.setTimeout(600_000);

const SEED = fuzzSeed();
const RUN = `fz${randomBytes(3).toString('hex')}`;
let h: Harness;
let app: ListeningApp;
let sns: FakeSns;
const agent = new http.Agent({ keepAlive: false, maxSockets: 4 });
// The server's own bounds, as it judges a start.
const BOUNDS = loadHttpConfig({ MERCHANT_API_TOKEN: 'x'.repeat(32), MONGODB_URI: 'mongodb://127.0.0.1/x' });

beforeAll(async () => {
  // No worker: a started session waits for its return, so the test counts exactly what the routes started.
  h = await createHarness({ worker: false });
  sns = await fakeSns();
  const fetchCert = async (url: string) => {
    if (url === FAKE_SNS_CERT_URL) return sns.certPem;
    throw new Error(`the fuzzer fetches no certificate but its own (asked for ${url.slice(0, 80)})`);
  };
  app = await listen(testApp(h, { RETURN_WAIT_MS: '300', IPN_ALLOWED_TOPIC_ARNS: FAKE_SNS_TOPIC_ARN }, { fetchCert }));
  process.stdout.write(`fuzz: FUZZ_SEED=${SEED} runs=${fuzzRuns(0) || 'default'} ids=${RUN}…\n`);
});

afterAll(async () => {
  agent.destroy();
  // The accepted starts wait for a return that never comes: end them so the dev server keeps nothing running.
  for (const id of accepted)
    await h.client.workflow
      .getHandle(checkoutWorkflowId(id))
      .terminate('fuzz test over')
      .catch(() => undefined);
  await app?.close();
  await h?.close();
});

// ---------------------------------------------------------------------------------------------------------------
// Requests over raw HTTP (node:http sends the request target and headers as given; fetch would normalise them)

interface Req {
  route: 'start' | 'complete' | 'status' | 'return' | 'cancel' | 'ipn' | 'ops' | 'other';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Res {
  status: number;
  contentType: string;
  body: string;
}

let caseNo = 0;
const cases = { sent: 0, unsendable: 0, byStatus: new Map<number, number>() };

/** Gives the case its own session ID prefix (as long as the token, so length bounds stay where they were). */
function personalise(r: Req): { req: Req; prefix: string } {
  const prefix = `${RUN}${(caseNo++).toString(36).padStart(FUZZ_TOKEN.length - RUN.length - 1, '0')}-`;
  const swap = (s: string) => s.split(FUZZ_TOKEN).join(prefix);
  return { prefix, req: { ...r, path: swap(r.path), ...(r.body === undefined ? {} : { body: swap(r.body) }) } };
}

/** Sends one request; `undefined` when Node refuses to send it (an invalid header or target: not the server's doing). */
function send(r: Req): Promise<Res | undefined> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      req = http.request(
        { host: url.hostname, port: url.port, method: r.method, path: r.path, headers: r.headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_')) return resolve(undefined);
      return reject(err as Error);
    }
    req.setTimeout(25_000, () => req.destroy(new Error(`no answer within 25 s to ${r.method} ${clip(r.path, 120)}`)));
    req.on('error', reject);
    try {
      req.end(r.body);
    } catch (err) {
      req.destroy();
      if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_')) resolve(undefined);
      else reject(err as Error);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// What every answer must be

const accepted = new Set<string>();
const CANONICAL_JSON_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'text/plain; charset=UTF-8',
]);

function assertErrorShape(r: Req, res: Res): void {
  if (res.contentType.startsWith('text/html')) {
    // The buyer's browser gets a page for an unknown session; every other refusal is JSON.
    expect({ route: r.route, status: res.status }).toEqual({
      route: expect.stringMatching(/^(return|cancel)$/),
      status: 404,
    });
    return;
  }
  expect(res.contentType).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toEqual(expect.objectContaining({ error: expect.any(String), message: expect.any(String) }));
}

/** The input a start would be judged on, when the request is well formed (right token, a JSON media type, in bounds). */
function judgedInput(r: Req): { valid: boolean; id?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(r.body ?? '');
  } catch {
    return { valid: false };
  }
  const id =
    raw && typeof raw === 'object' && !Array.isArray(raw)
      ? (raw as { checkoutSessionId?: unknown }).checkoutSessionId
      : undefined;
  const idStr = typeof id === 'string' ? id : undefined;
  try {
    parseCheckoutInput(raw, { maxAmounts: BOUNDS.CHECKOUT_MAX_AMOUNTS, deadlineSkewMs: BOUNDS.DEADLINE_MAX_SKEW_MS });
    return { valid: true, ...(idStr ? { id: idStr } : {}) };
  } catch {
    return { valid: false, ...(idStr ? { id: idStr } : {}) };
  }
}

async function check(r0: Req): Promise<void> {
  const { req: r } = personalise(r0);
  const res = await send(r);
  if (!res) {
    cases.unsendable++;
    fc.pre(false);
    return;
  }
  cases.sent++;
  cases.byStatus.set(res.status, (cases.byStatus.get(res.status) ?? 0) + 1);
  const what = `${r.method} ${clip(r.path, 200)} → ${res.status} ${clip(res.body, 300)}`;
  expect({ what, serverError: res.status >= 500 }).toEqual({ what, serverError: false });
  if (res.status >= 400) assertErrorShape(r, res);

  if (r.route === 'start' || r.route === 'complete') {
    const input = judgedInput(r);
    const headerBytes = Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
    const wellFormed =
      r.headers.authorization === `Bearer ${TOKEN}` &&
      headerBytes < 15_000 && // Node's limit for all headers is 16 KiB (431 beyond it)
      CANONICAL_JSON_TYPES.has(r.headers['content-type'] ?? '') &&
      (r.route === 'start' || r.path === `/api/checkout-sessions/${input.id}/complete-checkout`);
    if (res.status < 300) {
      // A success only for what the schema and the bounds allow; it started (at most) that session.
      expect({ what, schemaAllows: input.valid }).toEqual({ what, schemaAllows: true });
      accepted.add(input.id!);
    } else {
      // ...and what they allow, well sent, is never refused.
      expect({ what, refusedAValidInput: input.valid && wellFormed }).toEqual({ what, refusedAValidInput: false });
    }
    if (res.status >= 400 && input.id && CheckoutSessionId.safeParse(input.id).success && !accepted.has(input.id)) {
      expect(await h.records.get(input.id)).toBeNull();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Generators per route

const authArb: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { arbitrary: fc.constant({ authorization: `Bearer ${TOKEN}` }), weight: 10 },
  {
    arbitrary: fc.constantFrom<Record<string, string>>(
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(1)}` },
      { authorization: `Basic ${Buffer.from(`a:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
      { authorization: `Bearer  ${TOKEN}` },
      { authorization: `Bearer ${'x'.repeat(5000)}` },
    ),
    weight: 2,
  },
);

const withBody = (headers: Record<string, string>, contentType: string | undefined, extra: Record<string, string>) => ({
  ...extra,
  ...headers,
  ...(contentType === undefined ? {} : { 'content-type': contentType }),
});

const startCase: fc.Arbitrary<Req> = fc
  .tuple(checkoutBodyText(sessionIdArb()), contentTypeArb, authArb, extraHeaders, acceptArb)
  .map(([body, ct, auth, extra, accept]) => ({
    route: 'start',
    method: 'POST',
    path: '/api/checkout-sessions',
    headers: withBody({ ...auth, ...(accept === undefined ? {} : { accept }) }, ct, extra),
    body,
  }));

/** Usually the body's own ID in the path (so the input is judged), else any ID or text. */
const completeCase: fc.Arbitrary<Req> = fc
  .tuple(
    checkoutBodyText(sessionIdArb()),
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: urlText(sessionIdArb()), weight: 1 }),
    contentTypeArb,
    authArb,
    extraHeaders,
  )
  .map(([body, pathId, ct, auth, extra]) => {
    let id: unknown;
    try {
      id = (JSON.parse(body) as { checkoutSessionId?: unknown }).checkoutSessionId;
    } catch {
      id = undefined;
    }
    const seg = pathId ?? (typeof id === 'string' ? percentEncode(id) : 'x');
    return {
      route: 'complete',
      method: 'POST',
      path: `/api/checkout-sessions/${seg}/complete-checkout`,
      headers: withBody(auth, ct, extra),
      body,
    };
  });

const statusCase: fc.Arbitrary<Req> = fc
  .tuple(urlText(sessionIdArb()), fc.oneof(fc.constant(''), buyerQuery(sessionIdArb())), authArb, extraHeaders)
  .map(([id, query, auth, extra]) => ({
    route: 'status',
    method: 'GET',
    path: `/api/checkout-sessions/${id}${query}`,
    headers: { ...extra, ...auth },
  }));

const buyerCase: fc.Arbitrary<Req> = fc
  .tuple(
    fc.constantFrom('return' as const, 'cancel' as const),
    buyerQuery(sessionIdArb()),
    acceptArb,
    extraHeaders,
    fc.constantFrom('GET', 'GET', 'GET', 'POST'),
  )
  .map(([route, query, accept, extra, method]) => ({
    route,
    method,
    path: `/checkout/${route}${query}`,
    headers: { ...extra, ...(accept === undefined ? {} : { accept }) },
  }));

const NOTIFICATION = fc.record(
  {
    NotificationReferenceId: fc.oneof(fc.uuid(), nastyString),
    MerchantID: fc.constantFrom('A1MERCHANT', ''),
    ObjectType: fc.oneof(
      fc.constantFrom('CHARGE', 'charge', 'REFUND', 'CHARGE_PERMISSION', 'CHECKOUT_SESSION'),
      nastyString,
    ),
    ObjectId: fc.oneof(
      sessionIdArb().map((s) => `S01-${s}`),
      nastyString,
    ),
    ChargePermissionId: fc.oneof(
      sessionIdArb().map((s) => `B01-${s}`),
      nastyString,
    ),
    NotificationType: fc.constantFrom('STATE_CHANGE', 'OTHER'),
    NotificationVersion: fc.constantFrom('V1', 'V2'),
  },
  { requiredKeys: [] },
);

const SIGNED_OVERRIDES: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      { Type: 'SubscriptionConfirmation', SubscribeURL: 'https://evil.example/subscribe', Token: 't' },
      { Type: 'UnsubscribeConfirmation' },
      { Type: 'Other' },
      { SignatureVersion: '1' },
      { SignatureVersion: '3' },
      { Timestamp: '2001-01-01T00:00:00Z' },
      { Timestamp: 'yesterday' },
      { TopicArn: 'arn:aws:sns:us-east-1:000000000000:other' },
      { SigningCertURL: 'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem' },
      { SigningCertURL: 'https://evil.example/SimpleNotificationService-0123456789abcdef.pem' },
      { SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-0.pem' },
      { Signature: 'AAAA' },
      { Signature: '' },
      { Message: 'not json' },
    ),
    weight: 3,
  },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'Type',
          'MessageId',
          'TopicArn',
          'Message',
          'Timestamp',
          'SignatureVersion',
          'Signature',
          'SigningCertURL',
        ),
        nastyJsonValue,
      )
      .map(([k, v]) => ({ [k]: v })),
    weight: 2,
  },
);

const ipnBody: fc.Arbitrary<string> = fc.oneof(
  // Signed by the fake SNS certificate: verified, then judged as Amazon's message (all of them name unknown charges).
  {
    arbitrary: fc
      .tuple(NOTIFICATION, SIGNED_OVERRIDES)
      .map(([m, over]) => JSON.stringify(sns.envelope(m, over as never))),
    weight: 5,
  },
  {
    arbitrary: fc
      .dictionary(
        fc.constantFrom(
          'Type',
          'Message',
          'Signature',
          'SigningCertURL',
          'SignatureVersion',
          'Timestamp',
          'TopicArn',
          'MessageId',
        ),
        nastyJsonValue,
      )
      .map((o) => JSON.stringify(o)),
    weight: 3,
  },
  { arbitrary: nastyJsonValue.map((v) => JSON.stringify(v) ?? 'null'), weight: 1 },
  { arbitrary: fc.oneof(nastyString, hugeString), weight: 1 },
);

const ipnCase: fc.Arbitrary<Req> = fc
  .tuple(
    ipnBody,
    contentTypeArb,
    extraHeaders,
    fc.constantFrom(undefined, 'Notification', 'SubscriptionConfirmation', 'Garbage'),
  )
  .map(([body, ct, extra, type]) => ({
    route: 'ipn',
    method: 'POST',
    path: '/amazon-pay/ipn',
    headers: withBody(type === undefined ? {} : { 'x-amz-sns-message-type': type }, ct, extra),
    body,
  }));

const opsCase: fc.Arbitrary<Req> = fc
  .tuple(
    fc.oneof(
      {
        arbitrary: fc.constantFrom('/healthz', '/readyz', '/metrics').map((p) => ({ route: 'ops' as const, p })),
        weight: 3,
      },
      {
        arbitrary: fc
          .oneof(
            fc.constantFrom(
              '/',
              '/api',
              '/api/checkout-sessions/',
              '/checkout',
              '/amazon-pay/ipn/',
              '//healthz',
              '/healthz/..',
              '/%2e%2e/etc/passwd',
              '/api/checkout-sessions/a/b/c',
            ),
            urlText(nastyString).map((s) => `/${s}`),
          )
          .map((p) => ({ route: 'other' as const, p })),
        weight: 2,
      },
    ),
    fc.oneof(fc.constant(''), buyerQuery(sessionIdArb())),
    fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND'),
    extraHeaders,
    authArb,
  )
  .map(([{ route, p }, query, method, extra, auth]) => ({
    route,
    method,
    path: `${p}${query}`,
    headers: { ...extra, ...auth },
  }));

// ---------------------------------------------------------------------------------------------------------------

const property = (arb: fc.Arbitrary<Req>) => fc.asyncProperty(arb, (r) => check(r));

describe(`fuzz (seed ${SEED})`, () => {
  it.each<[string, () => fc.Arbitrary<Req>, number]>([
    ['the merchant start: bodies, content types, tokens', () => startCase, 150],
    ['complete-checkout: bodies, the path’s ID against the body’s', () => completeCase, 60],
    ['the merchant status: path IDs, query strings', () => statusCase, 60],
    ['the buyer’s return and cancel: query strings, Accept, methods', () => buyerCase, 150],
    ['the IPN: signed and forged envelopes, bodies, content types', () => ipnCase, 100],
    ['health, readiness, metrics and routes that do not exist', () => opsCase, 60],
  ])('%s', async (_what, arb, runs) => {
    const n = fuzzRuns(runs);
    await fc.assert(property(arb()), fuzzParameters(SEED, n, Math.max(60_000, n * 200)));
  });

  it('nothing was started or written but for the inputs accepted', async () => {
    process.stdout.write(
      `fuzz: ${cases.sent} requests (${cases.unsendable} not sendable by Node), statuses ${JSON.stringify(Object.fromEntries([...cases.byStatus].sort()))}, ${accepted.size} starts accepted\n`,
    );
    expect(cases.sent).toBeGreaterThan(100);
    // Workflows on this test's task queue: exactly the accepted sessions (visibility catches up within seconds).
    const expected = [...accepted].map(checkoutWorkflowId).sort();
    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const w of h.client.workflow.list({ query: `TaskQueue = '${h.taskQueue}'` })) ids.push(w.workflowId);
      ids.sort();
      return JSON.stringify(ids) === JSON.stringify(expected) ? ids : undefined;
    }, 15_000).catch(() => undefined);
    if (!listed) {
      const ids: string[] = [];
      for await (const w of h.client.workflow.list({ query: `TaskQueue = '${h.taskQueue}'` })) ids.push(w.workflowId);
      expect(ids.sort()).toEqual(expected);
    }
    // Documents in this test's database: the accepted sessions' records only.
    const recordIds: string[] = [];
    for (const c of await h.db.listCollections().toArray()) {
      const docs = await h.db
        .collection(c.name)
        .find({}, { projection: { _id: 1, checkoutSessionId: 1 } })
        .toArray();
      for (const d of docs) recordIds.push(String((d as { checkoutSessionId?: unknown }).checkoutSessionId ?? d._id));
    }
    expect(recordIds.filter((id) => !accepted.has(id))).toEqual([]);
    expect(new Set(recordIds)).toEqual(accepted);
  });
});
