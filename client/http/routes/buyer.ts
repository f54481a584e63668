// The buyer's browser: Amazon's checkoutResultReturnUrl and checkoutCancelUrl. Public and untrusted (DESIGN.md
// "Security"): they only deliver messages to a workflow that already exists; nothing is started here.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { deliverCancel, deliverReturn } from '../../temporal/checkout';
import { CheckoutSessionId } from '../../../workflows/checkout-session';
import { wantsJson, type AppContext } from '../context';
import { HttpError } from '../errors';
import { notFoundPage, pendingPage, resultPage } from '../pages';
import { returnAnswer, withStateNow } from './answers';

const SessionQuery = z.object({ amazonCheckoutSessionId: CheckoutSessionId });

function sessionId(query: unknown): string {
  const r = SessionQuery.safeParse(query);
  if (!r.success) throw new HttpError(400, 'invalid_request', `amazonCheckoutSessionId: ${z.prettifyError(r.error)}`);
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

  app.get('/checkout/return', async (req, reply) => {
    const id = sessionId(req.query);
    const json = wantsJson(req);
    const r = await withStateNow(c, id, await deliverReturn(c.client, id, c.config.RETURN_WAIT_MS));
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
  app.get('/checkout/cancel', async (req, reply) => {
    const id = sessionId(req.query);
    const json = wantsJson(req);
    const r = await withStateNow(c, id, await deliverCancel(c.client, id, c.config.RETURN_WAIT_MS));
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
