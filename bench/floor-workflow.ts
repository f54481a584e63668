// The smallest Temporal workflows of the service's shape, the floor the benchmark measures the service against:
// started, wait for one update (the buyer's return), confirm at Amazon Pay, record the result, resolve the update
// with the outcome, return. No validation, visibility, branches or notifications. Two shapes a skilled engineer
// would write, both measured; the faster is the floor (bench/main.ts):
// - `floorLocal`: both calls as local activities (one workflow task does the whole checkout);
// - `floorMixed`: confirm as a normal activity (its own retries and timeouts in history), record as a local one.
import {
  allHandlersFinished,
  condition,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Confirmed, FloorActivities, JobInput } from './job';

export interface FloorOutcome {
  checkoutSessionId: string;
  state: 'Completed';
  chargeId: string | null;
  chargePermissionId: string | null;
}

export const floorReturned = defineUpdate<FloorOutcome>('floorReturned');

const options = { startToCloseTimeout: '15s', retry: { initialInterval: '1s', maximumAttempts: 5 } } as const;
const normal = proxyActivities<FloorActivities>(options);
const local = proxyLocalActivities<FloorActivities>(options);

async function checkout(input: JobInput, confirm: (i: JobInput) => Promise<Confirmed>): Promise<FloorOutcome> {
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
  await local.record({
    checkoutSessionId: input.checkoutSessionId,
    confirmed,
    workflowId,
    runId,
    at: new Date().toISOString(),
  });
  outcome = {
    checkoutSessionId: input.checkoutSessionId,
    state: 'Completed',
    chargeId: confirmed.amazon.chargeId ?? null,
    chargePermissionId: confirmed.amazon.chargePermissionId ?? null,
  };
  await condition(allHandlersFinished);
  return outcome;
}

export const floorLocal = (input: JobInput): Promise<FloorOutcome> => checkout(input, local.confirm);
export const floorMixed = (input: JobInput): Promise<FloorOutcome> => checkout(input, normal.confirm);
