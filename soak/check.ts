// Checking: once every workflow has closed, each session against the emulator's truth — exactly-once effects, the
// closed workflow's outcome, the record, the timeline, the webhook and the answers its returns got.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { CheckoutRecords } from '../records/checkout-sessions';
import type { Emulator } from '../emulator';
import { checkoutWorkflowId, type CheckoutOutcome } from '../workflows/checkout-session';
import { sleep } from './drive';
import type { Plan } from './plan';
import type { Service } from './service';
import type { WebhookReceiver } from './webhook-receiver';

export interface Violation {
  session: string;
  workflowId: string;
  problem: string;
  files: string[];
}

/** Gives every workflow time to reach its end, then checks each session; evidence of a failing one goes to `outDir`. */
export async function settleAndCheck(
  plans: Plan[],
  svc: Pick<Service, 'client' | 'emulator' | 'records' | 'receiver' | 'taskQueue'>,
  outDir: string,
): Promise<Violation[]> {
  const { client, emulator: em, records, receiver: hooks } = svc;
  const violations: Violation[] = [];
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
      const files = await exportEvidence(outDir, p, client, em);
      for (const problem of problems) violations.push({ session: p.id, workflowId: checkoutWorkflowId(p.id), problem, files });
    }
  }
  for (const p of plans.filter((x) => !x.id && x.error)) {
    violations.push({ session: `#${p.index}`, workflowId: '-', problem: `never created: ${p.error}`, files: [] });
  }
  let open = 0;
  for await (const _ of client.workflow.list({ query: `TaskQueue = '${svc.taskQueue}' AND ExecutionStatus = 'Running'` })) open++;
  if (open > 0) violations.push({ session: '*', workflowId: '*', problem: `${open} workflows still open`, files: [] });
  return violations;
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
