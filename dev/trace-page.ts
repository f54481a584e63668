// The demo shop's view of a checkout's traces, read from Jaeger's query API (README "Tracing"): the Jaeger built from
// Go modules has no UI assets, so the shop draws the spans itself — one row per span, indented under its parent,
// with a bar for where it sits in time and its attributes on hover.

import { escapeHtml as esc } from './html';

export interface JaegerTag {
  key: string;
  value: unknown;
}
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  startTime: number; // µs since the epoch
  duration: number; // µs
  tags: JaegerTag[];
  processID: string;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** Jaeger's query for the traces whose HTTP server span carries `checkout.session_id` = id. */
export function checkoutTracesUrl(queryUrl: string, checkoutSessionId: string): string {
  return `${queryUrl}/api/traces?service=checkout-http&tags=${encodeURIComponent(JSON.stringify({ 'checkout.session_id': checkoutSessionId }))}`;
}

/** The traces whose HTTP server span carries `checkout.session_id` = id (its return and cancel requests). */
export async function checkoutTraces(queryUrl: string, checkoutSessionId: string): Promise<JaegerTrace[]> {
  const r = await fetch(`${checkoutTracesUrl(queryUrl, checkoutSessionId)}&limit=20`, { signal: AbortSignal.timeout(5_000) });
  if (!r.ok) throw new Error(`Jaeger answered ${r.status}`);
  const body = (await r.json()) as { data: JaegerTrace[] | null };
  return (body.data ?? []).sort((a, b) => first(a) - first(b));
}

const first = (t: JaegerTrace) => Math.min(...t.spans.map((s) => s.startTime));


/** Spans in tree order (parents before their children, siblings by start time) with their depth. */
export function spanTree(t: JaegerTrace): { span: JaegerSpan; depth: number }[] {
  const ids = new Set(t.spans.map((s) => s.spanID));
  const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID))?.spanID;
  const children = new Map<string | undefined, JaegerSpan[]>();
  for (const s of t.spans) {
    const p = parentOf(s);
    children.set(p, [...(children.get(p) ?? []), s]);
  }
  const out: { span: JaegerSpan; depth: number }[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.startTime - b.startTime)) {
      out.push({ span: s, depth });
      walk(s.spanID, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}

const ms = (us: number) => (us >= 10_000 ? `${(us / 1000).toFixed(0)} ms` : `${(us / 1000).toFixed(1)} ms`);

/** One trace as an HTML table: service, span (indented), duration, and a bar on the trace's time line. */
export function traceTable(t: JaegerTrace): string {
  const rows = spanTree(t);
  const start = first(t);
  const end = Math.max(...t.spans.map((s) => s.startTime + s.duration));
  const total = Math.max(1, end - start);
  const body = rows
    .map(({ span: s, depth }) => {
      const service = t.processes[s.processID]?.serviceName ?? '';
      const left = ((s.startTime - start) / total) * 100;
      const width = Math.max(0.4, (s.duration / total) * 100);
      const title = s.tags.map((g) => `${g.key}=${String(g.value)}`).join('\n');
      return `<tr title="${esc(title)}"><td class="svc svc-${esc(service)}">${esc(service)}</td><td style="padding-left:${0.3 + depth * 1.1}rem">${esc(s.operationName)}</td><td class="dur">${ms(s.duration)}</td><td class="line"><div class="bar svc-${esc(service)}" style="margin-left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></div></td></tr>`;
    })
    .join('\n');
  return `<p class="trace-head">Trace <code>${esc(t.traceID)}</code> · ${t.spans.length} spans · ${ms(total)}</p>
<table class="trace"><thead><tr><th>service</th><th>span</th><th>duration</th><th>time line</th></tr></thead><tbody>
${body}
</tbody></table>`;
}

export const TRACE_STYLE = `table.trace{border-collapse:collapse;width:100%;font-size:.8rem}table.trace td,table.trace th{padding:.12rem .3rem;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}
td.dur{text-align:right;color:#555}td.line{width:40%}.bar{height:.7rem;border-radius:2px;background:#4a7ebb}.bar.svc-checkout-http{background:#d9822b}
td.svc{color:#555}.trace-head{margin:.8rem 0 .3rem}`;
