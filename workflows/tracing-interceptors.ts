// Workflow interceptors for tracing, in the workflow bundle only when tracing is on (worker/tracing.ts lists this
// module in interceptors.workflowModules; README "Tracing"). Temporal's OpenTelemetry interceptors, plus one rule:
// the activities a checkout runs after the buyer's return (or cancel) belong to that return's trace. The return is an
// update (or signal) handled while the main path waits, and the main path then confirms and records; without this
// rule those activities would hang under the workflow's own span, in the trace of the request that started it.
// Interceptors only add span context to activity headers: no command changes, so histories replay either way.
import { context, type Context } from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  ActivityInput,
  LocalActivityInput,
  Next,
  SignalInput,
  UpdateInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { buyerCanceled, buyerReturned, buyerReturnedSignal, cancelCheckout } from './checkout-session/messages';

const RETURN_MESSAGES: ReadonlySet<string> = new Set([buyerReturned.name, buyerReturnedSignal.name, cancelCheckout.name, buyerCanceled.name]);

/** One per workflow run: the span context of the first return or cancel message it handled. */
interface ReturnTrace {
  context?: Context;
}

/** Inside Temporal's inbound interceptor, so the active context is the message handler's span. */
class ReturnTraceInbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly held: ReturnTrace) {}

  async handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    if (RETURN_MESSAGES.has(input.name)) this.held.context ??= context.active();
    return next(input);
  }

  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    if (RETURN_MESSAGES.has(input.signalName)) this.held.context ??= context.active();
    return next(input);
  }
}

/** Outside Temporal's outbound interceptor, so the activity's start span is made in the return's context. */
class ReturnTraceOutbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly held: ReturnTrace) {}

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return this.inReturnTrace(() => next(input));
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return this.inReturnTrace(() => next(input));
  }

  private inReturnTrace<T>(fn: () => T): T {
    const c = this.held.context;
    return c ? context.with(c, fn) : fn();
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  const held: ReturnTrace = {};
  return {
    inbound: [new OpenTelemetryInboundInterceptor(), new ReturnTraceInbound(held)],
    outbound: [new ReturnTraceOutbound(held), new OpenTelemetryOutboundInterceptor()],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
