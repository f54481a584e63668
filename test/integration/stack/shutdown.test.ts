// No orphan services: Ctrl-C (SIGINT) stops them cleanly, and a parent killed outright takes them with it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pred();
}

async function startChild(dir: string) {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, '../../helpers/stack-child.ts'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pids = await new Promise<number[]>((res, rej) => {
    let buf = '';
    child.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) res((JSON.parse(line) as { pids: number[] }).pids);
    });
    child.once('exit', (code) => rej(new Error(`stack child exited early with ${code}`)));
  });
  return { child, pids };
}

describe('stack shutdown', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkout-shutdown-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('SIGINT stops Temporal and the store and exits 130', async () => {
    const { child, pids } = await startChild(dir);
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    const exited = new Promise<number | null>((res) => child.once('exit', res));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await waitFor(() => pids.every((p) => !alive(p)), 5_000)).toBe(true);
  });

  it('SIGKILL of the parent still takes every service down (parent-death signal)', async () => {
    const { child, pids } = await startChild(dir);
    expect(pids.every(alive)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitFor(() => pids.every((p) => !alive(p)), 5_000)).toBe(true);
  });
});

describe('stack restart', () => {
  it('restarts the store and Temporal on the same ports with their data', async () => {
    const { startStack } = await import('../../../dev/stack');
    const { MongoClient } = await import('mongodb');
    const { Connection } = await import('@temporalio/client');
    const dir = mkdtempSync(join(tmpdir(), 'checkout-restart-'));
    const stack = await startStack({ dataDir: dir, ui: false, say: () => undefined });
    try {
      const write = new MongoClient(stack.mongodbUri);
      await write.db('restart').collection<{ _id: string }>('c').insertOne({ _id: 'kept' });
      await write.close();
      const before = stack.processes.map((p) => p.pid);
      await stack.restart('mongodb');
      await stack.restart('temporal');
      expect(stack.processes.map((p) => p.pid)).not.toEqual(before);
      expect(before.every((p) => !alive(p))).toBe(true);
      const read = new MongoClient(stack.mongodbUri);
      expect(await read.db('restart').collection<{ _id: string }>('c').findOne({ _id: 'kept' })).toEqual({ _id: 'kept' });
      await read.close();
      const conn = await Connection.connect({ address: stack.temporalAddress });
      await expect(conn.workflowService.describeNamespace({ namespace: stack.namespace })).resolves.toBeDefined();
      await conn.close();
    } finally {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
