// Built-in pages for the buyer's browser when the shop configured no success/failure URL, and while pending.
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>${head}<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;
}

const TITLES: Record<string, string> = {
  Completed: 'Thank you, your payment is confirmed',
  Declined: 'Your payment was declined',
  BuyerCanceled: 'Checkout canceled',
  Expired: 'This checkout has expired',
  Failed: 'We could not complete your payment',
};

export function resultPage(checkoutSessionId: string, state: string, reasonCode?: string): string {
  return page(
    TITLES[state] ?? `Checkout ${state}`,
    `<p id="state" class="state">${esc(state)}</p>${reasonCode ? `<p>Reason: <code>${esc(reasonCode)}</code></p>` : ''}
<p>Checkout session <code>${esc(checkoutSessionId)}</code></p>`,
  );
}

/**
 * Amazon is still deciding (pending authorization), or the wait ran out: the page shows the state that is true and
 * asks again by reloading (itself, or `refreshUrl`, a same-origin path).
 */
export function pendingPage(checkoutSessionId: string, state = 'AuthorizationPending', refreshUrl?: string, refreshSeconds = 3): string {
  const title = state === 'AwaitingReturn' ? 'Waiting for your checkout…' : 'Confirming your payment…';
  const target = refreshUrl ? `;url=${esc(refreshUrl)}` : '';
  return page(
    title,
    `<p id="state" class="state">${esc(state)}</p><p>This page refreshes by itself. Checkout session <code>${esc(checkoutSessionId)}</code></p>`,
    `<meta http-equiv="refresh" content="${refreshSeconds}${target}">`,
  );
}

export function notFoundPage(): string {
  return page('Checkout not found', '<p>We do not know this checkout session. Please return to the shop and try again.</p>');
}
