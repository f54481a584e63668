// The merchant backend's API (bearer token): start a session's workflow, Buy Now / mobile complete-checkout in one
// request (update-with-start), and the session's live status plus its MongoDB record.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CheckoutConflictError,
  inputFingerprint,
  parseCheckoutInput,
  queryStatus,
  startAndReturn,
  recordingStart,
  startCheckout,
  type ReturnResult,
  type StartDefaults,
} from '../../temporal/checkout';
import {
  CheckoutSessionId,
  checkoutWorkflowId,
  isFinalState,
  type CheckoutOutcome,
  type CheckoutStatus,
  type ParsedCheckoutInput,
} from '../../../workflows/checkout-session';
import { bearerGuard } from '../auth';
import type { AppContext } from '../context';
import { HttpError } from '../errors';
import { returnAnswer, withStateNow } from './answers';

const IdParams = z.object({ id: CheckoutSessionId });
const STATUS_QUERY_TIMEOUT_MS = 5_000;

function params(raw: unknown): string {
  const r = IdParams.safeParse(raw);
  if (!r.success) throw new HttpError(400, 'invalid_request', `invalid checkout session ID: ${z.prettifyError(r.error)}`);
  return r.data.id;
}

/**
 * update-with-start with USE_EXISTING attaches to any earlier run, so a different order for the same session is
 * refused before the return is delivered to it; a closed run (never reused, DESIGN.md "Identity") answers with its
 * result, as a reloaded return page does.
 */
async function earlierRun(client: Client, input: ParsedCheckoutInput): Promise<ReturnResult | undefined> {
  const handle = client.workflow.getHandle(checkoutWorkflowId(input.checkoutSessionId));
  let d;
  try {
    d = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  if (d.memo?.inputFingerprint !== inputFingerprint(input)) {
    throw new CheckoutConflictError(`checkout session already started with a different request (workflow ${d.workflowId})`);
  }
  if (d.status.name === 'RUNNING') return undefined;
  return { kind: 'outcome', outcome: (await handle.result()) as CheckoutOutcome };
}

/**
 * What this server adds to every start: its limits on top of Amazon's rules, the recovery grace period (when set), and
 * the session's record, its Created step, written before the workflow starts (the public routes answer unknown IDs
 * from the records, and the merchant's order is in the record when the start is answered).
 */
const startDefaults = (c: AppContext): StartDefaults => ({
  bounds: { maxAmounts: c.config.CHECKOUT_MAX_AMOUNTS, deadlineSkewMs: c.config.DEADLINE_MAX_SKEW_MS },
  ...recordingStart(c.records, (input, wrote) => {
    if (wrote) c.metrics.sessionStarted(input.flow);
    c.knownSessions.add(input.checkoutSessionId);
  }),
  ...(c.config.RECOVERY_GRACE_MS === undefined ? {} : { recoveryGraceMs: c.config.RECOVERY_GRACE_MS }),
});

export function merchantApiRoutes(app: FastifyInstance, c: AppContext): void {
  const auth = bearerGuard(c.config.MERCHANT_API_TOKEN);

  app.post('/api/checkout-sessions', { onRequest: auth }, async (req, reply) => {
    const r = await startCheckout(c.client, req.body, c.config.TASK_QUEUE, startDefaults(c));
    return reply.code(r.created ? 201 : 200).send({ workflowId: r.workflowId, ...(r.runId ? { runId: r.runId } : {}), created: r.created });
  });

  app.post('/api/checkout-sessions/:id/complete-checkout', { onRequest: auth }, async (req, reply) => {
    const id = params(req.params);
    const body = req.body as { checkoutSessionId?: unknown } | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid_input', 'body must be the checkout input object');
    if (body.checkoutSessionId !== id) throw new HttpError(400, 'session_mismatch', 'body.checkoutSessionId must equal the session ID in the path');
    // A request repeated after the run closed gets that run's outcome, whatever the clock says of its deadline now.
    const input = parseCheckoutInput(body, false);
    const r = (await earlierRun(c.client, input)) ?? (await startAndReturn(c.client, body, c.config.TASK_QUEUE, c.config.RETURN_WAIT_MS, startDefaults(c)));
    const a = returnAnswer(id, await withStateNow(c, id, r));
    return reply.code(a.status).send(a.body);
  });

  app.get('/api/checkout-sessions/:id', { onRequest: auth }, async (req, reply) => {
    const id = params(req.params);
    const [record, timeline] = await Promise.all([c.records.get(id), c.records.timeline(id)]);
    let status: CheckoutStatus | undefined;
    // A closed session answers from its record; only a running one is asked (a query on a closed run replays it).
    if (!record || !isFinalState(record.state)) {
      // A gRPC deadline rather than a race, so no query outlives the request (nor the connection on shutdown).
      status = await c.client.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () => queryStatus(c.client, id)).catch((err: unknown) => {
        if (!record) throw err;
        req.log.warn({ err, checkoutSessionId: id }, 'status query failed; answering from the record');
        return undefined;
      });
    }
    if (!record && !status) throw new HttpError(404, 'unknown_session', 'no checkout is known for this session');
    return reply.send({
      checkoutSessionId: id,
      ...(status ? { status } : {}),
      ...(record ? { record, timeline } : {}),
    });
  });
}
