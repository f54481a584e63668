// OpenTelemetry traces for every process (README "Tracing"). Off unless the standard OTEL_* variables ask for an
// OTLP exporter: then, and only then, the SDK is loaded, http and mongodb are patched, and the Temporal interceptors
// carry one trace from the buyer's return through the update, the workflow and its activities to the record writes.
// Off, this module loads nothing of the SDK: only @opentelemetry/api (no-ops without a registered provider) and the
// Temporal client interceptor's module, which needs nothing more.
import { trace, type Attributes, type Context } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { z } from 'zod';

const TracingEnv = z.object({
  OTEL_SDK_DISABLED: z.string().optional(),
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().optional(),
});

/**
 * Whether the environment configures trace export: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER=otlp, and neither OTEL_SDK_DISABLED=true nor
 * OTEL_TRACES_EXPORTER=none. Unlike the specification's default (otlp), nothing set means off.
 */
export function tracingConfigured(env: NodeJS.ProcessEnv): boolean {
  const e = TracingEnv.parse(env);
  if (e.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (e.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.includes('none')) return false;
  if (exporters.includes('otlp')) return true;
  if (exporters.length > 0) return false; // only otlp is supported
  return Boolean(e.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

export interface Tracing {
  serviceName: string;
  resource: Resource;
  /** Every exported span passes through it: workflow spans (through the worker's sink) as well as this process's. */
  spanProcessor: SpanProcessor;
  /** Flushes what is still batched and stops exporting. */
  shutdown(): Promise<void>;
}

let started: Tracing | undefined;

/** The tracing this process started, if any. */
export function activeTracing(): Tracing | undefined {
  return started;
}

/**
 * Attributes that the instrumentations set and that can identify a buyer: the browser's address and user agent.
 * (Request and response headers and bodies are never captured; MongoDB statements are recorded with every value
 * replaced by `?`.) IDs — checkout session, workflow, charge — are not buyer data and stay.
 */
export const DROPPED_ATTRIBUTES = [
  'client.address',
  'http.client_ip',
  'net.peer.ip',
  'net.sock.peer.addr',
  'network.peer.address',
  'http.user_agent',
  'user_agent.original',
] as const;

/** Deletes the attributes `drops` names from each ended span, then hands the span to `next`. */
export class AttributeFilteringSpanProcessor implements SpanProcessor {
  constructor(
    private readonly next: SpanProcessor,
    private readonly drops: (key: string) => boolean,
  ) {}
  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    const attributes = span.attributes as Attributes;
    for (const key of Object.keys(attributes)) if (this.drops(key)) delete attributes[key];
    this.next.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

const DROPPED = new Set<string>(DROPPED_ATTRIBUTES);

/** Removes DROPPED_ATTRIBUTES from each ended span before `next` exports it. */
export class RedactingSpanProcessor extends AttributeFilteringSpanProcessor {
  constructor(next: SpanProcessor) {
    super(next, (key) => DROPPED.has(key));
  }
}

/** Requests that are not part of a checkout: health checks and scrapes would otherwise each be a trace. */
const UNTRACED_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

/**
 * Starts the SDK if the environment configures tracing (tracingConfigured), once per process; undefined when off.
 * Must run before `http` servers are created and before `mongodb` is loaded, so that their instrumentations can
 * patch them: each process imports its tracing preload first (worker/tracing-preload.ts, client/http/tracing-preload.ts).
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the default service name; the OTLP exporter (HTTP,
 * protobuf) reads its endpoint, headers and timeout from OTEL_EXPORTER_OTLP_*, the batch processor OTEL_BSP_*, the
 * sampler OTEL_TRACES_SAMPLER (default: parent-based, always on).
 */
export function startTracing(defaultServiceName: string, env: NodeJS.ProcessEnv): Tracing | undefined {
  if (started) return started;
  if (!tracingConfigured(env)) return undefined;
  // Loaded here, not at the top, so that a process without tracing never loads the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  const { Resource: ResourceClass, envDetectorSync } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { MongoDBInstrumentation } = require('@opentelemetry/instrumentation-mongodb') as typeof import('@opentelemetry/instrumentation-mongodb');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const resource = ResourceClass.default()
    .merge(new ResourceClass({ 'service.name': defaultServiceName }))
    .merge(envDetectorSync.detect());
  const spanProcessor = new RedactingSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter()));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
        // Outgoing requests outside any span (none in a checkout) would each start a trace of their own.
        requireParentforOutgoingSpans: true,
      }),
      // Statements are recorded with every value replaced by `?` (never the documents' contents).
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
    ],
  });
  const serviceName = String(resource.attributes['service.name'] ?? defaultServiceName);
  started = {
    serviceName,
    resource,
    spanProcessor,
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
  return started;
}

/** The Temporal client interceptors that carry the trace into the workflow (headers); none when tracing is off. */
export function workflowClientInterceptors(): WorkflowClientInterceptor[] {
  if (!started) return [];
  return [new OpenTelemetryWorkflowClientInterceptor()];
}

/** `trace_id` and `span_id` of the active span, for log lines (an empty object when there is none). */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const c = span.spanContext();
  return { trace_id: c.traceId, span_id: c.spanId };
}

/** Names the active span (the HTTP server's, when tracing is on) after the route template, as `GET /checkout/return`. */
export function nameRequestSpan(method: string, route: string | undefined): void {
  if (!route) return;
  const span = trace.getActiveSpan();
  if (!span) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
}

/** Puts the checkout session's ID on the active span (the HTTP request's): Jaeger finds a checkout's trace by it. */
export function tagCheckoutSession(checkoutSessionId: string): void {
  trace.getActiveSpan()?.setAttribute('checkout.session_id', checkoutSessionId);
}
