// Scenario 5: cost of one happy-path session, counted: Temporal history events (fetchHistory) and MongoDB write
// commands. Writes are counted by the store itself: the difference in its serverStatus write-command counters
// (insert, update, delete, findAndModify) around one session run alone, from the merchant's start until the
// workflow has closed. For the service the session's own records are shown beside it as a cross-check: timeline
// documents (one insert each) and the session document's `seq` (one guarded update per step).
import type { Db } from 'mongodb';
import { DBS, type BenchEnv } from './env';
import type { Impl, ImplName } from './impls';
import { sleep } from './pool';

export interface CostRow {
  sessions: number;
  /** Per session, the largest seen (`varies` when sessions differed); null without a workflow. */
  historyEvents: number | null;
  mongoWrites: number;
  varies: boolean;
  timelineDocs?: number;
  sessionSeq?: number;
}

export type CostResult = Partial<Record<ImplName, CostRow>>;

/** Write commands the store has served so far (FerretDB: metrics.commands; mongod: opcounters). */
async function writeCommands(admin: Db): Promise<number> {
  const s = (await admin.command({ serverStatus: 1 })) as {
    metrics?: { commands?: Record<string, { total?: number }> };
    opcounters?: Record<string, number>;
  };
  const cmds = s.metrics?.commands;
  if (cmds && ['insert', 'update', 'delete', 'findAndModify'].some((k) => cmds[k])) {
    return ['insert', 'update', 'delete', 'findAndModify'].reduce((n, k) => n + (cmds[k]?.total ?? 0), 0);
  }
  const o = s.opcounters ?? {};
  return (o.insert ?? 0) + (o.update ?? 0) + (o.delete ?? 0);
}

async function waitClosed(env: BenchEnv, workflowId: string): Promise<void> {
  const handle = env.temporal.workflow.getHandle(workflowId);
  for (let i = 0; i < 500; i++) {
    if ((await handle.describe()).status.name !== 'RUNNING') return;
    await sleep(10);
  }
  throw new Error(`workflow ${workflowId} still running`);
}

export async function runCost(env: BenchEnv, impls: readonly Impl[], sessions: number): Promise<CostResult> {
  const admin = env.db('admin');
  const result: CostResult = {};
  for (const impl of impls) {
    const rows: { history: number | null; writes: number; timeline?: number; seq?: number }[] = [];
    for (let i = 0; i < sessions; i++) {
      await sleep(200); // the previous session's tail (workflow completion) is over
      const before = await writeCommands(admin);
      const id = await impl.prepare();
      const state = await impl.complete(id);
      if (state !== 'Completed') throw new Error(`${impl.name}: outcome ${state}`);
      const workflowId = impl.workflowId?.(id);
      if (workflowId) await waitClosed(env, workflowId);
      // serverStatus itself is not a write; reading it after the run counts only the session's writes.
      const writes = (await writeCommands(admin)) - before;
      const history = workflowId ? (await env.temporal.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0 : null;
      const row: (typeof rows)[number] = { history, writes };
      if (impl.name === 'service') {
        const db = env.db(DBS.service);
        row.timeline = await db.collection('checkoutSessionEvents').countDocuments({ checkoutSessionId: id });
        row.seq = ((await db.collection<{ _id: string; seq: number }>('checkoutSessions').findOne({ _id: id }))?.seq) ?? 0;
      }
      rows.push(row);
    }
    const first = rows[0]!;
    const varies = rows.some((r) => r.history !== first.history || r.writes !== first.writes);
    const max = (f: (r: (typeof rows)[number]) => number) => Math.max(...rows.map(f));
    result[impl.name] = {
      sessions,
      historyEvents: first.history === null ? null : max((r) => r.history ?? 0),
      mongoWrites: max((r) => r.writes),
      varies,
      ...(first.timeline !== undefined ? { timelineDocs: max((r) => r.timeline ?? 0), sessionSeq: max((r) => r.seq ?? 0) } : {}),
    };
  }
  return result;
}
