// The worker's part of tracing (client/temporal/tracing.ts): activity interceptors, the workflow interceptors'
// module, and the sink that exports the spans workflow code makes in its sandbox. Nothing when tracing is off, so the
// workflow bundle then holds no tracing code at all.
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WorkerOptions } from '@temporalio/worker';
import { AttributeFilteringSpanProcessor, type Tracing } from '../client/temporal/tracing';

export const TRACING_WORKFLOW_MODULE = require.resolve('../workflows/tracing-interceptors');

/** What a workflow span keeps of the WorkflowInfo that the sink copies into its attributes. */
const KEPT_INFO = new Set(['workflowId', 'runId', 'workflowType', 'taskQueue', 'namespace', 'attempt', 'historyLength']);
/** Attributes the workflow interceptors set themselves: temporalUpdateId, temporalWorkflowId, run_id, otel.*. */
const OWN = /^(temporal|run_id$|otel\.)/;

/**
 * The workflow sink merges the whole WorkflowInfo into every workflow span's attributes: memo, search attributes,
 * last result and failure, retry policy and more. Only the run's identity is kept: the rest is noise in every span
 * and could one day carry data that must not leave the worker (the memo and search attributes are merchant-defined).
 */
export class WorkflowSpanAttributes extends AttributeFilteringSpanProcessor {
  constructor(next: SpanProcessor) {
    super(next, (key) => !KEPT_INFO.has(key) && !OWN.test(key));
  }
}

export function workerTracingOptions(t: Tracing | undefined): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!t) return {};
  return {
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      workflowModules: [TRACING_WORKFLOW_MODULE],
    },
    sinks: { exporter: makeWorkflowExporter(new WorkflowSpanAttributes(t.spanProcessor), t.resource) },
  };
}
