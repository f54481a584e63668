// The buyer's browser: Amazon's checkoutResultReturnUrl and checkoutCancelUrl. Public and untrusted (DESIGN.md
// "Security"): they only deliver messages to a workflow that already exists; nothing is started here.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  deliverCancel,
  deliverReturn,
  delivering,
  raceTimeout,
  signalCancel,
  signalReturn,
  type ReturnResult,
} from '../../temporal/checkout';
import { CheckoutSessionId } from '../../../workflows/checkout-session';
import { tagCheckoutSession } from '../../temporal/tracing';
import { wantsJson, type AppContext } from '../context';
import { HttpError } from '../errors';
import { notFoundPage, pendingPage, resultPage } from '../pages';
import { rateLimitHook, TokenBuckets } from '../rate-limit';
import { recordedState, returnAnswer, withStateNow } from './answers';

/** How long a shed return's answer waits for its signal to be accepted (it is delivered regardless). */
const SHED_SIGNAL_WAIT_MS = 2_000;

const SessionQuery = z.object({ amazonCheckoutSessionId: CheckoutSessionId });

function sessionId(query: unknown): string {
  const r = SessionQuery.safeParse(query);
  if (!r.success) throw new HttpError(400, 'invalid_request', `amazonCheckoutSessionId: ${z.prettifyError(r.error)}`);
  tagCheckoutSession(r.data.amazonCheckoutSessionId);
  return r.data.amazonCheckoutSessionId;
}

export function buyerRoutes(app: FastifyInstance, c: AppContext): void {
  /** To the shop's success (Completed) or failure (anything else) page, or the built-in result page. */
  const finish = (reply: FastifyReply, id: string, state: string, reasonCode?: string) => {
    const target = state === 'Completed' ? c.config.CHECKOUT_SUCCESS_URL : c.config.CHECKOUT_FAILURE_URL;
    if (!target) return reply.code(200).type('text/html; charset=utf-8').send(resultPage(id, state, reasonCode));
    const u = new URL(target);
    u.searchParams.set('amazonCheckoutSessionId', id);
    u.searchParams.set('state', state);
    return reply.code(303).header('cache-control', 'no-store').redirect(u.toString(), 303);
  };

  const unknown = (reply: FastifyReply, json: boolean) => {
    if (json) throw new HttpError(404, 'unknown_session', 'no checkout was started for this session');
    return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage());
  };

  const busy = (reply: FastifyReply) => {
    void reply.header('retry-after', '1');
    throw new HttpError(429, 'busy', 'too many returns for sessions this server has not seen; retry after 1 s');
  };

  // Public and cheap to send: each address has a rate (429 beyond it), an ID the records do not know is answered from
  // the store alone within a per-server read budget (known-sessions.ts), and only RETURN_MAX_WAITING requests wait for
  // an outcome at once.
  const buckets = new TokenBuckets({ perSecond: c.config.PUBLIC_RATE_LIMIT_PER_SEC, burst: c.config.PUBLIC_RATE_LIMIT_BURST });
  const signalling = new Set<string>();
  const onRequest = rateLimitHook(buckets, (req) => c.metrics.rateLimited(req.routeOptions.url ?? 'unmatched'));

  /**
   * Delivers the return or cancel and waits (bounded) for what became true. Unknown to the records: never started
   * (the starter writes the record first), so 404 without a Temporal call; over the read budget: "busy" (429); the
   * store unreachable: ask Temporal. Too
   * many already waiting: the message goes as a signal and the answer is "ask again" at once, with the recorded state.
   */
  const deliver = async (id: string, kind: 'return' | 'cancel'): Promise<ReturnResult | { kind: 'busy' }> => {
    const known = await c.knownSessions.check(id, (err) =>
      c.log.warn({ err }, 'records unavailable; asking Temporal whether the session exists'),
    );
    if (known === 'busy') {
      c.metrics.lookupBusy();
      return { kind: 'busy' };
    }
    if (known === 'unknown') {
      c.metrics.unknownSession();
      return { kind: 'unknown-session' };
    }
    if (c.metrics.returnsWaiting >= c.config.RETURN_MAX_WAITING) {
      c.metrics.returnShed();
      // Already on its way from this server: nothing to deliver and nothing new to read; ask again.
      if (delivering(c.client, kind, id)) return { kind: 'timeout' };
      const now = await recordedState(c, id);
      if (now.outcome) return { kind: 'outcome', outcome: now.outcome };
      // Delivered as a signal, unless the session has moved on (buyers asking again add no work to the worker), one
      // per session at a time; the answer waits for it at most SHED_SIGNAL_WAIT_MS (under a storm Temporal's writes
      // queue), the signal goes on regardless.
      const key = `${kind}:${id}`;
      if (now.state === 'AwaitingReturn' && !signalling.has(key)) {
        signalling.add(key);
        const sent = (kind === 'return' ? signalReturn(c.client, id) : signalCancel(c.client, id)).finally(() =>
          signalling.delete(key),
        );
        const accepted = await raceTimeout(sent, SHED_SIGNAL_WAIT_MS); // a boolean, or the wait ran out
        if (typeof accepted !== 'boolean') {
          sent.catch((err: unknown) => c.log.warn({ err }, 'a shed return or cancel could not be signalled'));
        }
      }
      return { kind: 'timeout', state: now.state };
    }
    c.metrics.returnsWaiting++;
    try {
      const r = kind === 'return' ? await deliverReturn(c.client, id, c.config.RETURN_WAIT_MS) : await deliverCancel(c.client, id, c.config.RETURN_WAIT_MS);
      return await withStateNow(c, id, r);
    } finally {
      c.metrics.returnsWaiting--;
    }
  };

  app.get('/checkout/return', { onRequest }, async (req, reply) => {
    const id = sessionId(req.query);
    const json = wantsJson(req);
    const r = await deliver(id, 'return');
    if (r.kind === 'busy') return busy(reply);
    if (r.kind === 'unknown-session') return unknown(reply, json);
    const a = returnAnswer(id, r);
    reply.header('cache-control', 'no-store');
    if (json) return reply.code(a.status).send(a.body);
    if (!a.final) return reply.code(202).type('text/html; charset=utf-8').send(pendingPage(id, a.body.state));
    return finish(reply, id, a.body.state, a.body.reasonCode);
  });

  /**
   * The cancel takes effect only while the session awaits the buyer's return; the answer says whether it did and
   * shows the state that is true now (a buyer who had returned and paid is not told "canceled").
   */
  app.get('/checkout/cancel', { onRequest }, async (req, reply) => {
    const id = sessionId(req.query);
    const json = wantsJson(req);
    const r = await deliver(id, 'cancel');
    if (r.kind === 'busy') return busy(reply);
    if (r.kind === 'unknown-session') return unknown(reply, json);
    const a = returnAnswer(id, r);
    const canceled = a.body.state === 'BuyerCanceled';
    reply.header('cache-control', 'no-store');
    if (json) {
      const why = !canceled && !a.final ? 'the buyer has already returned' : 'the session had already ended';
      return reply.code(a.status).send({
        ...a.body,
        canceled,
        ...(canceled || r.kind === 'timeout' ? {} : { message: `not canceled: ${why} (${a.body.state})` }),
      });
    }
    // Not final: the return won and Amazon is still answering; the page asks the return URL for the outcome.
    if (!a.final) return reply.code(202).type('text/html; charset=utf-8').send(pendingPage(id, a.body.state, returnPath(id)));
    return finish(reply, id, a.body.state, a.body.reasonCode);
  });
}

const returnPath = (id: string) => `/checkout/return?amazonCheckoutSessionId=${encodeURIComponent(id)}`;
