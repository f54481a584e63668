import type { AdminCreateSessionInput, BuyerActionInput, SettleChargeInput } from './admin-inputs';
import { ChargePermissions } from './charge-permissions';
import { Charges } from './charges';
import type { ChargeCounters, ChargePermissionRecord, ChargeRecord, SessionCounters, SessionRecord } from './model';
import type { DomainDeps, OpContext, OpResult } from './ops';
import type { Json } from './parse';
import { CheckoutSessions } from './sessions';
import { chargePermissionView, chargeView } from './views';

export {
  parseInput,
  type AdminCreateSessionInput,
  type BuyerActionInput,
  type SettleChargeInput,
} from './admin-inputs';
export type { CompleteOperation, DomainDeps, Notification, OpContext, OpResult } from './ops';

/**
 * The three state machines (checkout sessions, charges, charge permissions) behind one object: the API operations the
 * server runs and what the admin API reads and does. Each machine keeps its own records.
 */
export class Domain {
  private readonly sessionMachine: CheckoutSessions;
  private readonly chargeMachine: Charges;
  private readonly permissionMachine: ChargePermissions;
  readonly sessions: Map<string, SessionRecord>;
  readonly charges: Map<string, ChargeRecord>;
  readonly chargePermissions: Map<string, ChargePermissionRecord>;
  readonly sessionCounters: Map<string, SessionCounters>;
  readonly chargeCounters: Map<string, ChargeCounters>;

  constructor(deps: DomainDeps) {
    this.chargeMachine = new Charges(deps, (id) => this.chargePermissions.get(id));
    this.permissionMachine = new ChargePermissions(deps, this.chargeMachine);
    this.sessionMachine = new CheckoutSessions(deps, this.chargeMachine, this.permissionMachine);
    this.sessions = this.sessionMachine.records;
    this.charges = this.chargeMachine.records;
    this.chargePermissions = this.permissionMachine.records;
    this.sessionCounters = this.sessionMachine.counters;
    this.chargeCounters = this.chargeMachine.counters;
  }

  reset(): void {
    this.sessionMachine.reset();
    this.chargeMachine.reset();
    this.permissionMachine.reset();
  }

  countersOf(checkoutSessionId: string): SessionCounters {
    return this.sessionMachine.countersOf(checkoutSessionId);
  }

  chargeCountersOf(chargeId: string): ChargeCounters {
    return this.chargeMachine.chargeCountersOf(chargeId);
  }

  isDeleted(s: SessionRecord): boolean {
    return this.sessionMachine.isDeleted(s);
  }

  expireIfDue(s: SessionRecord): void {
    this.sessionMachine.expireIfDue(s);
  }

  // --------------------------------------------------------------------------------------------- views

  sessionView(s: SessionRecord, opts: { finalize?: boolean } = {}): Json {
    return this.sessionMachine.sessionView(s, opts);
  }

  chargeView(c: ChargeRecord): Json {
    return chargeView(c);
  }

  chargePermissionView(cp: ChargePermissionRecord): Json {
    return chargePermissionView(cp);
  }

  // --------------------------------------------------------------------------------------------- admin

  createSessionFromButton(input: AdminCreateSessionInput): SessionRecord {
    return this.sessionMachine.createSessionFromButton(input);
  }

  buyerAction(checkoutSessionId: string, input: BuyerActionInput): { redirectUrl: string | null } {
    return this.sessionMachine.buyerAction(checkoutSessionId, input);
  }

  settleCharge(chargeId: string, input: SettleChargeInput): Json {
    return this.chargeMachine.settleCharge(chargeId, input);
  }

  // --------------------------------------------------------------------------------------------- API operations

  createCheckoutSession(body: Json, ctx: OpContext): OpResult {
    return this.sessionMachine.createCheckoutSession(body, ctx);
  }

  getCheckoutSession(id: string, ctx: OpContext): OpResult {
    return this.sessionMachine.getCheckoutSession(id, ctx);
  }

  updateCheckoutSession(id: string, body: Json, ctx: OpContext): OpResult {
    return this.sessionMachine.updateCheckoutSession(id, body, ctx);
  }

  completeCheckoutSession(id: string, body: Json, ctx: OpContext): OpResult {
    return this.sessionMachine.completeCheckoutSession(id, body, ctx);
  }

  finalizeCheckoutSession(id: string, body: Json, ctx: OpContext): OpResult {
    return this.sessionMachine.finalizeCheckoutSession(id, body, ctx);
  }

  getCharge(id: string): OpResult {
    return this.chargeMachine.getCharge(id);
  }

  captureCharge(id: string, body: Json, ctx: OpContext): OpResult {
    return this.chargeMachine.captureCharge(id, body, ctx);
  }

  cancelCharge(id: string, body: Json): OpResult {
    return this.chargeMachine.cancelCharge(id, body);
  }

  getChargePermission(id: string): OpResult {
    return this.permissionMachine.getChargePermission(id);
  }

  updateChargePermission(id: string, body: Json): OpResult {
    return this.permissionMachine.updateChargePermission(id, body);
  }

  closeChargePermission(id: string, body: Json): OpResult {
    return this.permissionMachine.closeChargePermission(id, body);
  }
}
