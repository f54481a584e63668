// The operator CLI as operators run it: `node bin/checkout.js …` as a real process against the integration stack,
// with the harness's worker on its own task queue and the emulator as Amazon Pay (CONVENTIONS.md 14).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { deliverReturn, startCheckout } from '../../../client/temporal/checkout';
import type { StatusReport } from '../../../client/cli/format';
import { checkoutWorkflowId, type CheckoutOutcome } from '../../../workflows/checkout-session';
import { createHarness, deadlineIn, eventually, workflowBundle, type Harness } from '../../helpers/checkout-harness';
import { testCodecEnv } from '../../helpers/codec-keys';
import { testStack } from '../../helpers/env';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../../..');
const BIN = join(ROOT, 'bin/checkout.js');

let h: Harness;
let dir: string;
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  h = await createHarness();
  dir = mkdtempSync(join(tmpdir(), 'checkout-cli-'));
  const stack = testStack();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAYLOAD_CODEC_')));
  cliEnv = {
    ...inherited,
    NODE_OPTIONS: '',
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    TASK_QUEUE: h.taskQueue,
    MONGODB_URI: stack.mongodbUri,
    MONGODB_DB: h.db.databaseName,
    // The harness's worker encrypts payloads with the test keys: the CLI must read what it wrote.
    ...testCodecEnv(),
  };
});
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const usd = (amount: string) => ({ amount, currencyCode: 'USD' });
const input = (id: string, o: Record<string, unknown> = {}) => ({
  checkoutSessionId: id,
  flow: 'complete',
  chargeAmount: usd('14.00'),
  deadline: deadlineIn(90_000),
  merchantReferenceId: `order-${randomUUID().slice(0, 8)}`,
  ...o,
});
const result = (id: string) => h.client.workflow.getHandle(checkoutWorkflowId(id)).result() as Promise<CheckoutOutcome>;
const BUYER_DATA = /susie|Susie Smith|Ditka|Chicago|800-000-0000/;

describe('operator CLI', () => {
  let completedId: string;

  it('start: creates the workflow, the same input again is the same workflow, another input is a conflict', async () => {
    const id = await h.createSession();
    const body = input(id);
    const first = await cli('start', '--json', JSON.stringify(body));
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const started = JSON.parse(first.stdout) as { workflowId: string; runId: string; created: boolean };
    expect(started).toEqual({ workflowId: checkoutWorkflowId(id), runId: expect.any(String), created: true });

    const file = join(dir, 'input.json');
    writeFileSync(file, JSON.stringify(body));
    const again = await cli('start', '--file', file);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ ...started, created: false });

    const conflict = await cli('start', '--json', JSON.stringify({ ...body, chargeAmount: usd('15.00') }));
    expect(conflict.code).toBe(3);
    expect(conflict.stderr).toMatch(/conflict: checkout session already started with a different request/);
    expect((await h.client.workflow.getHandle(checkoutWorkflowId(id)).describe()).runId).toBe(started.runId);
    completedId = id;
  });

  it('start: invalid input lists every problem with exit 2 and starts nothing', async () => {
    const id = `cli-invalid-${randomUUID()}`;
    const r = await cli('start', '--json', JSON.stringify({ checkoutSessionId: id, flow: 'complete', chargeAmount: usd('14.001') }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid checkout input/);
    expect(r.stderr).toMatch(/at deadline/);
    expect(r.stderr).toMatch(/decimal places, the currency allows [0-9]+[\s\S]*at chargeAmount\.amount/);
    expect((await cli('status', id)).code).toBe(4);

    expect((await cli('start', '--json', '{not json')).code).toBe(2);
    expect((await cli('start')).stderr).toMatch(/exactly one of --file/);
  });

  it('status: while waiting for the return, then after completing; buyer data only with --show-buyer', async () => {
    const id = completedId;
    const waiting = await cli('status', id);
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toMatch(/Workflow status\s+RUNNING/);
    expect(waiting.stdout).toMatch(/State\s+AwaitingReturn/);
    expect(waiting.stdout).toMatch(/Buyer returned\s+no/);
    const waitingJson = JSON.parse((await cli('status', id, '--json')).stdout) as StatusReport;
    expect(waitingJson).toMatchObject({ checkoutSessionId: id, workflow: { status: 'RUNNING' }, status: { state: 'AwaitingReturn', returned: false } });

    await h.buyer(id, 'approve');
    const r = await deliverReturn(h.client, id, 30_000);
    expect(r).toMatchObject({ kind: 'outcome', outcome: { state: 'Completed' } });
    const outcome = (r as { outcome: CheckoutOutcome }).outcome;

    const done = await cli('status', id);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/Workflow status\s+COMPLETED/);
    expect(done.stdout).toContain(`Completed chargeId=${outcome.chargeId}`);
    expect(done.stdout).toMatch(/Record \(MongoDB\)[\s\S]*state\s+Completed[\s\S]*chargeAmount\s+14\.00 USD/);
    expect(done.stdout).not.toMatch(BUYER_DATA);

    const json = JSON.parse((await cli('status', id, '--json')).stdout) as StatusReport;
    expect(json).toMatchObject({
      workflow: { workflowId: checkoutWorkflowId(id), status: 'COMPLETED' },
      status: { state: 'Completed', returned: true },
      outcome: { state: 'Completed', chargeId: outcome.chargeId },
      record: { checkoutSessionId: id, state: 'Completed', chargeId: outcome.chargeId, chargeAmount: { amount: '14.00', currencyCode: 'USD', minor: 1400 } },
      warnings: [],
    });
    expect(json.record).not.toHaveProperty('buyer');
    expect(JSON.stringify(json)).not.toMatch(BUYER_DATA);

    const withBuyer = JSON.parse((await cli('status', id, '--json', '--show-buyer')).stdout) as StatusReport;
    expect(withBuyer.record?.buyer).toMatchObject({ email: 'susie@example.com' });
  });

  it('list --state Completed finds the session through visibility', async () => {
    const row = await eventually(async () => {
      const r = await cli('list', '--state', 'Completed', '--limit', '1000', '--json');
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as Array<Record<string, string>>).find((s) => s.checkoutSessionId === completedId);
    }, 30_000, 500);
    expect(row).toMatchObject({ state: 'Completed', workflowStatus: 'COMPLETED', workflowId: checkoutWorkflowId(completedId) });
    expect(Date.parse(row.startTime!)).not.toBeNaN();

    const table = await cli('list', '--state', 'Completed', '--limit', '1000');
    expect(table.stdout.split('\n')[0]).toMatch(/^CHECKOUT SESSION ID\s+STATE\s+WORKFLOW STATUS\s+STARTED$/);
    expect(table.stdout).toMatch(new RegExp(`${completedId}\\s+Completed\\s+COMPLETED\\s+\\d{4}-`));
  });

  it('history --out writes JSON that replays against the workflow code', async () => {
    const out = join(dir, 'history.json');
    const r = await cli('history', completedId, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote \d+ events/);
    expect(statSync(out).mode & 0o077).toBe(0);
    const history = JSON.parse(readFileSync(out, 'utf8')) as { workflowId: string; events: unknown[] };
    expect(history.workflowId).toBe(checkoutWorkflowId(completedId));
    expect(history.events.length).toBeGreaterThan(5);
    // The workflow checks that its ID matches the session, so the replay runs under the ID the file carries.
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: h.dataConverter },
        history,
        history.workflowId,
      ),
    ).resolves.toBeUndefined();
  });

  it('cancel: ends a session still waiting for the return as BuyerCanceled; a second cancel finds it ended', async () => {
    const id = await h.createSession();
    await startCheckout(h.client, input(id), h.taskQueue);
    const r = await cli('cancel', id);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`canceled ${checkoutWorkflowId(id)}: BuyerCanceled (recorded)`);
    expect(await result(id)).toMatchObject({ checkoutSessionId: id, state: 'BuyerCanceled' });
    expect((await h.records.get(id))?.state).toBe('BuyerCanceled');

    const again = await cli('cancel', id);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already ended \(BuyerCanceled\)/);
  });

  it('an unknown session is exit 4 for status, history and cancel', async () => {
    const id = randomUUID();
    const runs = [['status', id], ['history', id, '--out', join(dir, 'none.json')], ['cancel', id]];
    for (const [i, r] of (await Promise.all(runs.map((args) => cli(...args)))).entries()) {
      expect({ args: runs[i], code: r.code }).toEqual({ args: runs[i], code: 4 });
      expect(r.stderr).toContain(`unknown checkout session ${id}`);
    }
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
  });

  it('the launcher answers bad arguments with exit 2 and --help with usage (the rest: test/unit/cli)', async () => {
    const [bad, help, top] = await Promise.all([cli('list', '--state', 'Done'), cli('status', '--help'), cli('help')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--state "Done" is not a CheckoutState; one of: AwaitingReturn, .*Completed/);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: checkout status <checkoutSessionId>/) });
    expect(top).toMatchObject({ code: 0, stdout: expect.stringMatching(/Commands:/) });
  });
});
