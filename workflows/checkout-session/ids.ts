// The only place workflow IDs are formatted (CONVENTIONS.md 8). One workflow per session, never reused.
const PREFIX = 'checkout-session-';

export function checkoutWorkflowId(checkoutSessionId: string): string {
  return `${PREFIX}${checkoutSessionId}`;
}

export function sessionIdFromWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith(PREFIX) ? workflowId.slice(PREFIX.length) : undefined;
}
