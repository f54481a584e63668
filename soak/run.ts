// Fault-injection soak: a seeded mix of sessions driven through the service's public HTTP routes while Amazon Pay
// (the emulator) fails, the worker and the HTTP server are killed, and Temporal and the store restart. At the end
// every session is checked against the emulator's truth: exactly-once effects, the closed workflow, the record.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { MongoClient } from 'mongodb';
import { CheckoutRecords } from '../activities/records/checkout-sessions';
import { dataConverterFromEnv } from '../client/temporal/data-converter';
import { DEMO_ADDRESS, demoBuyer } from '../dev/fixtures';
import { freePort, startProcess, waitReady, type ManagedProcess } from '../dev/process';
import { startStack, type Stack } from '../dev/stack';
import { startEmulator, type Emulator } from '../emulator';
import { checkoutWorkflowId, type CheckoutOutcome } from '../workflows/checkout-session';
import { mulberry32, pick, type Random } from './prng';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const ROOT = resolve(__dirname, '..');

export interface SoakOptions {
  sessions: number;
  seed: number;
  /** Upper bound of the driving phase; sessions still open afterwards get `settleMinutes` to finish. */
  minutes: number;
  concurrency: number;
  workerKills: number;
  httpKills: number;
  temporalRestarts: number;
  storeRestarts: number;
  /** Share of Amazon Pay API calls that fail in some way (split over the fault kinds). */
  faultRate: number;
  /** Share of webhook deliveries the merchant's receiver fails (503, 429, dropped, too late). */
  webhookFaultRate: number;
  outDir: string;
  log?: (line: string) => void;
}

export const defaultSoakOptions: SoakOptions = {
  sessions: 300,
  seed: 1,
  minutes: 10,
  concurrency: 12,
  workerKills: 4,
  httpKills: 2,
  temporalRestarts: 1,
  storeRestarts: 1,
  faultRate: 0.3,
  webhookFaultRate: 0.3,
  outDir: join(ROOT, 'test-output', 'soak'),
};

type Flow = 'complete' | 'finalize' | 'wallet';
/** `lost`: approves on Amazon's page and never comes back (the return is lost); recovery must complete it. */
type Buyer = 'approve' | 'decline' | 'pending-authorized' | 'pending-declined' | 'cancel' | 'never' | 'lost';

interface Plan {
  index: number;
  id: string;
  flow: Flow;
  buyer: Buyer;
  duplicates: number;
  answers: unknown[];
  error?: string;
}

export interface SoakReport {
  sessions: number;
  byPlan: Record<string, number>;
  faults: Record<string, number>;
  apiCalls: number;
  kills: { worker: number; http: number };
  restarts: { temporal: number; store: number };
  /** Lost returns completed by recovery. */
  recovered: number;
  webhooks: { finalEvents: number; pendingEvents: number; deliveries: number; duplicateDeliveries: number; faults: Record<string, number>; badSignatures: number };
  violations: { session: string; workflowId: string; problem: string; files: string[] }[];
  durationS: number;
}

const TERMINAL_RETURN_STATES = new Set(['Completed', 'Declined', 'BuyerCanceled', 'Expired', 'Failed', 'AuthorizationPending']);

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? ((l: string) => process.stdout.write(`[soak] ${l}\n`));
  const started = Date.now();
  const rnd = mulberry32(o.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'checkout-soak-'));
  const taskQueue = `soak-${o.seed}-${randomBytes(3).toString('hex')}`;
  const db = `soak_${o.seed}_${randomBytes(3).toString('hex')}`;
  const token = randomBytes(24).toString('base64url');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicKeyId = 'SANDBOX-SOAKKEY';

  let stack: Stack | undefined;
  let emulator: Emulator | undefined;
  const procs: { worker?: ManagedProcess; http?: ManagedProcess } = {};
  let client: Client | undefined;
  let mongo: MongoClient | undefined;
  let receiver: WebhookReceiver | undefined;

  try {
    stack = await startStack({ dataDir, ui: false, say: (l) => log(l) });
    const httpPort = await freePort();
    const serviceUrl = `http://127.0.0.1:${httpPort}`;
    emulator = await startEmulator({ port: 0, publicKeys: { [publicKeyId]: publicKey }, ipnUrl: `${serviceUrl}/amazon-pay/ipn`, ipnRetryDelaysMs: [500, 1000, 2000, 4000] });
    const baseEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.namespace,
      TASK_QUEUE: taskQueue,
      MONGODB_URI: stack.mongodbUri,
      MONGODB_DB: db,
      LOG_LEVEL: 'warn',
      // As in production: every payload encrypted (the soak's own client below reads results with the same key).
      PAYLOAD_CODEC_KEYS: `ksoak:${randomBytes(32).toString('base64')}`,
    };
    const webhookSecret = randomBytes(24).toString('base64url');
    receiver = await startWebhookReceiver({ secrets: [webhookSecret], faultRate: o.webhookFaultRate, rnd: mulberry32(o.seed + 101), slowMs: 2_500 });
    const hooks = receiver;
    const s = stack;
    const em = emulator;
    const spawnWorker = () =>
      startProcess({
        name: 'worker',
        command: process.execPath,
        args: ['--require', 'tsx/cjs', join(ROOT, 'worker/main.ts')],
        env: {
          ...baseEnv,
          AMAZON_PAY_PUBLIC_KEY_ID: publicKeyId,
          AMAZON_PAY_PRIVATE_KEY: privateKey,
          AMAZON_PAY_BASE_URL: em.baseUrl,
          AMAZON_PAY_TIMEOUT_MS: '3000',
          WORKER_SHUTDOWN_GRACE: '2s',
          MERCHANT_WEBHOOK_URL: hooks.url,
          MERCHANT_WEBHOOK_SECRET: webhookSecret,
          MERCHANT_WEBHOOK_TIMEOUT_MS: '2000',
        },
        logFile: join(dataDir, 'worker.log'),
      });
    const spawnHttp = () =>
      startProcess({
        name: 'http',
        command: process.execPath,
        args: ['--require', 'tsx/cjs', join(ROOT, 'client/http/server.ts')],
        env: {
          ...baseEnv,
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(httpPort),
          MERCHANT_API_TOKEN: token,
          RETURN_WAIT_MS: '15000',
          IPN_TRUST_EMULATOR_CERT_URL_PREFIX: `${em.baseUrl}/_emulator/`,
        },
        logFile: join(dataDir, 'http.log'),
      });
    const httpReady = async (p: ManagedProcess) =>
      waitReady(p, async () => (await fetch(`${serviceUrl}/healthz`, { signal: AbortSignal.timeout(1000) })).ok, 60_000, 'HTTP server');
    procs.worker = spawnWorker();
    procs.http = spawnHttp();
    await httpReady(procs.http);

    const connection = await Connection.connect({ address: s.temporalAddress });
    client = new Client({ connection, namespace: s.namespace, dataConverter: dataConverterFromEnv(baseEnv, 'soak') });
    mongo = await MongoClient.connect(s.mongodbUri);
    const records = new CheckoutRecords(mongo.db(db));

    // Amazon Pay faults, on every API path, from seeded rates.
    const share = o.faultRate / 5;
    const faultSeed = Math.floor(rnd() * 1e9);
    const faultLabels = new Map<string, string>();
    const addFault = (label: string, spec: Parameters<typeof em.state.addFault>[0]) => faultLabels.set(em.state.addFault(spec).id, label);
    addFault('503', { match: {}, action: { type: 'status', status: 503, reasonCode: 'ServiceUnavailable' }, rate: share * 1.5, seed: faultSeed });
    addFault('500', { match: {}, action: { type: 'status', status: 500, reasonCode: 'InternalServerError' }, rate: share * 0.5, seed: faultSeed + 1 });
    addFault('429+Retry-After', { match: {}, action: { type: 'status', status: 429, reasonCode: 'TooManyRequests', retryAfterSeconds: 1 }, rate: share, seed: faultSeed + 2 });
    addFault('connection reset', { match: {}, action: { type: 'reset' }, rate: share, seed: faultSeed + 3 });
    addFault('response dropped after the effect', { match: { method: 'POST' }, action: { type: 'drop-after-commit' }, rate: share, seed: faultSeed + 4 });
    // Added latency slows a call without failing it: the emulator does not log it as a fault, so it is not counted.
    addFault('latency 400 ms', { match: {}, action: { type: 'latency', ms: 400 }, rate: 0.1, seed: faultSeed + 5 });

    const plans: Plan[] = Array.from({ length: o.sessions }, (_, index) => {
      const flow = pick(rnd, [['complete', 5], ['finalize', 3], ['wallet', 2]] as const);
      const buyer: Buyer =
        flow === 'wallet'
          ? pick(rnd, [['approve', 6], ['decline', 1], ['cancel', 1], ['never', 1], ['lost', 1]] as const)
          : flow === 'finalize'
            ? pick(rnd, [['approve', 6], ['decline', 1], ['pending-authorized', 2], ['pending-declined', 1]] as const)
            : pick(rnd, [['approve', 5], ['decline', 1], ['pending-authorized', 2], ['pending-declined', 1], ['cancel', 1], ['never', 1], ['lost', 2]] as const);
      const returns = buyer !== 'cancel' && buyer !== 'never' && buyer !== 'lost';
      return { index, id: '', flow, buyer, duplicates: returns && rnd() < 0.3 ? 2 + Math.floor(rnd() * 3) : 1, answers: [] };
    });

    // Chaos: kills and restarts at seeded points of the driving phase, counted in sessions begun rather than in
    // wall-clock time, so every scheduled fault happens (a fast run cannot finish before its kills) and the same
    // seed puts them at the same place in the mix.
    const counts = { worker: 0, http: 0, temporal: 0, store: 0 };
    const driveUntil = Date.now() + o.minutes * 60_000;
    const chaosEvents = [
      ...Array.from({ length: o.workerKills }, () => 'worker' as const),
      ...Array.from({ length: o.httpKills }, () => 'http' as const),
      ...Array.from({ length: o.temporalRestarts }, () => 'temporal' as const),
      ...Array.from({ length: o.storeRestarts }, () => 'store' as const),
    ]
      .map((kind) => ({ kind, afterSessions: 1 + Math.floor(rnd() * Math.max(1, o.sessions * 0.8)) }))
      .sort((a, b) => a.afterSessions - b.afterSessions);
    let chaosBusy: Promise<void> = Promise.resolve();
    const fireChaos = (kind: (typeof chaosEvents)[number]['kind']) => {
      chaosBusy = chaosBusy.then(async () => {
        try {
          if (kind === 'worker') {
            procs.worker?.child.kill('SIGKILL');
            await procs.worker?.stop(2_000);
            await sleep(500 + rnd() * 1500);
            procs.worker = spawnWorker();
            counts.worker++;
          } else if (kind === 'http') {
            procs.http?.child.kill('SIGKILL');
            await procs.http?.stop(2_000);
            await sleep(500 + rnd() * 1000);
            procs.http = spawnHttp();
            await httpReady(procs.http);
            counts.http++;
          } else if (kind === 'temporal') {
            await s.restart('temporal', 1_000);
            counts.temporal++;
          } else {
            await s.restart('mongodb', 1_000);
            counts.store++;
          }
          log(`chaos: ${kind} ${kind === 'worker' || kind === 'http' ? 'killed (SIGKILL) and restarted' : 'stopped and restarted'}`);
        } catch (err) {
          log(`chaos: ${kind} failed: ${(err as Error).message}`);
        }
      });
    };
    /** Fires the events due once `begun` sessions have started driving. */
    const chaosAt = (begun: number) => {
      while (chaosEvents.length > 0 && chaosEvents[0]!.afterSessions <= begun) fireChaos(chaosEvents.shift()!.kind);
    };

    // Drive the sessions with bounded concurrency.
    const http = new HttpDriver(serviceUrl, token);
    let next = 0;
    const runOne = async (p: Plan) => {
      try {
        await driveSession(p, em, http, publicKeyId, rnd, serviceUrl);
      } catch (err) {
        p.error = (err as Error).message;
      }
    };
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (next < plans.length && Date.now() < driveUntil) {
          const p = plans[next++]!;
          chaosAt(next);
          await runOne(p);
        }
      }),
    );
    chaosAt(Number.POSITIVE_INFINITY); // a run cut short by --minutes still gets every scheduled fault
    await chaosBusy;
    log(`driving done in ${((Date.now() - started) / 1000).toFixed(0)} s; waiting for every workflow to close`);

    // Faults off for the settling phase; every workflow is given time to reach its end.
    em.state.clearFaults();
    hooks.setFaultRate(0);
    const violations: SoakReport['violations'] = [];
    const settleBy = Date.now() + 5 * 60_000;
    for (const p of plans.filter((x) => x.id)) {
      const handle = client.workflow.getHandle(checkoutWorkflowId(p.id));
      let outcome: CheckoutOutcome | undefined;
      while (!outcome && Date.now() < settleBy) {
        try {
          const d = await handle.describe();
          if (d.status.name === 'RUNNING') await sleep(500);
          else outcome = (await handle.result()) as CheckoutOutcome;
        } catch (err) {
          if (Date.now() >= settleBy) throw err;
          await sleep(500);
        }
      }
      const problems = await checkSession(p, outcome, em, records, hooks);
      if (problems.length > 0) {
        const files = await exportEvidence(o.outDir, p, client, em);
        for (const problem of problems) violations.push({ session: p.id, workflowId: checkoutWorkflowId(p.id), problem, files });
      }
    }
    for (const p of plans.filter((x) => !x.id && x.error)) {
      violations.push({ session: `#${p.index}`, workflowId: '-', problem: `never created: ${p.error}`, files: [] });
    }
    let open = 0;
    for await (const _ of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) open++;
    if (open > 0) violations.push({ session: '*', workflowId: '*', problem: `${open} workflows still open`, files: [] });

    const entries = em.state.log();
    const faults: Record<string, number> = {};
    for (const e of entries) {
      if (!e.fault) continue;
      const label = faultLabels.get(e.fault.split(':')[0]!) ?? e.fault;
      faults[label] = (faults[label] ?? 0) + 1;
    }
    const byPlan: Record<string, number> = {};
    for (const p of plans) byPlan[`${p.flow}/${p.buyer}${p.duplicates > 1 ? '/dup' : ''}`] = (byPlan[`${p.flow}/${p.buyer}${p.duplicates > 1 ? '/dup' : ''}`] ?? 0) + 1;
    await connection.close();
    const received = [...hooks.events.values()];
    const deliveries = received.reduce((a, e) => a + e.deliveries, 0);
    return {
      sessions: plans.filter((p) => p.id).length,
      byPlan,
      faults,
      apiCalls: entries.length,
      kills: { worker: counts.worker, http: counts.http },
      restarts: { temporal: counts.temporal, store: counts.store },
      recovered: received.filter((e) => e.recovered && e.type === 'checkout.completed').length,
      webhooks: {
        finalEvents: received.filter((e) => e.type !== 'checkout.authorization_pending').length,
        pendingEvents: received.filter((e) => e.type === 'checkout.authorization_pending').length,
        deliveries,
        duplicateDeliveries: deliveries - received.length,
        faults: { ...hooks.faults },
        badSignatures: hooks.badSignatures,
      },
      violations,
      durationS: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await mongo?.close().catch(() => undefined);
    await procs.http?.stop(3_000);
    await procs.worker?.stop(3_000);
    await emulator?.close();
    await receiver?.close();
    await stack?.stop();
    if (!process.env.KEEP_SOAK_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const address = { ...DEMO_ADDRESS };

/** Talks to the service like a browser and a merchant backend would: it retries while the server is down. */
class HttpDriver {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async request(method: string, path: string, body?: unknown, auth = false): Promise<{ status: number; json: Record<string, unknown> }> {
    const end = Date.now() + 120_000;
    for (;;) {
      try {
        const res = await fetch(`${this.base}${path}`, {
          method,
          redirect: 'manual',
          headers: {
            accept: 'application/json',
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(auth ? { authorization: `Bearer ${this.token}` } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        // A restarting server or an unreachable Temporal answers 5xx: a browser retries, so do we.
        if (res.status >= 500 && Date.now() < end) {
          await sleep(500);
          continue;
        }
        return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      } catch (err) {
        if (Date.now() >= end) throw err;
        await sleep(500);
      }
    }
  }
}

async function driveSession(p: Plan, em: Emulator, http: HttpDriver, publicKeyId: string, rnd: Random, serviceUrl: string): Promise<void> {
  const wallet = p.flow === 'wallet';
  const pending = p.buyer === 'pending-authorized' || p.buyer === 'pending-declined';
  const chargeAmount = { amount: `${10 + Math.floor(rnd() * 90)}.${String(Math.floor(rnd() * 100)).padStart(2, '0')}`, currencyCode: 'USD' };
  const paymentIntent = pending ? 'Authorize' : p.flow === 'finalize' ? 'AuthorizeWithCapture' : pick(rnd, [['AuthorizeWithCapture', 2], ['Authorize', 1], ['Confirm', 1]] as const);
  const created = em.state.createCheckoutSession({
    publicKeyId,
    ...(wallet ? { chargePermissionType: 'PaymentMethodOnFile' } : { chargeAmount, paymentIntent, canHandlePendingAuthorization: pending }),
    ...(p.flow === 'finalize' ? { productType: 'PayAndShip' } : {}),
    buyer: demoBuyer(`buyer-${p.index}`),
    shippingAddress: address,
    billingAddress: address,
    // As a real session: without it Amazon lists CheckoutResultReturnUrlNotSet and recovery rightly waits.
    checkoutResultReturnUrl: `${serviceUrl}/checkout/return`,
  } as never);
  p.id = String(created.checkoutSessionId);
  const deadline = new Date(Date.now() + (p.buyer === 'never' ? 6_000 + rnd() * 6_000 : 15 * 60_000)).toISOString();
  const input = {
    checkoutSessionId: p.id,
    flow: p.flow === 'finalize' ? 'finalize' : 'complete',
    ...(wallet ? { chargePermissionType: 'PaymentMethodOnFile' } : { chargeAmount }),
    ...(p.flow === 'finalize' ? { paymentIntent, canHandlePendingAuthorization: pending, shippingAddress: address } : {}),
    merchantReferenceId: `soak-${p.index}`,
    deadline,
    ...(pending ? { pending: { maxWaitMs: 10 * 60_000, initialPollMs: 1_000, maxPollMs: 4_000 } } : {}),
    // Recovery checks within seconds, so they race the returns, cancels and faults of the run.
    recovery: { graceMs: 1_500 + Math.floor(rnd() * 2_500), maxIntervalMs: 4_000, beforeDeadlineMs: 500 },
  };

  // The buyer acts on Amazon's page first (approve settles later for pending ones).
  if (p.buyer === 'approve' || p.buyer === 'lost') em.state.buyerAction(p.id, { action: 'approve' });
  if (p.buyer === 'decline') em.state.buyerAction(p.id, { action: 'decline' });
  if (pending) {
    em.state.buyerAction(p.id, {
      action: 'approve-pending',
      settleTo: p.buyer === 'pending-authorized' ? 'Authorized' : 'Declined',
      settleAfterMs: 1_000 + Math.floor(rnd() * 4_000),
    } as never);
  }

  if (p.flow === 'finalize') {
    // Buy Now / mobile: onCompleteCheckout reaches the merchant backend, which wants the outcome in one request.
    const calls = Array.from({ length: p.duplicates }, () => finalAnswer(() => http.request('POST', `/api/checkout-sessions/${p.id}/complete-checkout`, input, true)));
    p.answers = await Promise.all(calls);
    return;
  }
  const start = await http.request('POST', '/api/checkout-sessions', input, true);
  if (start.status !== 201 && start.status !== 200) throw new Error(`start answered ${start.status}: ${JSON.stringify(start.json)}`);
  if (p.buyer === 'never' || p.buyer === 'lost') return;
  if (p.buyer === 'cancel') {
    const r = await http.request('GET', `/checkout/cancel?amazonCheckoutSessionId=${p.id}`);
    if (r.status >= 400) throw new Error(`cancel answered ${r.status}`);
    return;
  }
  const calls = Array.from({ length: p.duplicates }, () => finalAnswer(() => http.request('GET', `/checkout/return?amazonCheckoutSessionId=${p.id}`)));
  p.answers = await Promise.all(calls);
}

/** Repeats a return until it answers with an outcome (a 202 after the bounded wait means "ask again"). */
async function finalAnswer(call: () => Promise<{ status: number; json: Record<string, unknown> }>): Promise<unknown> {
  for (let i = 0; i < 40; i++) {
    const r = await call();
    const state = String(r.json.state ?? '');
    if (r.status < 300 && TERMINAL_RETURN_STATES.has(state)) return { state, reasonCode: r.json.reasonCode, chargeId: r.json.chargeId };
    if (r.status === 202 && state === 'AuthorizationPending') return { state };
    if (r.status >= 400 && r.status < 500) return { error: r.status, body: r.json };
    await sleep(500);
  }
  return { error: 'no outcome after 40 tries' };
}

/** What the emulator's truth implies for one session. */
function expectedState(p: Plan, view: Record<string, unknown> | null, chargeState: string | undefined): string {
  const sd = (view?.statusDetails ?? {}) as { state?: string; reasonCode?: string };
  if (sd.state === 'Completed') return chargeState === 'Declined' || chargeState === 'Canceled' ? 'Declined' : 'Completed';
  if (sd.state === 'Canceled') return sd.reasonCode === 'BuyerCanceled' ? 'BuyerCanceled' : sd.reasonCode === 'Expired' ? 'Expired' : 'Declined';
  return p.buyer === 'cancel' ? 'BuyerCanceled' : 'Expired';
}

async function checkSession(p: Plan, outcome: CheckoutOutcome | undefined, em: Emulator, records: CheckoutRecords, hooks: WebhookReceiver): Promise<string[]> {
  const problems: string[] = [];
  if (p.error) problems.push(`driver error: ${p.error}`);
  if (!outcome) return [...problems, 'workflow did not close'];
  const truth = em.state.getCheckoutSession(p.id);
  const c = em.state.counters(p.id);
  const effects = c.completeEffects + c.finalizeEffects;
  // A lost return is a buyer who approved: recovery owes the same single effect a return would have made.
  const returned = p.buyer !== 'cancel' && p.buyer !== 'never';
  if (p.buyer === 'lost' && outcome.state === 'Completed' && !outcome.recovered) problems.push('a lost return completed without recovery');
  if (returned && effects !== 1) problems.push(`expected exactly 1 complete/finalize effect, saw ${effects}`);
  if (!returned && effects !== 0) problems.push(`expected no complete/finalize effect, saw ${effects}`);
  const view = truth?.view ?? null;
  const chargeId = (view?.chargeId as string | null | undefined) ?? undefined;
  const chargeState = chargeId ? (em.state.getCharge(chargeId)?.view.statusDetails as { state?: string } | undefined)?.state : undefined;
  const want = expectedState(p, view, chargeState);
  if (outcome.state !== want) problems.push(`workflow closed as ${outcome.state} (${outcome.reasonCode ?? ''}) but the emulator implies ${want}`);
  if (want === 'Completed' && chargeId && outcome.chargeId !== chargeId) problems.push(`outcome chargeId ${outcome.chargeId} ≠ emulator ${chargeId}`);

  const doc = await records.get(p.id);
  if (!doc) problems.push('no MongoDB record');
  else {
    if (doc.state !== outcome.state) problems.push(`record state ${doc.state} ≠ workflow ${outcome.state}`);
    if (want === 'Completed' && (doc.chargePermissionId ?? undefined) !== ((view?.chargePermissionId as string | null) ?? undefined)) {
      problems.push('record chargePermissionId differs from the emulator');
    }
    if (want === 'Completed' && (doc.chargeId ?? undefined) !== chargeId) problems.push('record chargeId differs from the emulator');
  }
  // The merchant learns the final state exactly once, as a deduplicating receiver sees it, and the record says so.
  const finals = [...hooks.events.values()].filter((e) => e.checkoutSessionId === p.id && e.type !== 'checkout.authorization_pending');
  if (finals.length !== 1) problems.push(`expected one final webhook event, the receiver kept ${finals.length}`);
  else if (finals[0]!.state !== outcome.state) problems.push(`webhook said ${finals[0]!.state} but the workflow closed as ${outcome.state}`);
  if (doc?.webhook?.state !== 'delivered') problems.push(`record's webhook delivery is ${doc?.webhook?.state ?? 'missing'}`);

  const timeline = await records.timeline(p.id);
  const seqs = timeline.map((e) => e.seq);
  if (new Set(seqs).size !== seqs.length) problems.push('duplicate timeline entries');
  if (timeline.length === 0 || timeline[0]!.type !== 'Created') problems.push('timeline does not start with Created');

  const answers = p.answers.map((a) => JSON.stringify(a));
  const finalAnswers = p.answers.filter((a) => (a as { state?: string }).state !== 'AuthorizationPending');
  if (p.answers.some((a) => (a as { error?: unknown }).error !== undefined)) problems.push(`a return got an error: ${answers.join(' | ')}`);
  if (new Set(finalAnswers.map((a) => JSON.stringify(a))).size > 1) problems.push(`duplicate returns answered differently: ${answers.join(' | ')}`);
  for (const a of finalAnswers) {
    if ((a as { state?: string }).state !== outcome.state) problems.push(`a return answered ${JSON.stringify(a)} but the workflow closed as ${outcome.state}`);
  }
  return problems;
}

async function exportEvidence(outDir: string, p: Plan, client: Client, em: Emulator): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  try {
    const h = await client.workflow.getHandle(checkoutWorkflowId(p.id)).fetchHistory();
    const f = join(outDir, `${p.id}.history.json`);
    writeFileSync(f, historyToJSON(h));
    files.push(f);
  } catch {
    // no history: the workflow never started
  }
  const f = join(outDir, `${p.id}.emulator.json`);
  writeFileSync(f, JSON.stringify({ plan: p, session: em.state.getCheckoutSession(p.id), log: em.state.log({ checkoutSessionId: p.id }) }, null, 1));
  files.push(f);
  return files;
}
