// Start and message helpers for checkout workflows: the one home every process takes them from (DESIGN.md).
import { createHash } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WithStartWorkflowOperation,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { z } from 'zod';
import type { CheckoutRecords } from '../../records/checkout-sessions';
import {
  CheckoutInput,
  CheckoutSessionIdKey,
  createdStep,
  RecoveryTiming,
  CheckoutStateKey,
  MerchantReferenceKey,
  buyerCanceled,
  buyerReturned,
  buyerReturnedSignal,
  cancelCheckout,
  chargeStateChanged,
  checkoutWorkflowId,
  status,
  formatInputProblems,
  inputBounds,
  type InputBoundsOptions,
  type CheckoutOutcome,
  type CheckoutState,
  type CheckoutStatus,
  type ParsedCheckoutInput,
} from '../../workflows/checkout-session';

export const DEFAULT_TASK_QUEUE = 'checkout-sessions';
export const WORKFLOW_TYPE = 'checkoutSession';

export class InvalidCheckoutInputError extends Error {
  override name = 'InvalidCheckoutInputError';
}

/** Same session ID, different body: the merchant backend has a bug or two carts share a session. */
export class CheckoutConflictError extends Error {
  override name = 'CheckoutConflictError';
}

/** The merchant-facing rules of the input (inputBounds) as a starter applies them; `now` is the request's arrival. */
export type StartBounds = Omit<InputBoundsOptions, 'now' | 'refusePastDeadline'>;

/**
 * The input's shape (CheckoutInput), then what Amazon would never accept (inputBounds): judged now, so a deadline
 * already past is refused here, before anything starts. Every problem is reported at once.
 */
export function parseCheckoutInput(raw: unknown, bounds: StartBounds | false = {}, now = Date.now()): ParsedCheckoutInput {
  const r = CheckoutInput.safeParse(raw);
  if (!r.success) throw new InvalidCheckoutInputError(z.prettifyError(r.error));
  if (bounds === false) return r.data; // the shape only: e.g. to find the run an earlier request started
  const problems = inputBounds(r.data, { ...bounds, now, refusePastDeadline: true });
  if (problems.length > 0) throw new InvalidCheckoutInputError(formatInputProblems(problems));
  return r.data;
}

/** A stable fingerprint of the input: keys sorted, so the same body twice is recognised whatever its key order. */
export function inputFingerprint(input: ParsedCheckoutInput): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(input))).digest('hex').slice(0, 32);
}

/**
 * What the starting process fills in when the merchant's input leaves it out (e.g. the HTTP server's
 * RECOVERY_GRACE_MS). It becomes part of the workflow's input, so it is recorded in history and a replay on any
 * worker makes the same decisions; the input fingerprint stays the merchant's own request.
 */
export interface StartDefaults {
  recoveryGraceMs?: number;
  /** The starter's limits on top of Amazon's rules (the HTTP server's CHECKOUT_MAX_AMOUNTS, DEADLINE_MAX_SKEW_MS). */
  bounds?: StartBounds;
  /**
   * Runs after the input is accepted and before the workflow starts: the HTTP server writes the session's record here,
   * so a session that has a workflow always has a record and the public routes can refuse unknown IDs from the store.
   */
  beforeStart?: (input: ParsedCheckoutInput, workflowId: string) => Promise<void>;
  /**
   * beforeStart writes the Created step (records.reserve with createdStep(input)): the workflow is told so
   * (`startRecorded`) and does not write it again. Only the starter sets the flag; a request's own is dropped.
   */
  startRecorded?: boolean;
}

/**
 * The start of a starter that records it (the HTTP server, the CLI): beforeStart writes the session's record with its
 * Created step (createdStep), and the workflow is told so (`startRecorded`). `then` runs after the write, with whether
 * this call wrote the record (false when the same session was started before).
 */
export function recordingStart(
  records: Pick<CheckoutRecords, 'reserve'>,
  then?: (input: ParsedCheckoutInput, wrote: boolean) => void,
): Pick<StartDefaults, 'beforeStart' | 'startRecorded'> {
  return {
    beforeStart: async (input, workflowId) => {
      const wrote = await records.reserve(input.checkoutSessionId, workflowId, createdStep(input));
      then?.(input, wrote);
    },
    startRecorded: true,
  };
}

function withDefaults(input: ParsedCheckoutInput, d: StartDefaults): ParsedCheckoutInput {
  const { startRecorded: _asked, ...rest } = input;
  return {
    ...rest,
    ...(d.startRecorded ? { startRecorded: true as const } : {}),
    ...(!input.recovery && d.recoveryGraceMs !== undefined ? { recovery: RecoveryTiming.parse({ graceMs: d.recoveryGraceMs }) } : {}),
  };
}

function startOptions(input: ParsedCheckoutInput, taskQueue: string, defaults: StartDefaults = {}) {
  const amount = input.chargeAmount ? `${input.chargeAmount.amount} ${input.chargeAmount.currencyCode}` : 'no amount';
  return {
    taskQueue,
    workflowId: checkoutWorkflowId(input.checkoutSessionId),
    args: [withDefaults(input, defaults)] as [ParsedCheckoutInput],
    // One workflow per session, never reused (DESIGN.md, "Identity").
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    memo: { inputFingerprint: inputFingerprint(input) },
    typedSearchAttributes: [
      { key: CheckoutSessionIdKey, value: input.checkoutSessionId },
      { key: CheckoutStateKey, value: 'AwaitingReturn' },
      ...(input.merchantReferenceId ? [{ key: MerchantReferenceKey, value: input.merchantReferenceId }] : []),
    ],
    staticSummary: `${amount} · ${input.flow}${input.paymentIntent ? ` (${input.paymentIntent})` : ''} · ${input.chargePermissionType}`,
    staticDetails: `Amazon Pay checkout session ${input.checkoutSessionId}; deadline ${input.deadline}`,
  };
}

export interface StartResult {
  workflowId: string;
  runId?: string;
  /** false when the same input had already started this session's workflow. */
  created: boolean;
}

/** Starts the session's workflow; the same input twice is the same workflow; a different input is a conflict. */
export async function startCheckout(client: Client, raw: unknown, taskQueue = DEFAULT_TASK_QUEUE, defaults: StartDefaults = {}): Promise<StartResult> {
  const input = parseCheckoutInput(raw, defaults.bounds);
  const opts = startOptions(input, taskQueue, defaults);
  await defaults.beforeStart?.(input, opts.workflowId);
  try {
    const handle = await client.workflow.start(WORKFLOW_TYPE, opts);
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const runId = await assertSameInput(client, opts.workflowId, opts.memo.inputFingerprint);
    return { workflowId: opts.workflowId, runId, created: false };
  }
}

/** Refuses a different order for a session that already has its workflow; returns that workflow's run ID. */
async function assertSameInput(client: Client, workflowId: string, fingerprint: string): Promise<string> {
  const d = await client.workflow.getHandle(workflowId).describe();
  if (d.memo?.inputFingerprint !== fingerprint) {
    throw new CheckoutConflictError(`checkout session already started with a different request (workflow ${workflowId})`);
  }
  return d.runId;
}

export type ReturnResult =
  | { kind: 'outcome'; outcome: CheckoutOutcome }
  /** The bounded wait ran out before an outcome: the caller shows a page that polls. `state` is the true state now. */
  | { kind: 'timeout'; state?: CheckoutState }
  | { kind: 'unknown-session' };

/** What a cancel came to: the outcome when it was decided in time (BuyerCanceled if the cancel won). */
export type CancelResult = ReturnResult;

/**
 * Delivers buyerReturned and waits (bounded) for the outcome. A closed workflow answers with its result, so a
 * buyer who reloads the return page after the end sees the same outcome.
 */
export function deliverReturn(client: Client, checkoutSessionId: string, waitMs = 20_000): Promise<ReturnResult> {
  return sessionUpdate(client, checkoutSessionId, buyerReturned, waitMs);
}

/** How long one shared update may wait for its outcome before it is cancelled (the next request starts another). */
const SHARED_UPDATE_MAX_MS = 60_000;

/** Updates in flight per client, by message and session: concurrent and repeated requests wait on the same one. */
const inFlight = new WeakMap<Client, Map<string, Promise<ReturnResult>>>();

/**
 * One of the session's updates, sent again if the server dropped it unprocessed, answered within `waitMs`. Requests
 * for the same session and message share one update while it is in flight: duplicate returns, and a buyer who asks
 * again after a 202, add no update to Temporal and no waiting call to this process. The shared update outlives a
 * request's wait (the next one joins it) but not SHARED_UPDATE_MAX_MS.
 */
async function sessionUpdate(client: Client, checkoutSessionId: string, def: typeof buyerReturned, waitMs: number): Promise<ReturnResult> {
  let updates = inFlight.get(client);
  if (!updates) inFlight.set(client, (updates = new Map()));
  const key = `${def.name}:${checkoutSessionId}`;
  let shared = updates.get(key);
  if (!shared) {
    const handle = client.workflow.getHandle<(i: ParsedCheckoutInput) => Promise<CheckoutOutcome>>(checkoutWorkflowId(checkoutSessionId));
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), SHARED_UPDATE_MAX_MS);
    const map = updates;
    shared = client
      .withAbortSignal(ac.signal, () =>
        retryUnprocessed(() => handle.executeUpdate(def, { args: [{ checkoutSessionId }] })).then(
          (outcome) => ({ kind: 'outcome', outcome }) as const,
          (err: unknown) => closedOrUnknown(handle, err),
        ),
      )
      // Cancelled at SHARED_UPDATE_MAX_MS, or Temporal's own deadline for the update passed (the worker is behind):
      // for whoever still waits on it, the wait ran out; the buyer asks again (202), not an internal error.
      .catch((err: unknown): ReturnResult => {
        if (ac.signal.aborted || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return { kind: 'timeout' };
        throw err;
      })
      .finally(() => {
        clearTimeout(timer);
        map.delete(key);
      });
    shared.catch(() => undefined); // its requests may all have answered already
    updates.set(key, shared);
  }
  return raceTimeout(shared, waitMs);
}

/** Whether this client is delivering the session's return (or cancel) now: a request that joins needs no signal. */
export function delivering(client: Client, kind: 'return' | 'cancel', checkoutSessionId: string): boolean {
  const def = kind === 'return' ? buyerReturned : cancelCheckout;
  return inFlight.get(client)?.has(`${def.name}:${checkoutSessionId}`) ?? false;
}

/** `p`'s result, or `{ kind: 'timeout' }` once `ms` have passed (`p` goes on). */
export async function raceTimeout<T>(p: Promise<T>, ms: number): Promise<T | { kind: 'timeout' }> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<{ kind: 'timeout' }>((res) => {
    timer = setTimeout(() => res({ kind: 'timeout' }), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

const UNPROCESSED_UPDATE = /wasn't processed by worker/i;

/**
 * The server rejects an update that a workflow task carried but the worker did not process (it happens when many
 * arrive together while the run moves on, e.g. 20 concurrent returns). Nothing was applied, and our updates are
 * idempotent, so it is sent again a few times, briefly apart; any other failure passes through.
 */
async function retryUnprocessed<T>(send: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await send();
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? (err.cause as Error | undefined)?.message : undefined;
      if (i >= attempts || !cause || !UNPROCESSED_UPDATE.test(cause)) throw err;
      await new Promise((r) => setTimeout(r, 50 * i));
    }
  }
}

/** Buy Now / mobile: start (if needed) and deliver the return in one request (update-with-start). */
export async function startAndReturn(
  client: Client,
  raw: unknown,
  taskQueue = DEFAULT_TASK_QUEUE,
  waitMs = 20_000,
  defaults: StartDefaults = {},
): Promise<ReturnResult & { created?: boolean }> {
  const input = parseCheckoutInput(raw, defaults.bounds);
  const opts = startOptions(input, taskQueue, defaults);
  await defaults.beforeStart?.(input, opts.workflowId);
  // A start operation is used once: each attempt gets its own.
  const send = () =>
    client.workflow.executeUpdateWithStart(buyerReturned, {
      args: [{ checkoutSessionId: input.checkoutSessionId }],
      startWorkflowOperation: new WithStartWorkflowOperation(WORKFLOW_TYPE, { ...opts, workflowIdConflictPolicy: 'USE_EXISTING' }),
    });
  const result = await withinWait(client, waitMs, () =>
    retryUnprocessed(send).then(
      (outcome) => ({ kind: 'outcome', outcome }) as const,
      (err: unknown) => closedOrUnknown(client.workflow.getHandle(opts.workflowId), err),
    ),
  );
  // USE_EXISTING attaches to a workflow started by an earlier request: it must be for the same order.
  await assertSameInput(client, opts.workflowId, opts.memo.inputFingerprint);
  return result;
}

/**
 * A message could not reach a running workflow: the run is closed (its result is the answer) or never existed.
 * update-with-start answers WorkflowExecutionAlreadyStarted once the run has closed (USE_EXISTING attaches only to a
 * running workflow, and a closed one is never reused), so concurrent duplicates of a request that closed the run
 * get the same outcome as the first.
 */
async function closedOrUnknown(handle: WorkflowHandle, err: unknown): Promise<ReturnResult> {
  if (err instanceof WorkflowNotFoundError || err instanceof WorkflowExecutionAlreadyStartedError || isNotFound(err)) {
    // The workflow may exist but be closed: its result is the outcome.
    try {
      const d = await handle.describe();
      if (d.status.name !== 'RUNNING') return { kind: 'outcome', outcome: (await handle.result()) as CheckoutOutcome };
    } catch (e) {
      if (e instanceof WorkflowNotFoundError || isNotFound(e)) return { kind: 'unknown-session' };
      throw e;
    }
  }
  if (err instanceof WorkflowUpdateFailedError) throw err;
  throw err;
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: number } | undefined)?.code;
  const message = (err as Error | undefined)?.message ?? '';
  return code === 5 || /not found|already completed/i.test(message);
}

/**
 * Runs `fn` for at most `ms`. When the wait runs out, every Temporal call `fn` still has in flight (the update's long
 * poll, its retries, the reads after it) is cancelled: an answered request leaves nothing waiting behind it, so
 * buyers who ask again and again cannot pile up updates in this process or in Temporal.
 */
async function withinWait<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T | { kind: 'timeout' }> {
  const ac = new AbortController();
  const p = client.withAbortSignal(ac.signal, fn);
  try {
    return await raceTimeout(p, ms);
  } finally {
    ac.abort();
    p.catch(() => undefined); // cancelled after the answer: nobody waits for it
  }
}

/**
 * Asks the workflow to cancel and waits (bounded) for what became true: `BuyerCanceled` when the cancel was applied,
 * otherwise the state that won (the buyer had returned, the session had ended). A closed run answers with its result.
 */
export function deliverCancel(client: Client, checkoutSessionId: string, waitMs = 20_000): Promise<CancelResult> {
  return sessionUpdate(client, checkoutSessionId, cancelCheckout, waitMs);
}

/** The fire-and-forget return signal, for callers that will not wait for the outcome (the buyer's page asks again). */
export const signalReturn = (client: Client, checkoutSessionId: string): Promise<boolean> => sessionSignal(client, checkoutSessionId, buyerReturnedSignal);

/** The fire-and-forget cancel signal, for callers that need no answer. */
export const signalCancel = (client: Client, checkoutSessionId: string): Promise<boolean> => sessionSignal(client, checkoutSessionId, buyerCanceled);

/** Signals the session's workflow; false when it does not exist or has closed. */
async function sessionSignal(client: Client, checkoutSessionId: string, def: typeof buyerCanceled): Promise<boolean> {
  try {
    await client.workflow.getHandle(checkoutWorkflowId(checkoutSessionId)).signal(def, { checkoutSessionId });
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || isNotFound(err)) return false;
    throw err;
  }
}

export async function notifyChargeChanged(client: Client, checkoutSessionId: string, chargeId: string, chargePermissionId?: string): Promise<boolean> {
  try {
    await client.workflow
      .getHandle(checkoutWorkflowId(checkoutSessionId))
      .signal(chargeStateChanged, { chargeId, ...(chargePermissionId ? { chargePermissionId } : {}) });
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || isNotFound(err)) return false;
    throw err;
  }
}

export async function queryStatus(client: Client, checkoutSessionId: string): Promise<CheckoutStatus | undefined> {
  try {
    return await client.workflow.getHandle(checkoutWorkflowId(checkoutSessionId)).query(status);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || isNotFound(err)) return undefined;
    throw err;
  }
}
