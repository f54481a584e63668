// Traces on the real stack (README "Tracing"): the production worker and HTTP server as processes exporting OTLP to
// a local Jaeger (dev/jaeger.ts), one checkout run through the merchant API and the buyer's return URL, then the
// trace read back through Jaeger's query API. One trace holds the return request, the Temporal update, the workflow's
// handling of it, the confirm activity with its HTTPS call to Amazon Pay (the emulator), the record activities and
// their MongoDB commands; no span carries the buyer's name, email, address or phone.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJaeger, type Jaeger } from '../../../dev/jaeger';
import { DEMO_ADDRESS, demoBuyer } from '../../../dev/fixtures';
import { Worker } from '@temporalio/worker';
import { checkoutWorkflowId } from '../../../workflows/checkout-session/ids';
import { createHarness, deadlineIn, eventually, workflowBundle, type Harness } from '../../helpers/checkout-harness';
import { testCodecEnv } from '../../helpers/codec-keys';
import { testStack } from '../../helpers/env';
import { freePort } from '../../helpers/http-app';
import { spawnWorkerProcess } from '../../helpers/worker-process';

jest.setTimeout(120_000);

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
  logs: { fields: { key: string; value: unknown }[] }[];
  processID: string;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

const TOKEN = 'trace-test-merchant-token-0123456789';
let h: Harness;
let jaeger: Jaeger;
let dataDir: string;
let worker: ChildProcess;
let http: ChildProcess;
let httpUrl: string;

const output = new Map<ChildProcess, string>();

/** Resolves when the child writes `text` to stdout (its ready line), rejects if it exits first. Keeps the output. */
function announced(child: ChildProcess, text: string, what: string): Promise<void> {
  let out = '';
  return new Promise((res, rej) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      output.set(child, out);
      if (out.includes(text)) res();
    });
    child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.once('exit', (code) => rej(new Error(`${what} exited (${code}) before it was ready:\n${out.slice(-2000)}`)));
  });
}

const stop = async (child: ChildProcess | undefined) => {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'checkout-trace-'));
  [h, jaeger] = await Promise.all([createHarness({ worker: false }), startJaeger({ dataDir, say: (l) => process.stderr.write(`[jaeger] ${l}\n`) })]);
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  worker = spawnWorkerProcess(h, { ...otel, LOG_LEVEL: 'warn' }, { output: 'pipe' });
  const port = await freePort();
  httpUrl = `http://127.0.0.1:${port}`;
  const stack = testStack();
  http = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, '../../../client/http/server.ts')], {
    env: {
      ...process.env,
      ...otel,
      ...testCodecEnv(),
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.namespace,
      TASK_QUEUE: h.taskQueue,
      MONGODB_URI: stack.mongodbUri,
      MONGODB_DB: h.db.databaseName,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      MERCHANT_API_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await Promise.all([announced(worker, 'worker ready', 'worker'), announced(http, 'http server ready', 'HTTP server')]);
});

afterAll(async () => {
  await Promise.all([stop(worker), stop(http)]);
  await jaeger?.stop();
  await h?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function startCheckout(id: string, over: Record<string, unknown> = {}): Promise<void> {
  const r = await fetch(`${httpUrl}/api/checkout-sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ checkoutSessionId: id, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' }, deadline: deadlineIn(120_000), ...over }),
  });
  expect(r.status).toBe(201);
}

async function buyerReturns(id: string): Promise<{ state: string }> {
  const r = await fetch(`${httpUrl}/checkout/return?amazonCheckoutSessionId=${encodeURIComponent(id)}`, { headers: { accept: 'application/json' } });
  return (await r.json()) as { state: string };
}

/** The trace of the session's return (found by the tag the return route sets), once it holds every `expected` span. */
async function returnTrace(id: string, expected: RegExp[]): Promise<JaegerTrace> {
  const tags = encodeURIComponent(JSON.stringify({ 'checkout.session_id': id }));
  const traceId = await eventually(async () => {
    const r = await fetch(`${jaeger.queryUrl}/api/traces?service=checkout-http&tags=${tags}&limit=5`);
    const body = (await r.json()) as { data: JaegerTrace[] | null };
    const found = (body.data ?? []).filter((t) => t.spans.some((s) => s.operationName === 'GET /checkout/return'));
    return found.length === 1 && found[0]!.traceID;
  }, 20_000, 250);
  let names: string[] = [];
  return eventually(async () => {
    const r = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
    const t = ((await r.json()) as { data: JaegerTrace[] }).data[0]!;
    names = t.spans.map((s) => s.operationName);
    // Workflow spans reach Jaeger when they end (a start-activity span with its activity), so wait for whole trees.
    return expected.every((re) => names.some((n) => re.test(n))) && roots(t).length === 1 && t;
  }, 20_000, 250).catch((err: Error) => {
    throw new Error(`${err.message}; missing ${expected.filter((re) => !names.some((n) => re.test(n))).join(', ')} in [${names.join(', ')}]`);
  });
}

/** Every string a span carries: tag values, log fields, process tags. */
function allValues(t: JaegerTrace): string[] {
  const out: string[] = [];
  for (const s of t.spans) {
    out.push(s.operationName);
    for (const tag of s.tags) out.push(String(tag.value));
    for (const l of s.logs) for (const f of l.fields) out.push(String(f.value));
  }
  for (const p of Object.values(t.processes)) for (const tag of p.tags) out.push(String(tag.value));
  return out;
}

const PII = [
  demoBuyer('x').name,
  demoBuyer('x').email,
  demoBuyer('x').phoneNumber,
  DEMO_ADDRESS.addressLine1,
  DEMO_ADDRESS.addressLine2,
  DEMO_ADDRESS.postalCode,
  // Also the phone's digits alone and the email's local part, in case something reformats them.
  '8000000000',
  'susie',
  'Smith',
  'Ditka',
];

/** `service: name` of each span, sorted, for a readable comparison and the README's list. */
function spanList(t: JaegerTrace): string[] {
  return t.spans.map((s) => `${t.processes[s.processID]!.serviceName}: ${s.operationName}`).sort();
}

function expectNoPii(t: JaegerTrace): void {
  const values = allValues(t).map((v) => v.toLowerCase());
  for (const p of PII) expect(values.filter((v) => v.includes(p.toLowerCase()))).toEqual([]);
  // Workflow spans keep the run's identity, not the whole WorkflowInfo (memo, search attributes: worker/tracing.ts).
  const keys = new Set(t.spans.flatMap((s) => s.tags.map((g) => g.key)));
  for (const k of ['memo', 'searchAttributes', 'typedSearchAttributes', 'lastResult', 'unsafe']) expect(keys).not.toContain(k);
  expect(keys).toContain('workflowId');
}

/** The names of the first span called `name`'s ancestors, nearest first. */
function pathToRoot(t: JaegerTrace, name: string): string[] {
  const byId = new Map(t.spans.map((s) => [s.spanID, s]));
  const out: string[] = [];
  let s = t.spans.find((x) => x.operationName === name);
  for (;;) {
    const parent = s?.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
    s = parent ? byId.get(parent) : undefined;
    if (!s) return out;
    out.push(s.operationName);
  }
}

/** Spans whose parent is not in the trace. */
function roots(t: JaegerTrace): JaegerSpan[] {
  const ids = new Set(t.spans.map((s) => s.spanID));
  return t.spans.filter((s) => !s.references.some((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID)));
}

function expectOneTree(t: JaegerTrace): void {
  // Every span but the return request's has its parent in this trace: nothing hangs off a span of another trace.
  expect(roots(t).map((s) => s.operationName)).toEqual(['GET /checkout/return']);
}

it('one checkout’s return is one trace, from the return URL to the record writes, with no buyer data', async () => {
  const id = await h.createSession();
  await h.buyer(id, 'approve');
  await startCheckout(id);
  expect(await buyerReturns(id)).toMatchObject({ state: 'Completed' });

  const t = await returnTrace(id, [
    /^StartWorkflowUpdate:buyerReturned$/,
    /^HandleUpdate:buyerReturned$/,
    /^RunActivity:confirmCheckoutSession$/,
    /^POST$/, // the call to Amazon Pay (the emulator)
    /^update checkoutSessions$/,
    /^insert checkoutSessionEvents$/,
  ]);
  process.stderr.write(`happy-path trace ${t.traceID}:\n  ${spanList(t).join('\n  ')}\n`);
  expectOneTree(t);
  // The confirm activity calls Amazon and records its result itself (one step, DESIGN.md "Performance budget").
  expect(pathToRoot(t, 'POST')).toEqual(['RunActivity:confirmCheckoutSession', 'StartActivity:confirmCheckoutSession', 'HandleUpdate:buyerReturned', 'StartWorkflowUpdate:buyerReturned', 'GET /checkout/return']);
  expect(pathToRoot(t, 'insert checkoutSessionEvents')[0]).toBe('RunActivity:confirmCheckoutSession');
  expect(pathToRoot(t, 'update checkoutSessions')[0]).toBe('RunActivity:confirmCheckoutSession');
  const returnSpan = t.spans.find((s) => s.operationName === 'GET /checkout/return')!;
  expect(returnSpan.tags).toEqual(expect.arrayContaining([{ key: 'checkout.session_id', type: 'string', value: id }]));
  expect(new Set(Object.values(t.processes).map((p) => p.serviceName))).toEqual(new Set(['checkout-http', 'checkout-worker']));
  expectNoPii(t);

  // The HTTP server's log line for this request carries the trace's ID.
  const line = (output.get(http) ?? '')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; route?: string; trace_id?: string; span_id?: string })
    .find((l) => l.msg === 'request' && l.route === '/checkout/return');
  expect(line).toMatchObject({ trace_id: t.traceID, span_id: returnSpan.spanID });

  // Turning tracing off again: the traced worker's history replays on a worker without it.
  const handle = h.client.workflow.getHandle(checkoutWorkflowId(id));
  await handle.result();
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: h.dataConverter }, await handle.fetchHistory(), handle.workflowId)).resolves.toBeUndefined();
});

it('a pending authorization’s return is one trace too, with no buyer data', async () => {
  const id = await h.createSession({ canHandlePendingAuthorization: true, paymentIntent: 'Authorize' });
  await h.buyer(id, 'approve-pending', { settleTo: 'Authorized', settleAfterMs: 1_000 });
  await startCheckout(id, { pending: { maxWaitMs: 60_000, initialPollMs: 1_500, maxPollMs: 1_500 } });
  expect(await buyerReturns(id)).toMatchObject({ state: 'AuthorizationPending' });

  const t = await returnTrace(id, [/^HandleUpdate:buyerReturned$/, /^RunActivity:confirmCheckoutSession$/, /^RunActivity:readCharge$/]);
  process.stderr.write(`pending-path trace ${t.traceID}:\n  ${spanList(t).join('\n  ')}\n`);
  expectOneTree(t);
  expectNoPii(t);
});
