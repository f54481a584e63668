/** The Amazon Pay CV2 routes the emulator serves, under `/v2`, `/sandbox/v2` and `/live/v2` (reference §1, §3). */
export type Operation =
  | 'createCheckoutSession'
  | 'getCheckoutSession'
  | 'updateCheckoutSession'
  | 'completeCheckoutSession'
  | 'finalizeCheckoutSession'
  | 'getCharge'
  | 'captureCharge'
  | 'cancelCharge'
  | 'getChargePermission'
  | 'updateChargePermission'
  | 'closeChargePermission';

export interface ApiRoute {
  operation: Operation;
  id: string | null;
  /** Path segment before `/v2`, if any. */
  env: 'sandbox' | 'live' | null;
  /** The path without env segment and trailing slash: the idempotency fingerprint uses it. */
  resourcePath: string;
}

export type RouteMatch =
  { kind: 'route'; route: ApiRoute } | { kind: 'notFound' } | { kind: 'methodNotAllowed'; allowed: string[] };

const PATH_RE = /^\/(?:(sandbox|live)\/)?v2\/([^?]*?)\/?$/;

type Table = Record<string, Partial<Record<string, Operation>>>;

/** Keys: collection, collection/:id, collection/:id/action. */
const TABLE: Table = {
  checkoutSessions: { POST: 'createCheckoutSession' },
  'checkoutSessions/:id': { GET: 'getCheckoutSession', PATCH: 'updateCheckoutSession' },
  'checkoutSessions/:id/complete': { POST: 'completeCheckoutSession' },
  'checkoutSessions/:id/finalize': { POST: 'finalizeCheckoutSession' },
  'charges/:id': { GET: 'getCharge' },
  'charges/:id/capture': { POST: 'captureCharge' },
  'charges/:id/cancel': { DELETE: 'cancelCharge' },
  'chargePermissions/:id': { GET: 'getChargePermission', PATCH: 'updateChargePermission' },
  'chargePermissions/:id/close': { DELETE: 'closeChargePermission' },
};

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function matchRoute(method: string, pathname: string): RouteMatch {
  const m = PATH_RE.exec(pathname);
  if (!m) return { kind: 'notFound' };
  const env = (m[1] as 'sandbox' | 'live' | undefined) ?? null;
  const segments = (m[2] ?? '').split('/');
  if (segments.length === 0 || segments.length > 3 || segments.some((s) => s.length === 0)) return { kind: 'notFound' };
  const [collection, rawId, action] = segments as [string, string | undefined, string | undefined];
  const key = [collection, rawId === undefined ? undefined : ':id', action].filter((x) => x !== undefined).join('/');
  const methods = TABLE[key];
  if (!methods) return { kind: 'notFound' };
  const operation = methods[method];
  if (!operation) return { kind: 'methodNotAllowed', allowed: Object.keys(methods) };
  const id = rawId === undefined ? null : decode(rawId);
  if (id === undefined) return { kind: 'notFound' };
  return {
    kind: 'route',
    route: { operation, id, env, resourcePath: `/v2/${segments.join('/')}` },
  };
}

/**
 * `x-amz-pay-simulation-code` values honoured per operation (reference §5.3); anything else, or a code on an
 * operation that has none, is 400 InvalidSandboxSimulationSpecified.
 */
const CONFIRM_SIMULATIONS = [
  'HardDeclined',
  'SoftDeclined',
  'AmazonRejected',
  'ProcessingFailure',
  'TransactionTimedOut',
  'AuthorizationInitiated',
];
export const SIMULATION_CODES: Partial<Record<Operation, readonly string[]>> = {
  completeCheckoutSession: CONFIRM_SIMULATIONS,
  finalizeCheckoutSession: CONFIRM_SIMULATIONS,
  captureCharge: [
    'HardDeclined',
    'SoftDeclined',
    'AmazonRejected',
    'ProcessingFailure',
    'TransactionTimedOut',
    'CaptureInitiated',
  ],
};

/** Operations whose session id is in the path (for counters and the request log). */
export function sessionIdOf(route: ApiRoute): string | null {
  return route.operation.endsWith('CheckoutSession') && route.operation !== 'createCheckoutSession' ? route.id : null;
}
