// The buyer's browser: Amazon's checkoutResultReturnUrl and checkoutCancelUrl. Public and untrusted (DESIGN.md
// "Security"): they only deliver messages to a workflow that already exists; nothing is started here.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { deliverCancel, deliverReturn } from '../../temporal/checkout';
import { CheckoutSessionId, CheckoutState, isFinalState } from '../../../workflows/checkout-session';
import { wantsJson, type AppContext } from '../context';
import { HttpError } from '../errors';
import { notFoundPage, pendingPage, resultPage } from '../pages';
import { returnAnswer } from './answers';

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
    const r = await deliverReturn(c.client, id, c.config.RETURN_WAIT_MS);
    if (r.kind === 'unknown-session') return unknown(reply, json);
    const a = returnAnswer(id, r);
    reply.header('cache-control', 'no-store');
    if (json) return reply.code(a.status).send(a.body);
    if (!a.final) return reply.code(202).type('text/html; charset=utf-8').send(pendingPage(id));
    return finish(reply, id, a.body.state, a.body.reasonCode);
  });

  app.get('/checkout/cancel', async (req, reply) => {
    const id = sessionId(req.query);
    const json = wantsJson(req);
    if (await deliverCancel(c.client, id)) {
      if (json) return reply.code(200).send({ checkoutSessionId: id, cancelDelivered: true });
      return finish(reply, id, 'BuyerCanceled');
    }
    // Closed already (the cancel came too late): answer with what was recorded.
    const record = await c.records.get(id);
    const state = CheckoutState.safeParse(record?.state);
    if (!state.success || !isFinalState(state.data)) return unknown(reply, json);
    if (json) return reply.code(200).send({ checkoutSessionId: id, cancelDelivered: false, state: state.data });
    return finish(reply, id, state.data, record?.reasonCode ?? undefined);
  });
}
