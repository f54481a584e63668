import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderActionDone, renderAmazonPage } from './amazon-page';
import { ClockAdvanceSchema, ConfigSchema, PublicKeySchema, type EmulatorControl } from './control';
import { parseInput } from './domain';
import { ApiError, notFound } from './errors';
import { sendJson, type ServerExtras } from './http-util';

/**
 * The admin API under `/_emulator/` (JSON, unsigned; see emulator/README.md). Every route maps onto one
 * `EmulatorState` method so tests in-process and over HTTP see the same behaviour.
 */
type Handler = (a: AdminRequest) => void;

interface AdminRequest {
  c: EmulatorControl;
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  body: Buffer;
  extras: ServerExtras;
  requestId: string;
}

function json(a: AdminRequest): Record<string, unknown> {
  if (a.body.length === 0) return {};
  try {
    const v: unknown = JSON.parse(a.body.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'InvalidRequestFormat', 'The request body must be a JSON object.');
}

function ok(a: AdminRequest, value: unknown, status = 200): void {
  sendJson(a.res, status, value, a.requestId);
}

function sendText(
  a: AdminRequest,
  status: number,
  contentType: string,
  text: string,
  extra: Record<string, string> = {},
): void {
  const body = Buffer.from(text);
  a.res.writeHead(status, {
    'content-type': contentType,
    'content-length': body.length,
    'x-amz-pay-request-id': a.requestId,
    'cache-control': 'no-store',
    ...extra,
  });
  a.res.end(body);
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

const routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
function route(method: string, path: string, handler: Handler): void {
  const pattern = new RegExp(`^/_emulator${path.replace(/:[a-z]+/g, '([^/]+)')}/?$`);
  routes.push({ method, pattern, handler });
}

route('GET', '/health', (a) => ok(a, { ok: true, clock: a.c.clock() }));

route('POST', '/checkout-sessions', (a) => ok(a, a.c.createCheckoutSession(json(a)), 201));

route('GET', '/checkout-sessions/:id', (a) => {
  const s = a.c.getCheckoutSession(a.params[0]!);
  if (!s) throw notFound('CheckoutSession', a.params[0]!);
  ok(a, s);
});

route('GET', '/checkout-sessions/:id/counters', (a) => ok(a, a.c.counters(a.params[0]!)));

route('POST', '/checkout-sessions/:id/buyer', (a) => {
  const id = a.params[0]!;
  if (isForm(a.req)) {
    // The Amazon page's form: act, then send the browser where Amazon would.
    const form = new URLSearchParams(a.body.toString('utf8'));
    const { redirectUrl } = a.c.buyerAction(id, { action: form.get('action') as 'approve' });
    if (redirectUrl) sendText(a, 303, 'text/plain; charset=utf-8', `See ${redirectUrl}`, { location: redirectUrl });
    else sendText(a, 200, 'text/html; charset=utf-8', renderActionDone(a.c.getCheckoutSession(id)?.record.state ?? ''));
    return;
  }
  ok(a, a.c.buyerAction(id, json(a) as never));
});

route('GET', '/amazon-page/:id', (a) => {
  const s = a.c.getCheckoutSession(a.params[0]!);
  if (!s || s.deleted) {
    sendText(
      a,
      404,
      'text/html; charset=utf-8',
      '<!doctype html><title>Amazon Pay (emulator)</title><p>Unknown checkout session.</p>',
    );
    return;
  }
  const r = s.record;
  sendText(
    a,
    200,
    'text/html; charset=utf-8',
    renderAmazonPage({
      checkoutSessionId: r.checkoutSessionId,
      state: r.state,
      reasonCode: r.reasonCode,
      amount: r.paymentDetails.chargeAmount?.amount ?? null,
      currencyCode: r.paymentDetails.chargeAmount?.currencyCode ?? null,
      merchantStoreName: r.merchantMetadata.merchantStoreName,
      buyerName: r.buyerProfile.name,
      paymentDescriptor: r.paymentDescriptor,
    }),
  );
});

route('GET', '/charges/:id', (a) => {
  const c = a.c.getCharge(a.params[0]!);
  if (!c) throw notFound('Charge', a.params[0]!);
  ok(a, c);
});

route('POST', '/charges/:id/settle', (a) => ok(a, a.c.settleCharge(a.params[0]!, json(a) as never)));

route('GET', '/charge-permissions/:id', (a) => {
  const cp = a.c.getChargePermission(a.params[0]!);
  if (!cp) throw notFound('ChargePermission', a.params[0]!);
  ok(a, cp);
});

route('POST', '/faults', (a) => ok(a, a.c.addFault(json(a) as never), 201));
route('GET', '/faults', (a) => ok(a, a.c.listFaults()));
route('DELETE', '/faults', (a) => {
  a.c.clearFaults();
  ok(a, { cleared: true });
});
route('DELETE', '/faults/:id', (a) => {
  if (!a.c.removeFault(a.params[0]!)) throw notFound('Fault', a.params[0]!);
  ok(a, { removed: a.params[0] });
});

route('POST', '/clock/advance', (a) => ok(a, a.c.advanceClock(parseInput(ClockAdvanceSchema, json(a)).ms)));
route('GET', '/clock', (a) => ok(a, a.c.clock()));

route('GET', '/log', (a) => {
  const limit = a.query.get('limit');
  ok(
    a,
    a.c.log({
      checkoutSessionId: a.query.get('checkoutSessionId') ?? undefined,
      chargeId: a.query.get('chargeId') ?? undefined,
      limit: limit !== null && /^\d+$/.test(limit) ? Number(limit) : undefined,
    }),
  );
});

route('GET', '/ipn-deliveries', (a) => ok(a, a.c.ipnDeliveries()));

route('POST', '/public-keys', (a) => {
  const v = parseInput(PublicKeySchema, json(a));
  a.c.addPublicKey(v.publicKeyId, v.publicKeyPem);
  ok(a, { publicKeyId: v.publicKeyId }, 201);
});

route('POST', '/config', (a) => ok(a, a.c.configure(parseInput(ConfigSchema, json(a)))));
route('GET', '/config', (a) => ok(a, a.c.config()));

route('POST', '/reset', (a) => {
  a.c.reset();
  ok(a, { reset: true });
});

route('GET', '/sns-cert.pem', (a) => sendText(a, 200, 'application/x-pem-file', a.extras.snsCertPem));
route('GET', '/sns-unsubscribe', (a) =>
  sendText(a, 200, 'text/plain; charset=utf-8', 'Unsubscribe is a no-op in the emulator.'),
);

export async function handleAdmin(
  c: EmulatorControl,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  query: URLSearchParams,
  body: Buffer,
  extras: ServerExtras,
): Promise<void> {
  const requestId = randomUUID();
  const method = (req.method ?? 'GET').toUpperCase();
  let allowed = false;
  for (const r of routes) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    allowed = true;
    if (r.method !== method) continue;
    let params: string[];
    try {
      params = m.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      sendJson(res, 400, { reasonCode: 'InvalidRequest', message: 'Malformed path.' }, requestId);
      return;
    }
    try {
      r.handler({ c, req, res, params, query, body, extras, requestId });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      sendJson(res, err.status, err.body(), requestId);
    }
    return;
  }
  if (allowed) sendJson(res, 405, { reasonCode: 'UnsupportedOperation', message: `${method} ${pathname}` }, requestId);
  else sendJson(res, 404, { reasonCode: 'ResourceNotFound', message: `No admin route ${pathname}.` }, requestId);
}
