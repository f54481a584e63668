// The HTTP server's Prometheus metrics, on prom-client with one registry per app (tests build several apps in one
// process): default Node metrics (process, GC, event loop), requests by route template, method and status, latency
// by route and status class, IPN results, rate-limit refusals, unknown sessions, shed returns. Labels are closed sets:
// route templates (never a raw path), known methods, status codes the app answers, refusal reasons — no IDs, no PII.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SnsRejection } from './sns';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** An IPN's result label: a closed set (a refusal reason or what the route did), never an ID or a message's text. */
export type IpnResultLabel = SnsRejection | 'signaled' | 'ignored' | 'confirmed' | 'logged' | 'error';

export class HttpMetrics {
  readonly registry = new Registry();
  /** Return and cancel requests waiting for an outcome now (set by the buyer routes). */
  returnsWaiting = 0;
  /** Read at scrape: the SNS verifier's signing-certificate fetches so far. */
  certFetches: () => number = () => 0;

  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #latency: Histogram<'method' | 'route' | 'status_class'>;
  readonly #ipn: Counter<'result'>;
  readonly #limited: Counter<'route'>;
  readonly #unknown: Counter;
  readonly #shed: Counter;
  readonly #busy: Counter;
  readonly #started: Counter<'flow'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route template, method and status.', labelNames: ['method', 'route', 'status'], registers });
    this.#latency = new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request latency by route template, method and status class.', labelNames: ['method', 'route', 'status_class'], buckets: BUCKETS, registers });
    this.#ipn = new Counter({ name: 'checkout_ipn_notifications_total', help: 'IPN deliveries by result: what the route did, or the reason it refused them.', labelNames: ['result'], registers });
    this.#limited = new Counter({ name: 'checkout_http_rate_limited_total', help: 'Requests refused with 429 by route.', labelNames: ['route'], registers });
    this.#unknown = new Counter({ name: 'checkout_http_unknown_session_total', help: 'Returns and cancels for never-started sessions, answered from the records.', registers });
    this.#shed = new Counter({ name: 'checkout_http_returns_shed_total', help: 'Returns and cancels answered at once because too many were waiting.', registers });
    this.#started = new Counter({ name: 'checkout_sessions_started_total', help: 'Checkout sessions started (their Created step recorded), by flow: counted by whichever process recorded it, the HTTP server or the worker.', labelNames: ['flow'], registers });
    this.#busy = new Counter({ name: 'checkout_http_session_lookups_busy_total', help: 'Returns and cancels for unremembered IDs refused over the records-read budget (429 busy).', registers });
    const waiting = () => this.returnsWaiting;
    const fetches = () => this.certFetches();
    new Gauge({
      name: 'checkout_http_returns_waiting',
      help: 'Returns and cancels waiting for an outcome now.',
      registers,
      collect() {
        this.set(waiting());
      },
    });
    new Counter({
      name: 'checkout_ipn_cert_fetches_total',
      help: 'SNS signing-certificate fetches made.',
      registers,
      collect() {
        this.reset();
        this.inc(fetches());
      },
    });
  }

  /** A session this server started and whose Created step it recorded (the worker counts the others). */
  sessionStarted(flow: string): void {
    this.#started.inc({ flow });
  }

  /** A request refused with 429 by the rate limit of its route. */
  rateLimited(route: string): void {
    this.#limited.inc({ route });
  }

  /** A return or cancel for a session the records do not know, answered 404 without asking Temporal. */
  unknownSession(): void {
    this.#unknown.inc();
  }

  /** A return or cancel for an ID not remembered, over the records-read budget: 429 without a read. */
  lookupBusy(): void {
    this.#busy.inc();
  }

  /** A return or cancel delivered without waiting because RETURN_MAX_WAITING requests were already waiting. */
  returnShed(): void {
    this.#shed.inc();
  }

  /** `route`: the route template (or 'unmatched'), never the raw URL. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const m = METHODS.has(method) ? method : 'other';
    this.#requests.inc({ method: m, route, status: String(status) });
    this.#latency.observe({ method: m, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }

  ipnResult(result: IpnResultLabel): void {
    this.#ipn.inc({ result });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
