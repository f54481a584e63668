import type { ReleaseEnvironment } from './model';
import type { Scheduler } from './scheduler';
import { DAY_MS } from './time';

/** Amazon's clocks (reference §5): sessions cancel after 24 h and are deleted after 30 days. */
export const SESSION_TTL_MS = DAY_MS;
export const SESSION_RETENTION_MS = 30 * DAY_MS;
/** An authorization is valid 30 days; a pending authorization may take up to 24 h (reference §5.1, §5.3). */
export const AUTHORIZATION_TTL_MS = 30 * DAY_MS;
export const PENDING_AUTHORIZATION_TIMEOUT_MS = DAY_MS;
export const ONE_TIME_PERMISSION_TTL_MS = 180 * DAY_MS;

/** Simulation codes that make an authorization fail on complete/finalize, and their charge reason codes. */
export const DECLINE_SIMULATIONS = [
  'HardDeclined',
  'SoftDeclined',
  'AmazonRejected',
  'ProcessingFailure',
  'TransactionTimedOut',
] as const;

export interface Notification {
  objectType: 'CHARGE' | 'CHARGE_PERMISSION';
  objectId: string;
  chargePermissionId: string;
  notificationType: 'STATE_CHANGE';
}

export interface DomainDeps {
  /** The emulator clock (wall clock + admin offset). */
  now: () => number;
  amazonPageUrl: (checkoutSessionId: string) => string;
  notify: (n: Notification) => void;
  scheduler: Scheduler;
}

export interface OpContext {
  publicKeyId: string;
  simulationCode: string | undefined;
  releaseEnvironment: ReleaseEnvironment;
}

export interface OpResult {
  status: number;
  body: unknown;
  /** True when state changed: such responses are stored for idempotent replay. */
  effect: boolean;
  checkoutSessionId?: string | null;
  chargeId?: string | null;
  chargePermissionId?: string | null;
}

export type CompleteOperation = 'complete' | 'finalize';
