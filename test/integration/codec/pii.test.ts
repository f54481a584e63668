// Buyer PII never appears in plaintext in Temporal history or worker logs; encrypted histories decode and replay,
// also across a key rotation; production refuses to run the worker without keys (DESIGN.md "Security").
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { AesGcmCodec, KEY_ID_METADATA_KEY } from '../../../client/temporal/codec';
import { deliverReturn, startCheckout } from '../../../client/temporal/checkout';
import { createDataConverter } from '../../../client/temporal/data-converter';
import { checkoutWorkflowId, type CheckoutOutcome } from '../../../workflows/checkout-session';
import {
  buyerAddress,
  createHarness,
  deadlineIn,
  eventually,
  workflowBundle,
  type Harness,
} from '../../helpers/checkout-harness';
import { testCodecKeys, testKeyLeakForms } from '../../helpers/codec-keys';
import { spawnWorkerProcess } from '../../helpers/worker-process';

jest.setTimeout(120_000);

type History = temporal.api.history.v1.IHistory;
const WORKER_MAIN = join(__dirname, '../../../worker/main.ts');
const PII = ['Susie Smith', 'susie@example.com', '800-000-0000', '10 Ditka Ave', 'Suite 2500', '60602'];

let h: Harness; // the fixed test keys (A and B, current B), in-process worker
let hPlain: Harness; // no codec: the positive control and the size baseline
beforeAll(async () => {
  [h, hPlain] = await Promise.all([createHarness(), createHarness({ codecKeys: null })]);
});
afterAll(async () => {
  await Promise.all([h?.close(), hPlain?.close()]);
});

/** A finalize checkout: the shipping address (name, street, phone) is part of the workflow input. */
async function finalizeCheckout(x: Harness, startWith: Client = x.client): Promise<string> {
  const id = await x.createSession({ productType: 'PayAndShip', paymentIntent: 'AuthorizeWithCapture' });
  await x.buyer(id, 'approve');
  await startCheckout(
    startWith,
    {
      checkoutSessionId: id,
      flow: 'finalize',
      chargeAmount: { amount: '14.00', currencyCode: 'USD' },
      paymentIntent: 'AuthorizeWithCapture',
      canHandlePendingAuthorization: false,
      shippingAddress: buyerAddress,
      deadline: deadlineIn(60_000),
      merchantReferenceId: `order-${randomUUID().slice(0, 8)}`,
    },
    x.taskQueue,
  );
  // Return only once the workflow waits for it (its deadline timer is started): a return that races the first
  // workflow task takes a shorter path, and the overhead test compares two histories event for event.
  const handle = x.client.workflow.getHandle(checkoutWorkflowId(id));
  await eventually(async () => (await handle.fetchHistory()).events?.some((e) => e.timerStartedEventAttributes));
  const r = await deliverReturn(x.client, id, 30_000);
  expect(r).toMatchObject({ kind: 'outcome', outcome: { state: 'Completed' } });
  // The update answers before the workflow records the outcome and closes: wait for the whole history.
  await x.client.workflow.getHandle(checkoutWorkflowId(id)).result();
  return checkoutWorkflowId(id);
}

const historyBytes = (history: History): Buffer =>
  Buffer.from(temporal.api.history.v1.History.encode(history).finish());

/**
 * Every payload in the history with where it sits. Two kinds never pass through a codec: search attributes (the
 * server indexes them) and the `data` detail of local-activity markers (sdk-core's own bookkeeping: activity id,
 * type, attempt, times); the local activity's result sits beside it under `result` and is encoded.
 */
function payloadsOf(history: History): Array<{ path: string; encoding: string; keyId?: string; data: Buffer }> {
  const out: Array<{ path: string; encoding: string; keyId?: string; data: Buffer }> = [];
  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const meta = o.metadata as Record<string, string> | undefined;
    if (meta && typeof meta.encoding === 'string') {
      const s = (b64: string | undefined) => (b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString());
      out.push({
        path,
        encoding: s(meta.encoding)!,
        keyId: s(meta[KEY_ID_METADATA_KEY]),
        data: Buffer.from((o.data as string) ?? '', 'base64'),
      });
      return;
    }
    for (const [k, c] of Object.entries(o)) walk(c, `${path}.${k}`);
  };
  walk(JSON.parse(historyToJSON(history)), '');
  return out;
}

/** Every way the history could show a string: proto bytes, both JSON forms, and each payload's bytes. */
function plaintextViews(history: History): string[] {
  return [
    historyBytes(history).toString('utf8'),
    historyBytes(history).toString('latin1'),
    JSON.stringify(history),
    historyToJSON(history),
    ...payloadsOf(history).map((p) => p.data.toString('utf8')),
  ];
}

/** Written by the SDK's core, not through the codec: search attributes, local-activity results, patch IDs. */
const notCodecVisible = (path: string) =>
  path.includes('searchAttributes') || /markerRecordedEventAttributes\.details\.(data|patch-data)\./.test(path);

const leaked = (views: string[], needles: string[]) => needles.filter((n) => views.some((v) => v.includes(n)));

describe('payload codec on the real stack', () => {
  it('keeps buyer PII out of a fetched history; the history decodes and replays with the same converter', async () => {
    const wf = await finalizeCheckout(h);
    const history = await h.client.workflow.getHandle(wf).fetchHistory();

    expect(leaked(plaintextViews(history), PII)).toEqual([]);
    const payloads = payloadsOf(history);
    const encoded = payloads.filter((p) => !notCodecVisible(p.path));
    expect(encoded.length).toBeGreaterThan(5);
    expect(encoded.filter((p) => p.encoding !== 'binary/encrypted').map((p) => `${p.path}: ${p.encoding}`)).toEqual([]);
    expect(new Set(encoded.map((p) => p.keyId))).toEqual(new Set(['test-b']));

    // The PII was there to protect: the decrypted workflow input holds the shipping address.
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const [decoded] = await h.dataConverter.payloadCodecs![0]!.decode([input as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toMatchObject({
      shippingAddress: { name: 'Susie Smith', phoneNumber: '800-000-0000' },
    });

    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: h.dataConverter }, history, wf),
    ).resolves.toBeUndefined();
  });

  it('positive control: without the codec the same checkout shows the PII, so the check above can see it', async () => {
    const wf = await finalizeCheckout(hPlain);
    const history = await hPlain.client.workflow.getHandle(wf).fetchHistory();
    expect(leaked(plaintextViews(history), ['Susie Smith', '10 Ditka Ave', '800-000-0000'])).toEqual([
      'Susie Smith',
      '10 Ditka Ave',
      '800-000-0000',
    ]);
  });

  it('key rotation: a session started under the old key finishes under the new one; the mixed history replays with both keys', async () => {
    const keysA = testCodecKeys(['test-a'], 'test-a');
    const oldClient = new Client({
      connection: h.client.connection,
      namespace: h.client.options.namespace,
      dataConverter: createDataConverter(keysA),
    });
    // Started by a client that only has key A; the worker and the returning client (A and B, current B) carry it on.
    const wf = await finalizeCheckout(h, oldClient);
    const outcome = (await h.client.workflow.getHandle(wf).result()) as CheckoutOutcome;
    expect(outcome.state).toBe('Completed');

    const history = await h.client.workflow.getHandle(wf).fetchHistory();
    const ids = new Set(
      payloadsOf(history)
        .filter((p) => p.encoding === 'binary/encrypted')
        .map((p) => p.keyId),
    );
    expect(ids).toEqual(new Set(['test-a', 'test-b']));
    expect(leaked(plaintextViews(history), PII)).toEqual([]);

    const bundle = await workflowBundle();
    const rotated = createDataConverter(testCodecKeys(['test-a', 'test-b'], 'test-b'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: rotated }, history, wf),
    ).resolves.toBeUndefined();
    // Key A removed too early: the old payloads no longer decode.
    const [inputA] = await new AesGcmCodec(keysA).encode([defaultPayloadConverter.toPayload({ x: 1 })]);
    await expect(new AesGcmCodec(testCodecKeys(['test-b'])).decode([inputA!])).rejects.toThrow(/key id "test-a"/);
  });

  it('the worker refuses to start in production without keys, with a clear message (exit 2)', async () => {
    const run = (extra: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--require', 'tsx/cjs', WORKER_MAIN], {
          env: {
            PATH: process.env.PATH,
            NODE_ENV: 'production',
            MONGODB_URI: 'mongodb://127.0.0.1:1',
            AMAZON_PAY_PUBLIC_KEY_ID: 'LIVE-TEST',
            AMAZON_PAY_PRIVATE_KEY: '/nonexistent.pem',
            ...extra,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const none = await run({});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/NODE_ENV=production: the worker refuses to start without PAYLOAD_CODEC_KEYS/);
    expect(none.stderr).toMatch(/keygen\.ts/);

    const secretish = Buffer.from('sixteen byte key').toString('base64');
    const bad = await run({ PAYLOAD_CODEC_KEYS: `k1:${secretish}` });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/key "k1" decodes to 16 bytes/);
    expect(bad.stderr).not.toContain(secretish);
  });

  it('worker logs at debug level during a checkout contain no PII and no key material', async () => {
    const hs = await createHarness({ worker: false });
    let logs = '';
    const child = spawnWorkerProcess(hs, { LOG_LEVEL: 'debug' }, { output: 'pipe' });
    child.stdout!.on('data', (c: Buffer) => (logs += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (logs += c.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await eventually(async () => logs.includes('worker ready'), 60_000);
      await finalizeCheckout(hs);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await hs.close();
    }
    expect(logs).toMatch(/"codec":"AesGcmCodec\(current=test-b, keys=test-a,test-b\)",[^\n]*"msg":"worker ready"/);
    expect(logs.split('\n').length).toBeGreaterThan(3);
    expect(leaked([logs], [...PII, ...testKeyLeakForms(), hs.privateKeyPem.split('\n')[1]!])).toEqual([]);
  });

  it('measures the codec overhead: history size and encode/decode time per payload', async () => {
    const [wfC, wfP] = await Promise.all([finalizeCheckout(h), finalizeCheckout(hPlain)]);
    const hc = await h.client.workflow.getHandle(wfC).fetchHistory();
    const hp = await hPlain.client.workflow.getHandle(wfP).fetchHistory();
    const size = (x: History) => ({
      proto: historyBytes(x).length,
      json: historyToJSON(x).length,
      events: x.events!.length,
    });
    const c = size(hc);
    const p = size(hp);

    const codec = h.dataConverter.payloadCodecs![0]!;
    const samples = payloadsOf(hp).filter((x) => !notCodecVisible(x.path));
    const input = hp.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]! as Payload;
    const N = 2000;
    const time = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < 200; i++) await fn();
      const t = process.hrtime.bigint();
      for (let i = 0; i < N; i++) await fn();
      return Number(process.hrtime.bigint() - t) / 1e3 / N;
    };
    const [enc] = await codec.encode([input]);
    const encUs = await time(() => codec.encode([input]));
    const decUs = await time(() => codec.decode([enc!]));
    process.stderr.write(
      `codec overhead (finalize happy path, ${p.events} events, ${samples.length} codec-visible payloads):\n` +
        `  history proto bytes: plain ${p.proto}, encrypted ${c.proto} (+${c.proto - p.proto}, +${(((c.proto - p.proto) / p.proto) * 100).toFixed(1)}%)\n` +
        `  history JSON chars:  plain ${p.json}, encrypted ${c.json} (+${c.json - p.json}, +${(((c.json - p.json) / p.json) * 100).toFixed(1)}%)\n` +
        `  workflow input payload: ${temporal.api.common.v1.Payload.encode(input).finish().length} → ${temporal.api.common.v1.Payload.encode(enc!).finish().length} bytes\n` +
        `  encode ${encUs.toFixed(1)} µs, decode ${decUs.toFixed(1)} µs per payload (mean of ${N}, this machine)\n`,
    );
    expect(c.events).toBe(p.events);
    expect(encUs).toBeLessThan(1000);
    expect(decUs).toBeLessThan(1000);
  });
});
