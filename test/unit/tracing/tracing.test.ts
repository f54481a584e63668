// Tracing is off unless OTEL_* asks for OTLP export, and off costs nothing: no SDK loaded, nothing patched, no
// interceptors and no tracing module in the workflow bundle (client/temporal/tracing.ts, worker/tracing.ts).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '../../../client/temporal/logger';
import { DROPPED_ATTRIBUTES, RedactingSpanProcessor, activeTracing, tracingConfigured } from '../../../client/temporal/tracing';
import { WorkflowSpanAttributes, workerTracingOptions } from '../../../worker/tracing';

const ROOT = join(__dirname, '../../..');

describe('tracingConfigured', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'TRUE' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'zipkin' }, false],
    [{ OTEL_SERVICE_NAME: 'x', OTEL_RESOURCE_ATTRIBUTES: 'a=b' }, false],
  ])('%j → %s', (env, on) => {
    expect(tracingConfigured(env)).toBe(on);
  });
});

describe('off', () => {
  it('adds no worker options: no interceptors, no sinks, no workflow module in the bundle', () => {
    expect(activeTracing()).toBeUndefined();
    expect(workerTracingOptions(undefined)).toEqual({});
  });

  it('writes log lines without trace fields', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString('utf8')), done()) });
    createLogger('info', 'test', sink).info('hello');
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('trace_id');
  });

  // A process of its own: jest's module registry is not Node's, and the preload must be the first thing loaded.
  const probe = (preload: string, env: NodeJS.ProcessEnv) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--require',
          'tsx/cjs',
          '-e',
          `require(${JSON.stringify(preload)});
           const loaded = Object.keys(require.cache).filter((k) => /@opentelemetry\\/(sdk-trace-node|instrumentation-http|instrumentation-mongodb)\\//.test(k)).length;
           console.log(JSON.stringify({ loaded, started: require('./client/temporal/tracing').activeTracing()?.serviceName ?? null }));`,
        ],
        { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' },
      ),
    ) as { loaded: number; started: string | null };

  it('loads no SDK in the worker or the HTTP server without OTEL_* configuration', () => {
    expect(probe('./worker/tracing-preload', {})).toEqual({ loaded: 0, started: null });
    expect(probe('./client/http/tracing-preload', { OTEL_SERVICE_NAME: 'x' })).toEqual({ loaded: 0, started: null });
  });

  it('starts it when an OTLP endpoint is set, named by OTEL_SERVICE_NAME when given', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' };
    expect(probe('./worker/tracing-preload', env)).toMatchObject({ started: 'checkout-worker' });
    expect(probe('./client/http/tracing-preload', { ...env, OTEL_SERVICE_NAME: 'shop-http' })).toMatchObject({ started: 'shop-http' });
    expect(probe('./worker/tracing-preload', env).loaded).toBeGreaterThan(0);
  });
});

it('drops the buyer’s address and user agent from every span before export', () => {
  const ended: ReadableSpan[] = [];
  const next = { onStart: () => undefined, onEnd: (s: ReadableSpan) => ended.push(s), forceFlush: async () => undefined, shutdown: async () => undefined } as SpanProcessor;
  const attributes: Record<string, string> = { 'checkout.session_id': 'S1', 'http.route': '/checkout/return' };
  for (const k of DROPPED_ATTRIBUTES) attributes[k] = 'buyer data';
  new RedactingSpanProcessor(next).onEnd({ attributes } as unknown as ReadableSpan);
  expect(ended[0]!.attributes).toEqual({ 'checkout.session_id': 'S1', 'http.route': '/checkout/return' });
});

it('keeps only the run’s identity of the WorkflowInfo that the workflow sink copies into each workflow span', () => {
  const ended: ReadableSpan[] = [];
  const next = { onStart: () => undefined, onEnd: (s: ReadableSpan) => ended.push(s), forceFlush: async () => undefined, shutdown: async () => undefined } as SpanProcessor;
  const attributes = {
    workflowId: 'checkout-session-S1',
    runId: 'r1',
    workflowType: 'checkoutSession',
    taskQueue: 'q',
    namespace: 'default',
    attempt: 1,
    historyLength: 19,
    temporalUpdateId: 'u1',
    'otel.status_code': 'OK',
    memo: '{"note":"anything"}',
    searchAttributes: '{"MerchantReference":["order-1"]}',
    typedSearchAttributes: '{}',
    lastResult: '{}',
    unsafe: '{}',
  };
  new WorkflowSpanAttributes(next).onEnd({ attributes } as unknown as ReadableSpan);
  expect(Object.keys(ended[0]!.attributes).sort()).toEqual(
    ['attempt', 'historyLength', 'namespace', 'otel.status_code', 'runId', 'taskQueue', 'temporalUpdateId', 'workflowId', 'workflowType'].sort(),
  );
});
