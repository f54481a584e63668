// The demo shop's operator page (/ops/metrics): the current values of the metrics the Grafana dashboard charts, read
// live from the worker's and the HTTP server's /metrics, for a local look without Prometheus or Grafana. It follows
// ops/grafana-dashboard.json (its panels, in order, and the metrics and label groupings their PromQL expressions name)
// and lists the alert rules of ops/prometheus-rules.yml, judging from current values only those that can be judged so.
// Counters are shown as totals since each process started (the dashboard charts their rates); histograms as their
// count and p50/p95 estimated from the buckets since start, as histogram_quantile does.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { escapeHtml as esc } from './html';
import { parsePrometheusText, type Exposition, type Sample } from './prom-text';
import { promqlMetricNames } from './promql-names';

const OPS = resolve(__dirname, '..', 'ops');

export interface ScrapeTarget {
  job: string;
  url: string;
}
interface Scrape extends ScrapeTarget {
  exposition?: Exposition;
  error?: string;
}
interface Panel {
  title: string;
  targets: { expr: string; legendFormat?: string }[];
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string };
}


async function scrape(t: ScrapeTarget): Promise<Scrape> {
  try {
    const r = await fetch(t.url, { signal: AbortSignal.timeout(3_000) });
    if (!r.ok) return { ...t, error: `answered ${r.status}` };
    return { ...t, exposition: parsePrometheusText(await r.text()) };
  } catch (err) {
    return { ...t, error: (err as Error).message };
  }
}

/** One metric a PromQL expression reads, with its label matchers (`{result="signaled"}`, `{status=~"5.."}`). */
interface Ref {
  name: string;
  matchers: { label: string; op: string; value: string }[];
  text: string;
}

function refs(expr: string): Ref[] {
  const names = promqlMetricNames(expr);
  const out: Ref[] = [];
  for (const m of expr.matchAll(/(?<![A-Za-z0-9_:.])([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?/g)) {
    if (!names.has(m[1]!)) continue;
    const matchers = [...(m[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((x) => ({ label: x[1]!, op: x[2]!, value: x[3]! }));
    const text = m[1]! + (m[2] ?? '');
    if (!out.some((r) => r.text === text)) out.push({ name: m[1]!, matchers, text });
  }
  return out;
}

const matches = (s: Sample, r: Ref) =>
  r.matchers.every(({ label, op, value }) => {
    const v = s.labels[label] ?? '';
    if (op === '=') return v === value;
    if (op === '!=') return v !== value;
    const full = new RegExp(`^(?:${value})$`).test(v);
    return op === '=~' ? full : !full;
  });

/** The aggregation an expression applies (`sum by (state, flow)`, `max(...)`), or none: one row per process. */
function aggregation(expr: string): { op: 'sum' | 'max'; by: string[] } {
  const m = /\b(sum|max)\s*(?:by\s*\(([^)]*)\))?\s*\(/.exec(expr);
  if (!m) return { op: 'max', by: ['job'] };
  return { op: m[1] as 'sum' | 'max', by: (m[2] ?? '').split(',').map((l) => l.trim()).filter((l) => l && l !== 'le') };
}

type Labeled = Sample & { labels: Record<string, string> };

function samplesOf(scrapes: Scrape[], name: string, r: Ref): Labeled[] {
  return scrapes.flatMap((s) => (s.exposition?.samples ?? []).filter((x) => x.name === name && matches(x, r)).map((x) => ({ ...x, labels: { ...x.labels, job: s.job } })));
}

function group<T>(samples: Labeled[], by: string[], f: (g: Labeled[]) => T): { key: string[]; value: T }[] {
  const groups = new Map<string, Labeled[]>();
  for (const s of samples) {
    const k = JSON.stringify(by.map((l) => s.labels[l] ?? ''));
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, g]) => ({ key: JSON.parse(k) as string[], value: f(g) }));
}

/** histogram_quantile over cumulative buckets (upper bound → count), linear inside the bucket as Prometheus does. */
export function bucketQuantile(q: number, buckets: { le: number; count: number }[]): number {
  const b = [...buckets].sort((x, y) => x.le - y.le);
  const total = b.at(-1)?.count ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const { le, count } of b) {
    if (count >= rank) {
      if (le === Infinity) return prevLe; // the highest finite bound, as Prometheus answers
      return prevLe + (le - prevLe) * ((rank - prevCount) / Math.max(1e-12, count - prevCount));
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

function fmt(name: string, v: number): string {
  if (Number.isNaN(v)) return '–';
  if (v === 0) return '0';
  if (name.includes('_bytes')) return `${(v / 1024 / 1024).toFixed(1)} MiB`;
  if (name.includes('_seconds')) return v >= 120 ? `${(v / 60).toFixed(1)} min` : v >= 1 ? `${v.toFixed(2)} s` : `${(v * 1000).toFixed(v < 0.01 ? 2 : 0)} ms`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function table(head: string[], rows: string[][], id: string): string {
  if (rows.length === 0) return `<p class="none" data-metric="${esc(id)}">none yet</p>`;
  return `<table class="m" data-metric="${esc(id)}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`;
}

/** One panel: a table per metric reference its expressions read (histograms once, with count, p50 and p95). */
function panelHtml(p: Panel, scrapes: Scrape[]): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const t of p.targets) {
    const { op, by } = aggregation(t.expr);
    const windowed = /\b(rate|increase)\s*\(/.test(t.expr);
    for (const r of refs(t.expr)) {
      if (r.name.endsWith('_bucket')) {
        const base = r.name.slice(0, -'_bucket'.length);
        if (seen.has(`h:${base}:${by.join()}`)) continue;
        seen.add(`h:${base}:${by.join()}`);
        const rows = group(samplesOf(scrapes, r.name, r), by, (g) => {
          const les = new Map<number, number>();
          for (const s of g) {
            const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
            les.set(le, (les.get(le) ?? 0) + s.value);
          }
          const buckets = [...les].map(([le, count]) => ({ le, count }));
          return { count: les.get(Infinity) ?? 0, p50: bucketQuantile(0.5, buckets), p95: bucketQuantile(0.95, buckets) };
        }).filter((x) => x.value.count > 0);
        parts.push(
          `<p class="ref"><code>${esc(base)}</code> · since start</p>` +
            table([...by, 'count', 'p50', 'p95'], rows.map((x) => [...x.key, String(x.value.count), fmt(base, x.value.p50), fmt(base, x.value.p95)]), base),
        );
        continue;
      }
      const key = `${r.text}:${op}:${by.join()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rows = group(samplesOf(scrapes, r.name, r), by, (g) => (op === 'sum' ? g.reduce((a, s) => a + s.value, 0) : Math.max(...g.map((s) => s.value))));
      const label = windowed ? 'total since start' : op === 'sum' && by.length === 0 ? 'now (sum)' : 'now';
      parts.push(`<p class="ref"><code>${esc(r.text)}</code></p>` + table([...by, label], rows.map((x) => [...x.key, fmt(r.name, x.value)]), r.text));
    }
  }
  return `<section class="panel"><h3>${esc(p.title)}</h3>${parts.join('\n')}</section>`;
}

function current(scrapes: Scrape[], name: string): number[] {
  return scrapes.flatMap((s) => (s.exposition?.samples ?? []).filter((x) => x.name === name).map((x) => x.value));
}

/**
 * What current values can say about a rule: `max(metric) > N` is judged from the gauge now (it fires only after its
 * `for`); an `increase(counter[w]) > 0` rule cannot fire while the counter is 0 since start; the rest need rates over
 * time, which only Prometheus has.
 */
function judge(rule: Rule, scrapes: Scrape[]): { status: 'over' | 'ok' | 'unknown'; note: string } {
  const expr = rule.expr.trim();
  const failed = scrapes.filter((s) => s.error).map((s) => s.job);
  if (failed.length > 0) return { status: 'unknown', note: `could not read ${failed.join(', ')}` };
  const gauge = /^max\(([A-Za-z_:][A-Za-z0-9_:]*)\)\s*>\s*([0-9.\s*]+)$/.exec(expr);
  if (gauge) {
    const threshold = gauge[2]!.split('*').reduce((a, x) => a * Number(x.trim()), 1);
    const values = current(scrapes, gauge[1]!);
    if (values.length === 0) return { status: 'unknown', note: `${gauge[1]} not exported yet` };
    const v = Math.max(...values);
    return v > threshold
      ? { status: 'over', note: `now ${fmt(gauge[1]!, v)} > ${fmt(gauge[1]!, threshold)}${rule.for ? `: fires if it stays so for ${rule.for}` : ''}` }
      : { status: 'ok', note: `now ${fmt(gauge[1]!, v)} ≤ ${fmt(gauge[1]!, threshold)}` };
  }
  const inc = /^sum\(increase\(([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\[(\w+)\]\)\)\s*>\s*0$/.exec(expr);
  if (inc) {
    const r = refs(`${inc[1]}${inc[2] ?? ''}`)[0]!;
    const total = samplesOf(scrapes, r.name, r).reduce((a, s) => a + s.value, 0);
    return total === 0
      ? { status: 'ok', note: `none since the processes started` }
      : { status: 'unknown', note: `${total} since the processes started; the rule counts the last ${inc[3]}` };
  }
  return { status: 'unknown', note: 'needs rates over time (Prometheus)' };
}

function alertsHtml(scrapes: Scrape[]): string {
  const doc = parse(readFileSync(join(OPS, 'prometheus-rules.yml'), 'utf8')) as { groups: { rules: Rule[] }[] };
  const rows = doc.groups.flatMap((g) => g.rules).map((rule) => {
    const j = judge(rule, scrapes);
    const status = j.status === 'over' ? 'over threshold' : j.status === 'ok' ? 'not firing' : 'not judged';
    return `<tr class="alert-${j.status}" data-alert="${esc(rule.alert)}"><td>${esc(rule.alert)}</td><td>${esc(rule.labels?.severity ?? '')}</td><td><code>${esc(rule.expr.trim())}</code>${rule.for ? ` for ${esc(rule.for)}` : ''}</td><td><span class="status">${esc(status)}</span>: ${esc(j.note)}</td></tr>`;
  });
  return `<table class="m alerts"><thead><tr><th>alert</th><th>severity</th><th>rule</th><th>from current values</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

export const METRICS_STYLE = `.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(21rem,1fr));gap:.8rem}
.panel{border:1px solid #ddd;border-radius:4px;padding:.4rem .7rem}.panel h3{margin:.2rem 0 .4rem;font-size:1rem}
p.ref{margin:.4rem 0 .1rem;font-size:.75rem;color:#555}p.none{margin:.1rem 0;font-size:.8rem;color:#888}
table.m{border-collapse:collapse;font-size:.8rem;width:100%}table.m td,table.m th{padding:.1rem .35rem;border-bottom:1px solid #eee;text-align:left}
table.m td:last-child,table.m th:last-child{text-align:right}table.alerts td:last-child,table.alerts th:last-child{text-align:left}
table.alerts{table-layout:fixed}table.alerts td{vertical-align:top}table.alerts code{font-size:.72rem;white-space:pre-wrap;overflow-wrap:anywhere}
table.alerts th:nth-child(1){width:15rem}table.alerts th:nth-child(2){width:3.5rem}table.alerts th:nth-child(4){width:17rem}.alert-over .status{color:#b00;font-weight:bold}
.alert-ok .status{color:#286b2a}.alert-unknown .status{color:#777}.scrape-error{color:#b00}`;

/** The page's body: the scrapes, the dashboard's panels with current values, the alert rules. */
export async function metricsPageBody(targets: ScrapeTarget[]): Promise<string> {
  const dash = JSON.parse(readFileSync(join(OPS, 'grafana-dashboard.json'), 'utf8')) as { title?: string; panels: (Panel & { panels?: Panel[] })[] };
  const panels = dash.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => (p.targets ?? []).length > 0);
  const scrapes = await Promise.all(targets.map(scrape));
  const sources = scrapes
    .map((s) => `<a href="${esc(s.url)}">${esc(s.job)}</a>${s.error ? ` <span class="scrape-error">(${esc(s.error)})</span>` : ''}`)
    .join(' · ');
  return `<p>The current values of the metrics the Grafana dashboard (<code>ops/grafana-dashboard.json</code>) charts, read
now from ${sources}, panel by panel. Counters are totals since each process started (the dashboard charts their rates),
histograms their count and p50/p95 estimated from the buckets. Production scrapes the same endpoints with Prometheus.
Read at ${esc(new Date().toISOString().replace(/\.\d+Z$/, 'Z'))} · <a href="">reload</a></p>
<div class="panels">${panels.map((p) => panelHtml(p, scrapes)).join('\n')}</div>
<h2>Alert rules</h2><p><code>ops/prometheus-rules.yml</code>, judged where the current values can tell.</p>
${alertsHtml(scrapes)}`;
}
