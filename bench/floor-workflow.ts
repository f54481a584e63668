// The smallest Temporal workflow of the service's shape, the floor the benchmark measures the service against:
// started, waits for one update (the buyer's return), one activity confirms at Amazon Pay, one records the result,
// the update resolves with the outcome, the workflow returns. No validation, visibility, branches or retries logic.
import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FloorActivities, JobInput } from './job';

export interface FloorOutcome {
  checkoutSessionId: string;
  state: 'Completed';
  chargeId: string | null;
  chargePermissionId: string | null;
}

export const floorReturned = defineUpdate<FloorOutcome>('floorReturned');

const { confirm, record } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', maximumAttempts: 5 },
});

export async function floorCheckout(input: JobInput): Promise<FloorOutcome> {
  let returned = false;
  // Set once, after the handler that reads it is registered.
  let outcome: FloorOutcome | undefined = undefined;
  setHandler(floorReturned, async () => {
    returned = true;
    await condition(() => outcome !== undefined);
    return outcome!;
  });

  await condition(() => returned);
  const confirmed = await confirm(input);
  const { workflowId, runId } = workflowInfo();
  await record({ checkoutSessionId: input.checkoutSessionId, confirmed, workflowId, runId, at: new Date().toISOString() });
  outcome = {
    checkoutSessionId: input.checkoutSessionId,
    state: 'Completed',
    chargeId: confirmed.amazon.chargeId ?? null,
    chargePermissionId: confirmed.amazon.chargePermissionId ?? null,
  };
  await condition(allHandlersFinished);
  return outcome;
}
