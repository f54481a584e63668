// Prometheus text exposition, hand-rolled (no client library): request counts, latency histogram, IPN results, RSS.
import type { SnsRejection } from './sns';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${label(v)}"`)
    .join(',')}}`;

interface Histogram {
  labels: Record<string, string>;
  counts: number[];
  sum: number;
  count: number;
}

/** An IPN's result label: a closed set (a refusal reason or what the route did), never an ID or a message's text. */
export type IpnResultLabel = SnsRejection | 'signaled' | 'ignored' | 'confirmed' | 'logged' | 'error';

export class HttpMetrics {
  private readonly requests = new Map<string, { labels: Record<string, string>; n: number }>();
  private readonly latency = new Map<string, Histogram>();
  private readonly ipn = new Map<string, number>();
  private readonly limited = new Map<string, number>();
  private unknownSessions = 0;
  private shedReturns = 0;
  private busyLookups = 0;
  /** Return and cancel requests waiting for an outcome now (set by the buyer routes). */
  returnsWaiting = 0;

  /** A request refused with 429 by the rate limit of its route. */
  rateLimited(route: string): void {
    this.limited.set(route, (this.limited.get(route) ?? 0) + 1);
  }

  /** A return or cancel for a session the records do not know, answered 404 without asking Temporal. */
  unknownSession(): void {
    this.unknownSessions++;
  }

  /** A return or cancel delivered without waiting because RETURN_MAX_WAITING requests were already waiting. */
  /** A return or cancel for an ID not remembered, over the records-read budget: 429 without a read. */
  lookupBusy(): void {
    this.busyLookups++;
  }

  returnShed(): void {
    this.shedReturns++;
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const rl = { method, route, status: String(status) };
    const rk = labels(rl);
    const r = this.requests.get(rk) ?? { labels: rl, n: 0 };
    r.n++;
    this.requests.set(rk, r);

    const hl = { method, route };
    const hk = labels(hl);
    const h = this.latency.get(hk) ?? { labels: hl, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.counts[i]!++;
    });
    h.sum += seconds;
    h.count++;
    this.latency.set(hk, h);
  }

  ipnResult(result: IpnResultLabel): void {
    this.ipn.set(result, (this.ipn.get(result) ?? 0) + 1);
  }

  /** `certFetches`: the SNS verifier's signing-certificate fetches so far (bounded however many IPNs name one). */
  render(o: { certFetches?: number } = {}): string {
    const out: string[] = [];
    out.push('# HELP http_requests_total HTTP requests by route and status.', '# TYPE http_requests_total counter');
    for (const r of this.requests.values()) out.push(`http_requests_total${labels(r.labels)} ${r.n}`);
    out.push('# HELP http_request_duration_seconds HTTP request latency.', '# TYPE http_request_duration_seconds histogram');
    for (const h of this.latency.values()) {
      BUCKETS.forEach((b, i) => out.push(`http_request_duration_seconds_bucket${labels({ ...h.labels, le: String(b) })} ${h.counts[i]}`));
      out.push(`http_request_duration_seconds_bucket${labels({ ...h.labels, le: '+Inf' })} ${h.count}`);
      out.push(`http_request_duration_seconds_sum${labels(h.labels)} ${h.sum}`);
      out.push(`http_request_duration_seconds_count${labels(h.labels)} ${h.count}`);
    }
    out.push('# HELP checkout_ipn_notifications_total IPN deliveries by result.', '# TYPE checkout_ipn_notifications_total counter');
    for (const [result, n] of this.ipn) out.push(`checkout_ipn_notifications_total${labels({ result })} ${n}`);
    out.push('# HELP checkout_http_rate_limited_total Requests refused with 429 by route.', '# TYPE checkout_http_rate_limited_total counter');
    for (const [route, n] of this.limited) out.push(`checkout_http_rate_limited_total${labels({ route })} ${n}`);
    out.push('# HELP checkout_http_unknown_session_total Returns and cancels for never-started sessions, answered from the records.', '# TYPE checkout_http_unknown_session_total counter');
    out.push(`checkout_http_unknown_session_total ${this.unknownSessions}`);
    out.push('# HELP checkout_http_returns_shed_total Returns and cancels answered at once because too many were waiting.', '# TYPE checkout_http_returns_shed_total counter');
    out.push(`checkout_http_returns_shed_total ${this.shedReturns}`);
    out.push('# HELP checkout_http_session_lookups_busy_total Returns and cancels for unremembered IDs refused over the records-read budget.', '# TYPE checkout_http_session_lookups_busy_total counter');
    out.push(`checkout_http_session_lookups_busy_total ${this.busyLookups}`);
    out.push('# HELP checkout_http_returns_waiting Returns and cancels waiting for an outcome now.', '# TYPE checkout_http_returns_waiting gauge');
    out.push(`checkout_http_returns_waiting ${this.returnsWaiting}`);
    if (o.certFetches !== undefined) {
      out.push('# HELP checkout_ipn_cert_fetches_total SNS signing-certificate fetches made.', '# TYPE checkout_ipn_cert_fetches_total counter');
      out.push(`checkout_ipn_cert_fetches_total ${o.certFetches}`);
    }
    out.push('# HELP process_resident_memory_bytes Resident memory size in bytes.', '# TYPE process_resident_memory_bytes gauge');
    out.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`);
    out.push('# HELP process_uptime_seconds Seconds since the process started.', '# TYPE process_uptime_seconds gauge');
    out.push(`process_uptime_seconds ${process.uptime()}`);
    return `${out.join('\n')}\n`;
  }
}
