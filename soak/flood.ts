// `npm run flood -- [--legit n] [--garbage n] [--ipn n] [--real-returns n] [--flood-concurrency c] [--seed s]
//   [--max-p95-ratio x] [--out file.json]`: floods at the public edges change nothing (local only, bounded in count
// and time). On its own stack with the HTTP server's default limits live and keyed by X-Forwarded-For
// (HTTP_TRUST_PROXY=loopback), it runs legitimate checkouts alone (quiet), then the same number again while garbage
// returns and cancels and forged IPNs flood the server (flood), then thousands of concurrent returns for real
// sessions (storm). It prints statuses per kind, legitimate return → outcome p50/p95 quiet and under flood, the HTTP
// server's RSS and its /metrics counters, and checks: no 5xx but IPN cert_unavailable (SNS's "retry later"), every
// legitimate and stormed session Completed once, nothing started or written for the garbage. Exit 1 otherwise.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { DEMO_ADDRESS, demoBuyer } from '../dev/fixtures';
import { mulberry32, pick, type Random } from './prng';
import { startService, type Service } from './service';
import { sleep } from './drive';

const { values: v } = parseArgs({
  options: {
    legit: { type: 'string', default: '60' },
    garbage: { type: 'string', default: '20000' },
    ipn: { type: 'string', default: '5000' },
    'real-returns': { type: 'string', default: '500' },
    'flood-concurrency': { type: 'string', default: '24' },
    seed: { type: 'string', default: '1' },
    'max-p95-ratio': { type: 'string', default: '2' },
    'max-minutes': { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
const num = (k: keyof typeof v) => {
  const n = Number(v[k]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} must be a non-negative number`);
  return n;
};
const O = {
  legit: num('legit'),
  garbage: num('garbage'),
  ipn: num('ipn'),
  realReturns: num('real-returns'),
  floodConcurrency: num('flood-concurrency'),
  seed: num('seed'),
  maxP95Ratio: num('max-p95-ratio'),
  deadline: Date.now() + num('max-minutes') * 60_000,
};

type Kind = 'legit-quiet' | 'legit-flood' | 'garbage-return' | 'garbage-cancel' | 'forged-ipn' | 'storm-return';
const statuses: Record<string, Record<string, number>> = {};
const count = (kind: Kind, status: number | 'error') => {
  const k = (statuses[kind] ??= {});
  k[String(status)] = (k[String(status)] ?? 0) + 1;
};
const say = (l: string) => process.stderr.write(`[flood] ${l}\n`);
const firstErrors: Record<string, string> = {};

/** One request as a client at `address` would send it (X-Forwarded-For: the server trusts loopback proxies). */
async function send(svc: Service, kind: Kind, address: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`${svc.serviceUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { accept: 'application/json', 'x-forwarded-for': address, ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.text();
    count(kind, res.status);
    return { status: res.status, body };
  } catch (err) {
    count(kind, 'error');
    const cause = (err as Error & { cause?: Error }).cause;
    firstErrors[kind] ??= `${(err as Error).message}${cause ? `: ${cause.message}` : ''}`;
    throw err;
  }
}

const randomAddress = (rnd: Random) => `198.18.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 254) + 1}`;
const FLOODERS = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'];

/** A legitimate checkout: Amazon's session, the merchant's start, the buyer's approval, then the timed return. */
async function legitCheckout(svc: Service, kind: Kind, n: number, address: string): Promise<{ id: string; ms: number }> {
  const em = svc.emulator;
  const s = em.state.createCheckoutSession({
    publicKeyId: svc.publicKeyId,
    chargeAmount: { amount: '14.00', currencyCode: 'USD' },
    paymentIntent: 'AuthorizeWithCapture',
    buyer: demoBuyer(`flood-${n}`),
    shippingAddress: { ...DEMO_ADDRESS },
    billingAddress: { ...DEMO_ADDRESS },
    checkoutResultReturnUrl: `${svc.serviceUrl}/checkout/return`,
  } as never);
  const id = String(s.checkoutSessionId);
  em.state.buyerAction(id, { action: 'approve' });
  const input = { checkoutSessionId: id, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' }, deadline: new Date(Date.now() + 3600_000).toISOString() };
  const started = await send(svc, kind, address, '/api/checkout-sessions', {
    method: 'POST',
    headers: { authorization: `Bearer ${svc.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  if (started.status !== 201) throw new Error(`start ${id} answered ${started.status}: ${started.body.slice(0, 200)}`);
  const t0 = performance.now();
  for (;;) {
    const r = await send(svc, kind, address, `/checkout/return?amazonCheckoutSessionId=${id}`);
    const state = (JSON.parse(r.body || '{}') as { state?: string }).state;
    if (r.status === 200 && state === 'Completed') return { id, ms: performance.now() - t0 };
    if (r.status !== 202) throw new Error(`return ${id} answered ${r.status}: ${r.body.slice(0, 200)}`);
    if (Date.now() > O.deadline) throw new Error(`return ${id}: no outcome before the time bound`);
    await sleep(200);
  }
}

/** Runs `task(i)` for i < n with `concurrency` at once, or until `stop()` says so. */
async function loop(n: number, concurrency: number, task: (i: number) => Promise<unknown>, stop: () => boolean = () => false): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n && !stop() && Date.now() < O.deadline) await task(next++).catch(() => undefined);
    }),
  );
}

async function legitPhase(svc: Service, kind: Kind, base: number, ids: string[]): Promise<number[]> {
  const ms: number[] = [];
  await loop(O.legit, 8, async (i) => {
    const r = await legitCheckout(svc, kind, base + i, `10.1.${Math.floor((base + i) / 250)}.${((base + i) % 250) + 1}`);
    ids.push(r.id);
    ms.push(r.ms);
  });
  return ms.sort((a, b) => a - b);
}

const q = (xs: number[], p: number) => (xs.length ? Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!) : Number.NaN);

function garbageReturn(svc: Service, rnd: Random) {
  return (i: number) => {
    const kind = i % 3 === 0 ? 'garbage-cancel' : 'garbage-return';
    const id = pick(rnd, [
      [`S01-${randomBytes(8).toString('hex')}`, 6],
      ['x'.repeat(150), 1],
      ['a/b', 1],
      ['', 1],
    ] as const);
    const address = rnd() < 0.7 ? FLOODERS[i % FLOODERS.length]! : randomAddress(rnd);
    return send(svc, kind, address, `/checkout/${kind === 'garbage-cancel' ? 'cancel' : 'return'}?amazonCheckoutSessionId=${encodeURIComponent(id)}`);
  };
}

/** Forged IPNs: foreign certificate hosts, SNS-shaped certificate URLs (fetched at most once a minute each), junk. */
function forgedIpn(svc: Service, rnd: Random) {
  const snsUrls = Array.from({ length: 8 }, (_, k) => `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${k.toString(16).padStart(32, 'f')}.pem`);
  return (i: number) => {
    const envelope = {
      Type: 'Notification',
      MessageId: randomBytes(8).toString('hex'),
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:forged',
      Message: JSON.stringify({ ObjectType: 'CHARGE', ObjectId: `S01-${randomBytes(6).toString('hex')}-C01`, ChargePermissionId: 'S01-x' }),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
      Signature: randomBytes(256).toString('base64'),
      SigningCertURL: pick(rnd, [
        ['https://evil.example/SimpleNotificationService-0.pem', 4],
        [snsUrls[i % snsUrls.length]!, 3],
      ] as const),
    };
    const body = pick(rnd, [
      [JSON.stringify(envelope), 8],
      [JSON.stringify({ ...envelope, SignatureVersion: '9' }), 1],
      ['{"Type":', 1],
    ] as const);
    const address = rnd() < 0.7 ? FLOODERS[i % FLOODERS.length]! : randomAddress(rnd);
    return send(svc, 'forged-ipn', address, '/amazon-pay/ipn', { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8' }, body });
  };
}

/** RSS of the HTTP server now, MiB. */
async function httpRss(svc: Service): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${svc.procs.http!.pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

async function main(): Promise<number> {
  const rnd = mulberry32(O.seed);
  const svc = await startService({
    seed: O.seed,
    webhookFaultRate: 0,
    log: say,
    httpEnv: { HTTP_TRUST_PROXY: 'loopback', PUBLIC_RATE_LIMIT_PER_SEC: '10', PUBLIC_RATE_LIMIT_BURST: '50', IPN_RATE_LIMIT_PER_SEC: '50', IPN_RATE_LIMIT_BURST: '200' },
  });
  const mongo = await MongoClient.connect(svc.stack.mongodbUri);
  const problems: string[] = [];
  try {
    const sessions = mongo.db(svc.db).collection('checkoutSessions');
    const workflows = async () => (await svc.client.workflow.count(`TaskQueue = '${svc.taskQueue}'`)).count;
    const rss = { before: await httpRss(svc), peak: 0, after: 0 };
    const sampler = setInterval(() => void httpRss(svc).then((m) => (rss.peak = Math.max(rss.peak, m))), 500);

    // Warm-up (uncounted): the worker's first workflow tasks, the HTTP server's first requests.
    const legitIds: string[] = [];
    await loop(8, 8, async (i) => legitIds.push((await legitCheckout(svc, 'legit-quiet', 90_000 + i, `10.9.0.${i + 1}`)).id));
    for (const k of Object.keys(statuses)) delete statuses[k];

    // Quiet: legitimate checkouts alone.
    say(`quiet: ${O.legit} legitimate checkouts`);
    const quiet = await legitPhase(svc, 'legit-quiet', 0, legitIds);

    // Flood: the same again beside garbage returns and cancels and forged IPNs.
    say(`flood: ${O.legit} legitimate checkouts beside ${O.garbage} garbage returns/cancels and ${O.ipn} forged IPNs`);
    const t0 = performance.now();
    const floodLegit = legitPhase(svc, 'legit-flood', 10_000, legitIds);
    const half = Math.max(1, Math.floor(O.floodConcurrency / 2));
    await Promise.all([floodLegit, loop(O.garbage, half, garbageReturn(svc, rnd)), loop(O.ipn, half, forgedIpn(svc, rnd))]);
    const flood = await floodLegit;
    const floodS = (performance.now() - t0) / 1000;

    // Nothing started or written for the garbage: the legitimate sessions are all there is.
    const [wfAfterFlood, docsAfterFlood] = [await workflows(), await sessions.countDocuments({})];

    // Storm: real sessions, then all their returns at once (and each once more), each buyer from its own address.
    say(`storm: ${O.realReturns} started sessions, then all their returns at once`);
    const stormIds: string[] = [];
    const storm: number[] = [];
    await loop(O.realReturns, 16, async (i) => {
      const em = svc.emulator;
      const s = em.state.createCheckoutSession({ publicKeyId: svc.publicKeyId, chargeAmount: { amount: '9.99', currencyCode: 'USD' }, paymentIntent: 'AuthorizeWithCapture', buyer: demoBuyer(`storm-${i}`), shippingAddress: { ...DEMO_ADDRESS }, billingAddress: { ...DEMO_ADDRESS }, checkoutResultReturnUrl: `${svc.serviceUrl}/checkout/return` } as never);
      const id = String(s.checkoutSessionId);
      em.state.buyerAction(id, { action: 'approve' });
      const r = await send(svc, 'storm-return', `10.2.${Math.floor(i / 250)}.${(i % 250) + 1}`, '/api/checkout-sessions', {
        method: 'POST',
        headers: { authorization: `Bearer ${svc.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ checkoutSessionId: id, flow: 'complete', chargeAmount: { amount: '9.99', currencyCode: 'USD' }, deadline: new Date(Date.now() + 3600_000).toISOString() }),
      });
      if (r.status === 201) stormIds.push(id);
    });
    const ts = performance.now();
    await Promise.all(
      stormIds.flatMap((id, i) =>
        [0, 1].map(async (dup) => {
          const address = `10.3.${Math.floor(i / 250)}.${(i % 250) + 1 + dup}`;
          for (;;) {
            const r = await send(svc, 'storm-return', address, `/checkout/return?amazonCheckoutSessionId=${id}`).catch(() => undefined);
            const state = r ? (JSON.parse(r.body || '{}') as { state?: string }).state : undefined;
            if (r?.status === 200 && state === 'Completed') return storm.push(performance.now() - ts);
            if (Date.now() > O.deadline) return problems.push(`storm ${id}: no outcome`);
            await sleep(3_000); // as the pending page asks again (it refreshes every 3 s)
          }
        }),
      ),
    );
    clearInterval(sampler);
    await sleep(2_000);
    rss.after = await httpRss(svc);

    const metricsText = await (await fetch(`${svc.serviceUrl}/metrics`)).text();
    const metric = (name: string) => metricsText.split('\n').filter((l) => l.startsWith(name)).map((l) => l.trim());
    const completed = await sessions.countDocuments({ _id: { $in: [...legitIds, ...stormIds] } as never, state: 'Completed' });
    const wfEnd = await workflows();
    const docsEnd = await sessions.countDocuments({});

    // Checks.
    const all = legitIds.length + stormIds.length;
    for (const [kind, byStatus] of Object.entries(statuses)) {
      for (const [status, n] of Object.entries(byStatus)) {
        const designed = kind === 'forged-ipn' && status === '503'; // cert_unavailable: SNS retries later
        if ((Number(status) >= 500 && !designed) || (status === 'error' && kind.startsWith('legit'))) problems.push(`${kind}: ${n} × ${status}`);
      }
    }
    if (legitIds.length !== 2 * O.legit + 8) problems.push(`legitimate checkouts completed: ${legitIds.length - 8} of ${2 * O.legit}`);
    if (wfAfterFlood !== legitIds.length || docsAfterFlood !== legitIds.length) problems.push(`after the flood: ${wfAfterFlood} workflows and ${docsAfterFlood} records for ${legitIds.length} legitimate sessions`);
    if (completed !== all || wfEnd !== all || docsEnd !== all) {
      const notCompleted = await sessions.find({ state: { $ne: 'Completed' } }, { projection: { _id: 1, state: 1, seq: 1 } }).limit(5).toArray();
      problems.push(`at the end: ${completed} Completed records, ${wfEnd} workflows, ${docsEnd} records for ${all} sessions; not Completed: ${JSON.stringify(notCompleted)}`);
    }
    const ratio = Math.round((q(flood, 0.95) / q(quiet, 0.95)) * 100) / 100;
    if (!(ratio <= O.maxP95Ratio)) problems.push(`legitimate p95 under flood is ${ratio}× quiet (bound ${O.maxP95Ratio})`);

    const report = {
      options: { ...O, deadline: undefined },
      legit: { quiet: { n: quiet.length, p50: q(quiet, 0.5), p95: q(quiet, 0.95) }, flood: { n: flood.length, p50: q(flood, 0.5), p95: q(flood, 0.95) }, p95Ratio: ratio },
      flood: { seconds: Math.round(floodS * 10) / 10, requests: Object.fromEntries(Object.entries(statuses).map(([k, s]) => [k, Object.values(s).reduce((a, b) => a + b, 0)])) },
      storm: { sessions: stormIds.length, returns: 2 * stormIds.length, lastCompletedMs: Math.round(Math.max(0, ...storm)) },
      statuses,
      firstErrors,
      httpRssMiB: rss,
      metrics: [...metric('checkout_http_rate_limited_total'), ...metric('checkout_http_unknown_session_total'), ...metric('checkout_http_returns_shed_total'), ...metric('checkout_ipn_notifications_total')],
      store: { workflowsAfterFlood: wfAfterFlood, recordsAfterFlood: docsAfterFlood, workflowsAtEnd: wfEnd, recordsAtEnd: docsEnd, completed },
      problems,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (v.out) writeFileSync(v.out, `${JSON.stringify(report, null, 2)}\n`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await mongo.close();
    await svc.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`flood failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
