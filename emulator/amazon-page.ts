/**
 * "Amazon's page" for a checkout session: where the buyer approves, declines or cancels. A plain HTML form (no
 * scripts, no external assets) that posts to the buyer action; the server answers 303 to the merchant's URL.
 */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface AmazonPageModel {
  checkoutSessionId: string;
  state: string;
  reasonCode: string | null;
  amount: string | null;
  currencyCode: string | null;
  merchantStoreName: string | null;
  buyerName: string;
  paymentDescriptor: string;
}

export function renderAmazonPage(m: AmazonPageModel): string {
  const id = escapeHtml(m.checkoutSessionId);
  const action = `/_emulator/checkout-sessions/${encodeURIComponent(m.checkoutSessionId)}/buyer`;
  const amount = m.amount !== null ? `${escapeHtml(m.amount)} ${escapeHtml(m.currencyCode ?? '')}` : 'no charge now';
  const open = m.state === 'Open';
  const body = open
    ? `<form method="post" action="${escapeHtml(action)}">
  <button type="submit" name="action" value="approve" id="approve">Approve</button>
  <button type="submit" name="action" value="approve-pending" id="approve-pending">Approve (pending)</button>
  <button type="submit" name="action" value="decline" id="decline">Decline</button>
  <button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</form>`
    : `<p id="closed">This checkout session is ${escapeHtml(m.state)}${m.reasonCode ? ` (${escapeHtml(m.reasonCode)})` : ''}.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Amazon Pay (emulator)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem}.amount{font-size:2rem;font-weight:600;margin:1rem 0}
button{font-size:1rem;padding:.5rem 1rem;margin:.25rem .25rem .25rem 0;cursor:pointer}
#approve{background:#ffd814;border:1px solid #fcd200;border-radius:6px}
.muted{color:#555;font-size:.85rem}
</style>
</head>
<body>
<h1>Amazon Pay (emulator)</h1>
<p>${m.merchantStoreName ? `Pay ${escapeHtml(m.merchantStoreName)}` : 'Checkout'} as ${escapeHtml(m.buyerName)} with ${escapeHtml(m.paymentDescriptor)}</p>
<div class="amount" id="amount">${amount}</div>
${body}
<p class="muted">Checkout session <code id="checkout-session-id">${id}</code></p>
</body>
</html>
`;
}

export function renderActionDone(state: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Amazon Pay (emulator)</title></head>
<body><h1>Amazon Pay (emulator)</h1><p id="done">Done: the checkout session is ${escapeHtml(state)}. The merchant gave no URL to return to.</p></body></html>
`;
}
