// What one cached workflow costs in memory, from V8 heap snapshots (`npm run bench:heap`, not part of npm test).
//
// Runs the checkout workflow in a worker in debug mode (workflows in this process's heap, so one snapshot holds them),
// against its own local stack, twice: with the bundle the worker runs (zod and the schemas preloaded, built once per
// thread: worker/bundle.ts) and with a plain bundle of the same code (every run evaluating zod and building the
// schemas again, as before the preload). Each time it starts N sessions whose starter recorded the start (no activity
// runs), waits until every run has answered a query (each is in the sticky cache), collects garbage and snapshots the
// heap before and after. Prints the heap per cached workflow and the object kinds that grew most.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { connectClient } from '../client/temporal/connection';
import { startCheckout } from '../client/temporal/checkout';
import { startStack } from '../dev/stack';
import { workflowBundleOptions, WORKFLOWS_PATH } from '../worker/bundle';
import { status } from '../workflows/checkout-session';
import { pool } from './pool';

interface Kind {
  count: number;
  bytes: number;
}

/** Self size and count per object kind (`type:name`, names of strings and closures folded) in a heap snapshot file. */
function kinds(file: string): Map<string, Kind> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const f = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [T, N, S, W] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size'), f.length];
  const out = new Map<string, Kind>();
  for (let i = 0; i < snap.nodes.length; i += W) {
    const type = types[snap.nodes[i + T]!]!;
    const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '' : snap.strings[snap.nodes[i + N]!]!;
    const key = `${type}:${type === 'closure' || type === 'code' ? '' : name.slice(0, 60)}`;
    const k = out.get(key) ?? { count: 0, bytes: 0 };
    k.count += 1;
    k.bytes += snap.nodes[i + S]!;
    out.set(key, k);
  }
  return out;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sessions: { type: 'string', default: '200' } } });
  const n = Number(values.sessions);
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc (npm run bench:heap does)');
  const say = (l: string) => process.stderr.write(`[heap] ${l}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'checkout-heap-'));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const stack = await startStack({ dataDir: dir, say });
  try {
    const { client, connection: clientConnection } = await connectClient({ address: stack.temporalAddress, namespace: stack.namespace });
    const bundles: [string, Promise<WorkflowBundleWithSourceMap>][] = [
      ['plain bundle (every run builds zod and the schemas)', bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') })],
      ['preloaded (worker/bundle.ts, what the worker runs)', bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('ERROR') })],
    ];
    const rows: string[] = [];
    for (const [label, bundle] of bundles) {
      const taskQueue = `heap-${randomUUID()}`;
      const connection = await NativeConnection.connect({ address: stack.temporalAddress });
      const worker = await Worker.create({ connection, namespace: stack.namespace, taskQueue, workflowBundle: await bundle, activities: {}, debugMode: true, maxCachedWorkflows: n + 10 });
      const running = worker.run();
      const startOne = async () => {
        const id = randomUUID();
        // The starter "recorded" the start: the workflow runs no activity and waits for the return (hours away).
        const r = await startCheckout(client, { checkoutSessionId: id, flow: 'complete', chargeAmount: { amount: '14.00', currencyCode: 'USD' }, deadline: new Date(Date.now() + 6 * 3600_000).toISOString() }, taskQueue, { startRecorded: true });
        await client.workflow.getHandle(r.workflowId).query(status);
      };
      await startOne(); // warm: the bundle's context and the shared modules exist before the baseline
      gc();
      const before = writeHeapSnapshot(join(dir, 'before.heapsnapshot'));
      const heapBefore = process.memoryUsage().heapUsed;
      const started = await pool(Array.from({ length: n }), 16, startOne);
      if (started.errors.length > 0) throw started.errors[0]!.error;
      gc();
      const heapAfter = process.memoryUsage().heapUsed;
      const after = writeHeapSnapshot(join(dir, 'after.heapsnapshot'));
      worker.shutdown();
      await running;
      await connection.close();

      const [k0, k1] = [kinds(before), kinds(after)];
      rmSync(before);
      rmSync(after);
      const grown = [...k1]
        .map(([key, k]) => ({ key, bytes: k.bytes - (k0.get(key)?.bytes ?? 0), count: k.count - (k0.get(key)?.count ?? 0) }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 8);
      rows.push(`${label}: ${n} cached workflows, heap ${(heapBefore / 2 ** 20).toFixed(0)} → ${(heapAfter / 2 ** 20).toFixed(0)} MiB, ${((heapAfter - heapBefore) / n / 1024).toFixed(0)} KiB per cached workflow`);
      for (const g of grown) rows.push(`    ${(g.bytes / n / 1024).toFixed(1).padStart(7)} KiB/wf  ${String(Math.round(g.count / n)).padStart(6)} objects/wf  ${g.key}`);
    }
    await clientConnection.close();
    process.stdout.write(`${rows.join('\n')}\n`);
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
