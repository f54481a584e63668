// One durable workflow per checkout session (DESIGN.md, "The workflow"). Setup first — input, state, handlers,
// visibility — then the main path: wait for the return (checking Amazon for a lost one), confirm with Amazon Pay,
// follow a pending authorization, record the final state, tell the merchant. The state lives in session.ts, the
// branches in branches.ts, the decisions in state.ts.
import { ApplicationFailure, allHandlersFinished, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import {
  awaitReturn,
  awaitReturnWithRecovery,
  cancel,
  finalize,
  followPendingAuthorization,
  notifyMerchant,
  settleAtDeadline,
  settleFromRead,
  type WaitResult,
} from './branches';
import { checkoutWorkflowId } from './ids';
import { CheckoutInput, createdStep, formatInputProblems, inputBounds, type CheckoutOutcome, type ParsedCheckoutInput } from './input';
import { buyerCanceled, buyerReturned, buyerReturnedSignal, cancelCheckout, chargeStateChanged, status } from './messages';
import { CheckoutSession } from './session';

export { confirmBody } from './branches';

/**
 * Lost-return recovery and merchant notifications: while awaiting the return, Get Checkout Session after a grace
 * period and on a growing schedule (an Open session without constraints is confirmed as a return would be); every
 * final state, and entering AuthorizationPending, is delivered to the merchant's webhook. Older histories wait
 * passively and notify nobody.
 */
const RECOVERY_AND_NOTIFICATIONS = 'recovery-and-notifications';

/**
 * The input's bounds (inputBounds: Amazon's currencies, a positive amount, a deadline within the session's 24 hours
 * of the run's start, Amazon's reference length). Asked only when an input breaks them, so a valid input's history is
 * unchanged, and a run started before the rule (which accepted such an input) replays as it ran.
 */
const INPUT_BOUNDS = 'input-bounds';

export async function checkoutSession(rawInput: CheckoutInput): Promise<CheckoutOutcome> {
  const s = new CheckoutSession(parseInput(rawInput), workflowInfo());
  const belongs = { validator: (m: unknown) => validateSessionMessage(m, s.id) };

  setHandler(status, () => s.status());
  setHandler(
    buyerReturned,
    async () => {
      s.markReturned();
      // Resolves as soon as the outcome is known; a pending authorization is an answer too.
      await condition(() => s.isFinal() || s.is('AuthorizationPending'));
      return s.snapshot();
    },
    belongs,
  );
  setHandler(buyerReturnedSignal, (r) => {
    if (r?.checkoutSessionId === s.id) s.markReturned();
  });
  setHandler(buyerCanceled, (c) => {
    if (c?.checkoutSessionId === s.id && s.returnedAt === undefined) s.cancelRequested = true;
  });
  setHandler(
    cancelCheckout,
    async () => {
      if (s.returnedAt === undefined && s.is('AwaitingReturn')) s.cancelRequested = true;
      // Answers with what became true: the cancel applied and recorded, or the state that won (a return, the end).
      await condition(() => s.cancelRecorded || s.mainDone || !s.is('AwaitingReturn', 'BuyerCanceled'));
      return s.snapshot();
    },
    belongs,
  );
  setHandler(chargeStateChanged, () => {
    s.chargeSignals += 1;
  });

  const { input } = s;
  s.details('waiting on the buyer’s return from Amazon Pay (or the deadline)');
  // A starter that wrote the Created step itself says so in the input (one step less here, and the merchant's record
  // holds the order when the start is answered); inputs without the flag, older histories' included, write it here.
  if (!input.startRecorded) {
    const created = createdStep(input);
    await s.record(created.event, created.set);
  }

  s.notifying = patched(RECOVERY_AND_NOTIFICATIONS);
  const waited: WaitResult = s.notifying ? await awaitReturnWithRecovery(s) : await awaitReturn(s);

  if (s.returnedAt === undefined && s.cancelRequested) {
    await cancel(s);
  } else if (waited.kind === 'settled') {
    await settleFromRead(s, waited.summary, 'RecoveryCheck');
  } else if (s.returnedAt === undefined && waited.kind !== 'recover') {
    await settleAtDeadline(s);
  } else {
    await finalize(s);
    if (s.is('AuthorizationPending')) await followPendingAuthorization(s);
  }

  // The checkout's outcome is settled (update callers already have it); the merchant's systems learn it now.
  s.mainDone = true;
  await notifyMerchant(s, s.state);
  await s.deliveries;
  await condition(allHandlersFinished);
  return s.snapshot();
}

function parseInput(raw: unknown): ParsedCheckoutInput {
  const r = CheckoutInput.safeParse(raw);
  if (!r.success) {
    throw ApplicationFailure.create({ type: 'InvalidCheckoutInput', nonRetryable: true, message: z.prettifyError(r.error) });
  }
  const problems = inputBounds(r.data, { now: workflowInfo().startTime.getTime() });
  if (problems.length > 0 && patched(INPUT_BOUNDS)) {
    throw ApplicationFailure.create({ type: 'InvalidCheckoutInput', nonRetryable: true, message: formatInputProblems(problems) });
  }
  const expected = checkoutWorkflowId(r.data.checkoutSessionId);
  if (workflowInfo().workflowId !== expected) {
    throw ApplicationFailure.create({
      type: 'InvalidCheckoutInput',
      nonRetryable: true,
      message: `workflow ID must be ${expected} for this checkoutSessionId`,
    });
  }
  return r.data;
}

function validateSessionMessage(r: unknown, id: string): void {
  const got = (r as { checkoutSessionId?: unknown } | undefined)?.checkoutSessionId;
  if (got !== id) throw new Error(`checkoutSessionId ${JSON.stringify(got)} does not belong to this workflow`);
}
