// The worker's part of tracing (client/temporal/tracing.ts): activity interceptors, the workflow interceptors'
// module, and the sink that exports the spans workflow code makes in its sandbox. Nothing when tracing is off, so the
// workflow bundle then holds no tracing code at all.
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from '../client/temporal/tracing';

export const TRACING_WORKFLOW_MODULE = require.resolve('../workflows/tracing-interceptors');

export function workerTracingOptions(t: Tracing | undefined): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!t) return {};
  return {
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      workflowModules: [TRACING_WORKFLOW_MODULE],
    },
    sinks: { exporter: makeWorkflowExporter(t.spanProcessor, t.resource) },
  };
}
