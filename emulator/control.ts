import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { ApiRoute } from './api';
import { sessionIdOf } from './api';
import {
  Domain,
  parseInput,
  type AdminCreateSessionInput,
  type BuyerActionInput,
  type SettleChargeInput,
} from './domain';
import { ApiError, notFound } from './errors';
import { FaultRules, type FaultRuleView, type FaultSpec } from './faults';
import type { ChargeCounters, ChargePermissionRecord, ChargeRecord, SessionCounters, SessionRecord } from './model';
import { RequestLog, type LogEntry, type LogFilter } from './request-log';
import { Scheduler } from './scheduler';
import { IpnDispatcher, type IpnDelivery } from './sns';

export interface ClockInfo {
  /** Emulator time, ISO 8601. */
  now: string;
  epochMs: number;
  /** How far the emulator clock is ahead of the wall clock (sum of all advances). */
  offsetMs: number;
}

export interface EmulatorConfigView {
  ipnUrl: string | null;
  latencyMs: number;
}

export const ConfigSchema = z.object({
  ipnUrl: z.url().nullable().optional(),
  latencyMs: z.number().int().nonnegative().optional(),
});
export type ConfigInput = z.input<typeof ConfigSchema>;

export const PublicKeySchema = z.object({ publicKeyId: z.string().min(1), publicKeyPem: z.string().min(1) });
export const ClockAdvanceSchema = z.object({ ms: z.number().nonnegative() });

export interface StoredResponse {
  fingerprint: string;
  status: number;
  body: Buffer;
  headers: Readonly<Record<string, string>>;
}

/** In-process access to everything the admin API offers (`Emulator.state`). */
export interface EmulatorState {
  /** As Amazon's button would: returns the Checkout Session as the API shows it (id is a UUID). */
  createCheckoutSession(input: AdminCreateSessionInput): Record<string, unknown>;
  /** Raw state; undefined when unknown. */
  getCheckoutSession(
    checkoutSessionId: string,
  ):
    | { record: SessionRecord; view: Record<string, unknown> | null; deleted: boolean; counters: SessionCounters }
    | undefined;
  buyerAction(checkoutSessionId: string, input: BuyerActionInput): { redirectUrl: string | null };
  counters(checkoutSessionId: string): SessionCounters;
  getCharge(
    chargeId: string,
  ): { record: ChargeRecord; view: Record<string, unknown>; counters: ChargeCounters } | undefined;
  settleCharge(chargeId: string, input: SettleChargeInput): Record<string, unknown>;
  getChargePermission(
    chargePermissionId: string,
  ): { record: ChargePermissionRecord; view: Record<string, unknown> } | undefined;
  addFault(spec: FaultSpec): { id: string };
  removeFault(id: string): boolean;
  clearFaults(): void;
  listFaults(): FaultRuleView[];
  advanceClock(ms: number): ClockInfo;
  clock(): ClockInfo;
  log(filter?: LogFilter): LogEntry[];
  addPublicKey(publicKeyId: string, publicKeyPem: string): void;
  configure(input: ConfigInput): EmulatorConfigView;
  config(): EmulatorConfigView;
  /** Forgets sessions, charges, idempotency keys, faults, logs, IPN records and clock offset; keeps keys and config. */
  reset(): void;
  ipnDeliveries(): IpnDelivery[];
}

export interface ControlOptions {
  wallNow: () => number;
  clockSkewMs: number;
  ipnUrl: string | undefined;
  latencyMs: number;
  baseUrl: string;
  merchantId: string;
  snsSigningKeyPem: string;
  ipnRetryDelaysMs?: readonly number[];
}

export function parsePublicKey(publicKeyId: string, pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new ApiError(
      400,
      'InvalidParameterValue',
      `publicKeyPem for ${publicKeyId} is not a PEM key or certificate.`,
    );
  }
}

export class EmulatorControl implements EmulatorState {
  readonly domain: Domain;
  readonly faults = new FaultRules();
  readonly requestLog = new RequestLog();
  readonly keys = new Map<string, KeyObject>();
  readonly idempotency = new Map<string, StoredResponse>();
  readonly scheduler: Scheduler;
  readonly ipn: IpnDispatcher;
  readonly clockSkewMs: number;
  readonly wallNow: () => number;
  private offsetMs = 0;
  private settings: { ipnUrl: string | undefined; latencyMs: number };

  constructor(o: ControlOptions) {
    this.wallNow = o.wallNow;
    this.clockSkewMs = o.clockSkewMs;
    this.settings = { ipnUrl: o.ipnUrl, latencyMs: o.latencyMs };
    this.scheduler = new Scheduler(() => this.now());
    this.ipn = new IpnDispatcher({
      getUrl: () => this.settings.ipnUrl,
      merchantId: o.merchantId,
      topicArn: `arn:aws:sns:us-east-1:000000000000:AmazonPayEmulator-${o.merchantId}`,
      signingCertUrl: `${o.baseUrl}/_emulator/sns-cert.pem`,
      unsubscribeUrl: `${o.baseUrl}/_emulator/sns-unsubscribe`,
      signingKeyPem: o.snsSigningKeyPem,
      wallNow: o.wallNow,
      retryDelaysMs: o.ipnRetryDelaysMs,
      rejectUnauthorized: false,
    });
    this.domain = new Domain({
      now: () => this.now(),
      amazonPageUrl: (id) => `${o.baseUrl}/_emulator/amazon-page/${encodeURIComponent(id)}`,
      notify: (n) => this.ipn.notify(n),
      scheduler: this.scheduler,
    });
  }

  /** The emulator clock: wall clock plus every admin advance. */
  now(): number {
    return this.wallNow() + this.offsetMs;
  }

  get latencyMs(): number {
    return this.settings.latencyMs;
  }

  /** Counts a received call before anything else happens to it (faults, auth): "calls" vs "effects". */
  noteCall(route: ApiRoute): void {
    const sid = sessionIdOf(route);
    if (sid !== null) {
      const c = this.domain.countersOf(sid);
      if (route.operation === 'getCheckoutSession') c.getCalls++;
      else if (route.operation === 'updateCheckoutSession') c.updateCalls++;
      else if (route.operation === 'completeCheckoutSession') c.completeCalls++;
      else if (route.operation === 'finalizeCheckoutSession') c.finalizeCalls++;
      return;
    }
    if (route.id !== null && route.operation.endsWith('Charge')) {
      const c = this.domain.chargeCountersOf(route.id);
      if (route.operation === 'getCharge') c.getCalls++;
      else if (route.operation === 'captureCharge') c.captureCalls++;
      else if (route.operation === 'cancelCharge') c.cancelCalls++;
    }
  }

  // ------------------------------------------------------------------------------------------- EmulatorState

  createCheckoutSession(input: AdminCreateSessionInput): Record<string, unknown> {
    this.scheduler.runDue();
    return this.domain.sessionView(this.domain.createSessionFromButton(input));
  }

  getCheckoutSession(checkoutSessionId: string) {
    this.scheduler.runDue();
    const record = this.domain.sessions.get(checkoutSessionId);
    if (!record) return undefined;
    const deleted = this.domain.isDeleted(record);
    if (!deleted) this.domain.expireIfDue(record);
    return {
      record: structuredClone(record),
      view: deleted ? null : this.domain.sessionView(record),
      deleted,
      counters: { ...this.domain.countersOf(checkoutSessionId) },
    };
  }

  buyerAction(checkoutSessionId: string, input: BuyerActionInput): { redirectUrl: string | null } {
    this.scheduler.runDue();
    return this.domain.buyerAction(checkoutSessionId, input);
  }

  counters(checkoutSessionId: string): SessionCounters {
    if (!this.domain.sessions.has(checkoutSessionId) && !this.domain.sessionCounters.has(checkoutSessionId)) {
      throw notFound('CheckoutSession', checkoutSessionId);
    }
    return { ...this.domain.countersOf(checkoutSessionId) };
  }

  getCharge(chargeId: string) {
    this.scheduler.runDue();
    const record = this.domain.charges.get(chargeId);
    if (!record) return undefined;
    return {
      record: structuredClone(record),
      view: this.domain.chargeView(record),
      counters: { ...this.domain.chargeCountersOf(chargeId) },
    };
  }

  settleCharge(chargeId: string, input: SettleChargeInput): Record<string, unknown> {
    this.scheduler.runDue();
    return this.domain.settleCharge(chargeId, input);
  }

  getChargePermission(chargePermissionId: string) {
    const record = this.domain.chargePermissions.get(chargePermissionId);
    if (!record) return undefined;
    return { record: structuredClone(record), view: this.domain.chargePermissionView(record) };
  }

  addFault(spec: FaultSpec): { id: string } {
    return this.faults.add(spec);
  }

  removeFault(id: string): boolean {
    return this.faults.remove(id);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  listFaults(): FaultRuleView[] {
    return this.faults.list();
  }

  advanceClock(ms: number): ClockInfo {
    const v = parseInput(ClockAdvanceSchema, { ms });
    this.offsetMs += v.ms;
    this.scheduler.runDue();
    return this.clock();
  }

  clock(): ClockInfo {
    const now = this.now();
    return { now: new Date(now).toISOString(), epochMs: now, offsetMs: this.offsetMs };
  }

  log(filter?: LogFilter): LogEntry[] {
    return this.requestLog.list(filter);
  }

  addPublicKey(publicKeyId: string, publicKeyPem: string): void {
    const v = parseInput(PublicKeySchema, { publicKeyId, publicKeyPem });
    this.keys.set(v.publicKeyId, parsePublicKey(v.publicKeyId, v.publicKeyPem));
  }

  configure(input: ConfigInput): EmulatorConfigView {
    const v = parseInput(ConfigSchema, input);
    if (v.ipnUrl !== undefined) this.settings.ipnUrl = v.ipnUrl ?? undefined;
    if (v.latencyMs !== undefined) this.settings.latencyMs = v.latencyMs;
    return this.config();
  }

  config(): EmulatorConfigView {
    return { ipnUrl: this.settings.ipnUrl ?? null, latencyMs: this.settings.latencyMs };
  }

  reset(): void {
    this.domain.reset();
    this.scheduler.clear();
    this.idempotency.clear();
    this.faults.clear();
    this.requestLog.clear();
    this.ipn.clear();
    this.offsetMs = 0;
  }

  ipnDeliveries(): IpnDelivery[] {
    return this.ipn.deliveries();
  }

  async close(): Promise<void> {
    this.scheduler.close();
    await this.ipn.close();
  }
}
