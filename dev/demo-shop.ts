// A tiny merchant shop for `npm start`: it plays the merchant backend (creates the checkout session at Amazon
// Pay — the emulator locally — and starts its workflow through the service's API), sends the browser to Amazon's
// page, and shows the recorded outcome. Everything after "Pay" goes through the service's real routes.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AmazonPayClient } from '../activities/amazon-pay/client';
import { idempotencyKey } from '../activities/amazon-pay/idempotency';
import { escapeHtml as esc } from './html';
import { METRICS_STYLE, metricsPageBody, type ScrapeTarget } from './metrics-page';
import { checkoutTraces, checkoutTracesUrl, TRACE_STYLE, traceTable } from './trace-page';

export interface DemoShopOptions {
  port: number;
  amazonPay: AmazonPayClient;
  /** The service's HTTP server, e.g. http://127.0.0.1:3000 */
  /** Read at request time: the shop listens before the service's port is known. */
  serviceUrl: () => string;
  merchantApiToken: string;
  /** Amazon's checkout page for a session (the emulator's buyer page locally). */
  amazonPageUrl: (checkoutSessionId: string) => string;
  temporalUiUrl?: string;
  /** Jaeger's query API (npm start --jaeger): the order page links to the checkout's traces, drawn by the shop. */
  jaegerQueryUrl?: string;
  namespace: string;
  storeId?: string;
  /** The Prometheus endpoints /ops/metrics reads (the worker's WORKER_PROM_PORT, the HTTP server's /metrics); read per request. */
  metricsTargets?: () => ScrapeTarget[];
}


const page = (title: string, body: string, wide = false) => `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:${wide ? '72rem' : '46rem'};margin:2rem auto;padding:0 1rem;color:#222}${wide ? TRACE_STYLE + METRICS_STYLE : ''}
label{display:block;margin:.6rem 0}input,select{font-size:1rem;padding:.2rem}button{font-size:1rem;padding:.4rem 1.2rem;margin-top:.8rem}
pre{background:#f4f4f4;padding:.8rem;overflow:auto;font-size:.85rem}.state{font-size:1.6rem;font-weight:bold}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;

function form(): string {
  return page(
    'Demo shop',
    `<p>Buy something with Amazon Pay. You will play the buyer on Amazon's page (the local emulator), then come
back through the service's real return URL.</p>
<form method="post" action="/checkout">
<label>Amount <input name="amount" value="14.00" pattern="[0-9]+(\\.[0-9]{1,2})?" required> USD</label>
<label>Flow <select name="flow"><option value="complete">Standard checkout (Complete Checkout Session)</option>
<option value="wallet">Saved wallet setup (PaymentMethodOnFile)</option></select></label>
<label>Payment intent <select name="paymentIntent"><option>AuthorizeWithCapture</option><option>Authorize</option><option>Confirm</option></select></label>
<label><input type="checkbox" name="pending" value="1"> The shop can handle a pending authorization (202)</label>
<button type="submit" id="pay">Pay with Amazon Pay</button></form>`,
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

export async function startDemoShop(o: DemoShopOptions): Promise<{ url: string; close(): Promise<void> }> {
  let url = '';
  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`${o.serviceUrl()}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${o.merchantApiToken}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', url);
    const send = (status: number, html: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    };
    if (req.method === 'GET' && u.pathname === '/') return send(200, form());
    if (req.method === 'POST' && u.pathname === '/checkout') {
      const f = await readForm(req);
      const wallet = f.get('flow') === 'wallet';
      const amount = f.get('amount') ?? '';
      if (!wallet && !/^[0-9]+(\.[0-9]{1,2})?$/.test(amount)) return send(400, page('Bad amount', '<p>Use a decimal amount such as 14.00.</p><a href="/">Back</a>'));
      const pending = f.get('pending') === '1';
      const intents = ['Confirm', 'Authorize', 'AuthorizeWithCapture'] as const;
      const paymentIntent = intents.find((i) => i === f.get('paymentIntent')) ?? 'AuthorizeWithCapture';
      const chargeAmount = { amount, currencyCode: 'USD' };
      const merchantReferenceId = `order-${randomUUID().slice(0, 8)}`;
      // The merchant backend creates the session (Create Checkout Session), as after the Amazon Pay button.
      const created = await o.amazonPay.createCheckoutSession(
        {
          webCheckoutDetails: {
            checkoutReviewReturnUrl: `${url}/`,
            checkoutResultReturnUrl: `${o.serviceUrl()}/checkout/return`,
            checkoutCancelUrl: `${o.serviceUrl()}/checkout/cancel`,
          },
          storeId: o.storeId ?? 'amzn1.application-oa2-client.demo',
          chargePermissionType: wallet ? 'PaymentMethodOnFile' : 'OneTime',
          ...(wallet ? {} : { paymentDetails: { paymentIntent, chargeAmount, canHandlePendingAuthorization: pending } }),
          merchantMetadata: { merchantReferenceId, merchantStoreName: 'Demo shop' },
        },
        { idempotencyKey: idempotencyKey(merchantReferenceId, 'create') },
      );
      const session = created.body;
      const started = await api('/api/checkout-sessions', {
        method: 'POST',
        body: JSON.stringify({
          checkoutSessionId: session.checkoutSessionId,
          flow: 'complete',
          chargePermissionType: wallet ? 'PaymentMethodOnFile' : 'OneTime',
          ...(wallet ? {} : { chargeAmount }),
          merchantReferenceId,
          ...(session.expirationTimestamp ? { deadline: session.expirationTimestamp } : {}),
        }),
      });
      if (!started.ok) return send(502, page('Could not start the checkout', `<pre>${esc(await started.text())}</pre>`));
      res.writeHead(303, { location: o.amazonPageUrl(session.checkoutSessionId) });
      return res.end();
    }
    if (req.method === 'GET' && u.pathname === '/order') {
      const id = u.searchParams.get('amazonCheckoutSessionId') ?? '';
      if (!/^[A-Za-z0-9-]{1,100}$/.test(id)) return send(400, page('Bad request', '<p>Missing session.</p>'));
      const r = await api(`/api/checkout-sessions/${id}`);
      const record = (await r.json()) as Record<string, unknown>;
      const rec = (record.record ?? record) as Record<string, unknown>;
      const state = (rec.state ?? (record.status as Record<string, unknown> | undefined)?.state ?? u.searchParams.get('state')) as string;
      const workflowLink = o.temporalUiUrl
        ? `<p><a id="temporal-link" href="${esc(o.temporalUiUrl)}/namespaces/${esc(o.namespace)}/workflows/checkout-session-${esc(id)}">See the workflow in the Temporal UI</a></p>`
        : '';
      const traceLink = o.jaegerQueryUrl ? `<p><a id="trace-link" href="/trace?amazonCheckoutSessionId=${esc(id)}">See this checkout’s trace</a></p>` : '';
      const metricsLink = o.metricsTargets ? `<p><a id="metrics-link" href="/ops/metrics">See the dashboard’s metrics now</a></p>` : '';
      return send(
        200,
        page(
          'Your order',
          `<p class="state" id="state">${esc(state)}</p><p>Checkout session <code>${esc(id)}</code></p>${workflowLink}${traceLink}${metricsLink}
<h2>Record in MongoDB</h2><pre id="record">${esc(JSON.stringify(record, null, 2))}</pre><p><a href="/">New order</a></p>`,
        ),
      );
    }
    if (req.method === 'GET' && u.pathname === '/trace' && o.jaegerQueryUrl) {
      const id = u.searchParams.get('amazonCheckoutSessionId') ?? '';
      if (!/^[A-Za-z0-9-]{1,100}$/.test(id)) return send(400, page('Bad request', '<p>Missing session.</p>'));
      const traces = await checkoutTraces(o.jaegerQueryUrl, id);
      const api = checkoutTracesUrl(o.jaegerQueryUrl, id);
      return send(
        200,
        page(
          'Checkout trace',
          `<p>Checkout session <code>${esc(id)}</code>: the buyer's return, the update, the workflow's activities, the
Amazon Pay call and the MongoDB commands, from Jaeger (<a href="${esc(api)}">raw JSON</a>). Hover a row for its attributes.</p>
${traces.length > 0 ? traces.map(traceTable).join('\n') : '<p id="no-trace">No trace yet: spans reach Jaeger within a second or two. Reload.</p>'}
<p><a href="/order?amazonCheckoutSessionId=${esc(id)}">Back to the order</a></p>`,
          true,
        ),
      );
    }
    if (req.method === 'GET' && u.pathname === '/ops/metrics' && o.metricsTargets) {
      return send(200, page('Dashboard metrics', `${await metricsPageBody(o.metricsTargets())}<p><a href="/">Shop</a></p>`, true));
    }
    send(404, page('Not found', '<a href="/">Shop</a>'));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`demo shop error: ${(err as Error).message}`);
    });
  });
  // The preferred port may be taken by the time we bind it (another `npm start`): then any free one.
  const bind = (port: number) =>
    new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', rej);
        res();
      });
    });
  await bind(o.port).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE' || o.port === 0) throw err;
    return bind(0);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((r) => server.close(() => r())) };
}
