// Scenario 3: many sessions waiting for their return (deadline hours away). Open sessions must cost no worker
// memory (DESIGN.md, "Scale-out path"): the worker's sticky cache is bounded, so its RSS should stay flat while
// Temporal's grows with the open executions. Then every session is returned and the drain rate measured.
import { temporal } from '@temporalio/proto';
import { DBS, QUEUES, type BenchEnv } from './env';
import { buyerAction, createSession, returnViaUrl, startViaApi } from './impls';
import { round1, rssOf, rssPeaks } from './metrics';
import { pool, sleep } from './pool';

export interface WaitingResult {
  sessions: number;
  concurrency: number;
  maxCachedWorkflows: number;
  /** POST /api/checkout-sessions answered. */
  startPerSecond: number;
  /** Until every session's `Created` step was in MongoDB (the HTTP server writes it before each start). */
  startRecordedPerSecond: number;
  /** Until the worker had run every start: the task queue's workflow backlog empty (Temporal's approximate count). */
  startProcessedPerSecond: number;
  startErrors: number;
  drainPerSecond: number;
  drainCompleted: number;
  drainErrors: number;
  firstError?: string;
  /** The worker's RSS, MiB, at the three moments that matter (the same figures as in rssMiB). */
  workerRssMiB: { before: number; allWaiting: number; afterDrain: number };
  /** MiB per process at each moment. */
  rssMiB: { before: Record<string, number>; peakDuringStart: Record<string, number>; allWaiting: Record<string, number>; peakDuringDrain: Record<string, number>; afterDrain: Record<string, number> };
}

const WATCHED = ['worker', 'temporal', 'store', 'http'];

export async function runWaiting(
  env: BenchEnv,
  o: { sessions: number; concurrency: number; maxCachedWorkflows: number; say: (l: string) => void },
): Promise<WaitingResult> {
  const procs = env.procs.filter((p) => WATCHED.includes(p.name));
  const ids = Array.from({ length: o.sessions }, () => '');
  const made = await pool(ids, 16, async (_, i) => {
    ids[i] = await createSession(env);
    await buyerAction(env, ids[i], 'approve');
  });
  if (made.errors.length > 0) throw new Error(`emulator setup failed: ${made.errors[0]!.error.message}`);
  o.say(`waiting: ${o.sessions} sessions created and approved at the emulator`);

  const before = rssOf(procs);
  // One deadline for the whole batch: it also finds this batch's records in MongoDB (indexed field).
  const deadline = new Date(Date.now() + 6 * 3600_000);
  const sessions = env.db(DBS.service).collection('checkoutSessions');
  const waitingCount = () => sessions.countDocuments({ deadline, state: 'AwaitingReturn' });

  let peaks = rssPeaks(procs);
  const t0 = performance.now();
  const started = await pool(ids, o.concurrency, (id) => startViaApi(env, { checkoutSessionId: id, deadline: deadline.toISOString() }));
  const startS = (performance.now() - t0) / 1000;
  o.say(`waiting: ${o.sessions - started.errors.length} started in ${startS.toFixed(1)} s`);
  const expected = o.sessions - started.errors.length;
  const recordBy = performance.now() + 10 * 60_000;
  while ((await waitingCount()) < expected && performance.now() < recordBy) await sleep(250);
  const recordedS = (performance.now() - t0) / 1000;
  while ((await workflowBacklog(env)) > 0 && performance.now() < recordBy) await sleep(250);
  const processedS = (performance.now() - t0) / 1000;
  const peakDuringStart = peaks.stop();
  await sleep(3_000);
  const allWaiting = rssOf(procs);

  peaks = rssPeaks(procs);
  const t1 = performance.now();
  const drained = await pool(ids, o.concurrency, async (id) => {
    const state = await returnViaUrl(env, id);
    if (state !== 'Completed') throw new Error(`outcome ${state}`);
  });
  const drainS = (performance.now() - t1) / 1000;
  const peakDuringDrain = peaks.stop();
  await sleep(3_000);
  const afterDrain = rssOf(procs);
  const drainCompleted = o.sessions - drained.errors.length;
  const firstError = started.errors[0]?.error.message ?? drained.errors[0]?.error.message;

  return {
    sessions: o.sessions,
    concurrency: o.concurrency,
    maxCachedWorkflows: o.maxCachedWorkflows,
    startPerSecond: round1(expected / startS),
    startRecordedPerSecond: round1(expected / recordedS),
    startProcessedPerSecond: round1(expected / processedS),
    startErrors: started.errors.length,
    drainPerSecond: round1(drainCompleted / drainS),
    drainCompleted,
    drainErrors: drained.errors.length,
    ...(firstError ? { firstError } : {}),
    workerRssMiB: { before: before.worker ?? Number.NaN, allWaiting: allWaiting.worker ?? Number.NaN, afterDrain: afterDrain.worker ?? Number.NaN },
    rssMiB: { before, peakDuringStart, allWaiting, peakDuringDrain, afterDrain },
  };
}

/** Workflow tasks waiting in the service's task queue (starts the worker has not run yet), as Temporal counts them. */
async function workflowBacklog(env: BenchEnv): Promise<number> {
  const r = await env.temporal.workflowService.describeTaskQueue({
    namespace: env.stack.namespace,
    taskQueue: { name: QUEUES.service },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  return Number(r.stats?.approximateBacklogCount ?? 0);
}
