import { formatList, formatStatus, shownRecord, type StatusReport } from '../../../client/cli/format';
import type { CheckoutSessionDoc } from '../../../records/checkout-sessions';

const doc: CheckoutSessionDoc = {
  _id: 'sess-1',
  seq: 2,
  state: 'Completed',
  flow: 'complete',
  chargeAmount: { amount: '14.00', currencyCode: 'USD', minor: 1400 },
  chargeId: 'S01-1-1-C1',
  chargePermissionId: 'S01-1-1',
  workflowId: 'checkout-session-sess-1',
  runId: 'run-1',
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-01T00:01:00Z'),
  buyer: { name: 'Susie Smith', email: 'susie@example.com' },
  shippingAddress: { city: 'Chicago' },
  billingAddress: { city: 'Chicago' },
  paymentDescriptor: 'Visa ****1111',
};

const report = (record: StatusReport['record']): StatusReport => ({
  checkoutSessionId: 'sess-1',
  workflow: {
    workflowId: 'checkout-session-sess-1',
    runId: 'run-1',
    status: 'COMPLETED',
    taskQueue: 'checkout-sessions',
    startTime: '2025-01-01T00:00:00.000Z',
    closeTime: '2025-01-01T00:01:00.000Z',
    historyLength: 20,
  },
  status: null,
  outcome: { checkoutSessionId: 'sess-1', state: 'Completed', chargeId: 'S01-1-1-C1' },
  record,
  warnings: [],
});

describe('CLI output', () => {
  it('leaves buyer data out of the record unless asked, through an allowlist', () => {
    const shown = shownRecord({ ...doc, newBuyerField: 'x@example.com' } as CheckoutSessionDoc, false);
    expect(shown).toMatchObject({ checkoutSessionId: 'sess-1', state: 'Completed', chargeId: 'S01-1-1-C1' });
    expect(JSON.stringify(shown)).not.toMatch(/Susie|susie@|Chicago|1111|x@example/);
    expect(shownRecord(doc, true)).toMatchObject({ buyer: { email: 'susie@example.com' }, paymentDescriptor: 'Visa ****1111' });
  });

  it('prints state, outcome, amounts and IDs in the human status', () => {
    const text = formatStatus(report(shownRecord(doc, false)));
    expect(text).toMatch(/Workflow status\s+COMPLETED/);
    expect(text).toMatch(/State\s+Completed/);
    expect(text).toMatch(/Outcome\s+Completed chargeId=S01-1-1-C1/);
    expect(text).toMatch(/chargeAmount\s+14\.00 USD/);
    expect(text).toMatch(/createdAt\s+2025-01-01T00:00:00\.000Z/);
    expect(text).not.toMatch(/Susie|Chicago/);
  });

  it('lists sessions as a table', () => {
    expect(formatList([])).toBe('no checkout sessions match');
    const t = formatList([
      { checkoutSessionId: 'a', state: 'Completed', workflowStatus: 'COMPLETED', startTime: '2025-01-01T00:00:00.000Z', workflowId: 'checkout-session-a' },
      { checkoutSessionId: 'bbbbbbbbbbbbbbbbbbbbbbbb', state: null, workflowStatus: 'RUNNING', startTime: '2025-01-02T00:00:00.000Z', workflowId: 'x' },
    ]).split('\n');
    expect(t[0]).toMatch(/^CHECKOUT SESSION ID\s+STATE\s+WORKFLOW STATUS\s+STARTED$/);
    expect(t[1]).toMatch(/^a\s+Completed\s+COMPLETED\s+2025-01-01/);
    expect(t[2]).toMatch(/^b{24}\s+-\s+RUNNING\s+2025-01-02/);
  });
});
