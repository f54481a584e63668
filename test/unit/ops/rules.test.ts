// ops/prometheus-rules.yml and ops/grafana-dashboard.json read only metrics the service exports: the names are
// collected from the real registries (the HTTP server's and the worker's), not from a list kept by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { HttpMetrics } from '../../../client/http/metrics';
import { createWorkerMetrics } from '../../../worker/metrics';
import { exportedNames, parsePrometheusText } from '../../helpers/prom-text';
import { promqlMetricNames } from '../../helpers/promql-names';

const OPS = join(__dirname, '../../../ops');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

let exported: Set<string>;
beforeAll(async () => {
  const http = new HttpMetrics();
  const worker = createWorkerMetrics();
  exported = new Set([
    ...exportedNames(parsePrometheusText(await http.render())),
    ...exportedNames(parsePrometheusText(await worker.registry.metrics())),
  ]);
});

const rules = (): Rule[] => {
  const doc = parse(readFileSync(join(OPS, 'prometheus-rules.yml'), 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
};

describe('the PromQL name extractor', () => {
  it('finds metric names, not functions, keywords, labels or strings', () => {
    expect([...promqlMetricNames('sum by (result) (rate(a_total{result=~"x|y_total"}[5m])) / on(job) b_seconds_count > 0.5 and c')].sort()).toEqual([
      'a_total',
      'b_seconds_count',
      'c',
    ]);
  });
});

describe('ops/prometheus-rules.yml', () => {
  it('parses, and each alert has an expression, a severity and a summary', () => {
    const rs = rules();
    expect(rs.length).toBeGreaterThanOrEqual(8);
    for (const r of rs) {
      expect(r.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(typeof r.expr).toBe('string');
      expect(['page', 'ticket']).toContain(r.labels?.severity);
      expect(r.annotations?.summary).toBeTruthy();
    }
  });

  it('covers stuck sessions, old pending authorizations, the IPN gap, refused IPNs, error rates and the webhook backlog', () => {
    const used = new Set(rules().flatMap((r) => [...promqlMetricNames(r.expr)]));
    for (const name of [
      'checkout_sessions_past_deadline',
      'checkout_authorization_pending_oldest_age_seconds',
      'checkout_authorizations_settled_total',
      'checkout_ipn_notifications_total',
      'http_requests_total',
      'checkout_webhooks_retrying',
    ])
      expect(used).toContain(name);
  });

  it('every expression names only metrics the HTTP server or the worker exports', () => {
    expect(exported.has('checkout_sessions_ended_total')).toBe(true);
    expect(exported.has('http_request_duration_seconds_bucket')).toBe(true);
    for (const r of rules()) {
      const names = promqlMetricNames(r.expr);
      expect(names.size).toBeGreaterThan(0);
      expect({ alert: r.alert, unknown: [...names].filter((n) => !exported.has(n)) }).toEqual({ alert: r.alert, unknown: [] });
    }
  });

  it('a rule naming a metric nobody exports is caught', () => {
    expect([...promqlMetricNames('sum(rate(checkout_sessions_endd_total[5m])) > 0')].filter((n) => !exported.has(n))).toEqual(['checkout_sessions_endd_total']);
  });
});

describe('ops/grafana-dashboard.json', () => {
  it('every panel query names only exported metrics', () => {
    const dash = JSON.parse(readFileSync(join(OPS, 'grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    for (const { title, expr } of exprs) {
      const names = promqlMetricNames(expr);
      expect(names.size).toBeGreaterThan(0);
      expect({ title, unknown: [...names].filter((n) => !exported.has(n)) }).toEqual({ title, unknown: [] });
    }
  });
});
