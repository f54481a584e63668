// What the CLI prints. Buyer data (name, email, addresses, payment descriptor) stays out unless asked for with
// --show-buyer (CONVENTIONS.md 15): the record is copied through an allowlist, so a field added later is hidden
// until someone decides it is safe to show.
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { CheckoutSessionDoc } from '../../records/checkout-sessions';
import type { WebhookDelivery } from '../../records/types';
import type { CheckoutOutcome, CheckoutStatus } from '../../workflows/checkout-session';

const RECORD_FIELDS = [
  'state',
  'reasonCode',
  'flow',
  'chargePermissionType',
  'paymentIntent',
  'chargeAmount',
  'totalOrderAmount',
  'merchantReferenceId',
  'chargeId',
  'chargePermissionId',
  'chargeState',
  'statusDetails',
  'deadline',
  'workflowId',
  'runId',
  'seq',
  'createdAt',
  'updatedAt',
  'returnedAt',
  'finalizedAt',
  'settledAt',
  'closedAt',
] as const satisfies readonly (keyof CheckoutSessionDoc)[];

export const BUYER_FIELDS = ['buyer', 'billingAddress', 'shippingAddress', 'paymentDescriptor'] as const satisfies readonly (keyof CheckoutSessionDoc)[];

/** The webhook delivery as shown: its own allowlist (the stored event stays out; its fields are the record's). */
const WEBHOOK_FIELDS = [
  'state',
  'lastEventId',
  'lastEventType',
  'attempts',
  'lastHttpStatus',
  'lastError',
  'deliveredAt',
  'resentAt',
  'updatedAt',
] as const satisfies readonly (keyof WebhookDelivery)[];

export type ShownWebhook = Partial<Record<(typeof WEBHOOK_FIELDS)[number], unknown>>;

export type ShownRecord = Partial<Record<(typeof RECORD_FIELDS)[number] | (typeof BUYER_FIELDS)[number], unknown>> & {
  checkoutSessionId: string;
  webhook?: ShownWebhook;
};

export function shownRecord(doc: CheckoutSessionDoc, showBuyer: boolean): ShownRecord {
  const out: ShownRecord = { checkoutSessionId: doc._id };
  const fields: readonly (keyof CheckoutSessionDoc)[] = showBuyer ? [...RECORD_FIELDS, ...BUYER_FIELDS] : RECORD_FIELDS;
  for (const k of fields) {
    if (doc[k] !== undefined && doc[k] !== null) (out as Record<string, unknown>)[k] = doc[k];
  }
  if (doc.webhook) {
    const w: ShownWebhook = {};
    for (const k of WEBHOOK_FIELDS) if (doc.webhook[k] !== undefined && doc.webhook[k] !== null) w[k] = doc.webhook[k];
    out.webhook = w;
  }
  return out;
}

export interface WorkflowSummary {
  workflowId: string;
  runId: string;
  status: string;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  historyLength: number;
}

export function workflowSummary(
  d: Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'status' | 'taskQueue' | 'startTime' | 'closeTime' | 'historyLength'>,
): WorkflowSummary {
  return {
    workflowId: d.workflowId,
    runId: d.runId,
    status: d.status.name,
    taskQueue: d.taskQueue,
    startTime: d.startTime.toISOString(),
    ...(d.closeTime ? { closeTime: d.closeTime.toISOString() } : {}),
    historyLength: d.historyLength,
  };
}

export interface StatusReport {
  checkoutSessionId: string;
  workflow: WorkflowSummary | null;
  /** The workflow's `status` query; null when the workflow is gone or could not answer. */
  status: CheckoutStatus | null;
  /** The workflow's result once it has closed. */
  outcome: CheckoutOutcome | null;
  record: ShownRecord | null;
  warnings: string[];
}

const money = (m: unknown): string | undefined => {
  const v = m as { amount?: string; currencyCode?: string } | undefined;
  return v?.amount && v.currencyCode ? `${v.amount} ${v.currencyCode}` : undefined;
};

const show = (v: unknown): string =>
  v instanceof Date ? v.toISOString() : typeof v === 'object' && v !== null ? (money(v) ?? JSON.stringify(v)) : String(v);

function table(rows: [string, unknown][], indent = ''): string[] {
  const present = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  const width = Math.max(0, ...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${indent}${k.padEnd(width)}  ${show(v)}`);
}

function outcomeLine(o: CheckoutOutcome): string {
  const extra = (['reasonCode', 'chargeId', 'chargePermissionId', 'chargeState', 'message'] as const)
    .filter((k) => o[k] !== undefined)
    .map((k) => `${k}=${o[k]}`);
  return [o.state, ...extra].join(' ');
}

export function formatStatus(r: StatusReport): string {
  const lines = [`Checkout session ${r.checkoutSessionId}`];
  const w = r.workflow;
  if (w) {
    lines.push(
      ...table([
        ['Workflow', `${w.workflowId} (run ${w.runId})`],
        ['Workflow status', w.status],
        ['Task queue', w.taskQueue],
        ['Started', w.startTime],
        ['Closed', w.closeTime],
        ['State', r.status?.state ?? r.outcome?.state],
        ['Waiting on', r.status && w.status === 'RUNNING' ? r.status.waitingOn : undefined],
        ['Buyer returned', r.status ? (r.status.returned ? 'yes' : 'no') : undefined],
        ['Deadline', r.status?.deadline],
        ['Confirm attempts', r.status?.confirmAttempts],
        ['Outcome', (r.status?.outcome ?? r.outcome) ? outcomeLine((r.status?.outcome ?? r.outcome)!) : undefined],
      ]),
    );
  } else {
    lines.push('Workflow          not found in Temporal (closed past retention, or never started)');
  }
  if (r.record) {
    lines.push('Record (MongoDB)');
    const { checkoutSessionId: _id, webhook, ...fields } = r.record;
    lines.push(...table(Object.entries(fields), '  '));
    if (webhook) {
      lines.push('Webhook');
      lines.push(
        ...table(
          [
            ['state', webhook.state],
            ['event', webhook.lastEventId ? `${String(webhook.lastEventId)} (${String(webhook.lastEventType)})` : undefined],
            ['attempts', webhook.attempts],
            ['last status', webhook.lastHttpStatus],
            ['last error', webhook.lastError],
            ['delivered at', webhook.deliveredAt],
            ['resent at', webhook.resentAt],
            ['updated at', webhook.updatedAt],
          ],
          '  ',
        ),
      );
    }
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export interface ListedSession {
  checkoutSessionId: string;
  state: string | null;
  workflowStatus: string;
  startTime: string;
  closeTime?: string;
  workflowId: string;
}

export function formatList(rows: ListedSession[]): string {
  if (rows.length === 0) return 'no checkout sessions match';
  const header = ['CHECKOUT SESSION ID', 'STATE', 'WORKFLOW STATUS', 'STARTED'];
  const cells = rows.map((r) => [r.checkoutSessionId, r.state ?? '-', r.workflowStatus, r.startTime]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [header, ...cells].map((c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')).join('\n');
}
