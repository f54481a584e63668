// The only MongoDB code (CONVENTIONS.md 11). One document per session in `checkoutSessions`, one per step in
// `checkoutSessionEvents`. Every write carries the workflow's step number: the session document is set with
// absolute values guarded by `seq < step`, and the timeline append relies on its unique `_id`, so a retried or
// replayed step is a no-op. Only features both MongoDB and the local store (FerretDB) support are used.
import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { ChargePermissionType, ChargeState, CheckoutFlow, CheckoutState, PaymentIntent } from '../domain/checkout';
import { toMinorUnits } from '../domain/money';
import type { RecordStepRequest, SessionFields, StepContext, StoredMoney, TimelineEvent, WebhookDelivery } from './types';

export const SESSIONS = 'checkoutSessions';
export const EVENTS = 'checkoutSessionEvents';
/**
 * Webhook delivery state, one document per session (`_id` = checkoutSessionId), apart from the session document:
 * a delivery runs beside the workflow's own steps (the AuthorizationPending event while the charge is polled), and
 * the local store applies an update as read-modify-write of the whole document, so two writers of one document can
 * lose each other's fields (the soak saw a final state lost that way).
 */
export const WEBHOOKS = 'checkoutSessionWebhooks';
/**
 * Which session holds a charge or charge permission (an IPN names only those): `_id` = `charge:<chargeId>` or
 * `permission:<chargePermissionId>`, written before the session document gets the ID and never changed. The local
 * store finds a document only by `_id` without decoding the whole collection, so an IPN lookup by the session's
 * chargeId field cost O(sessions) there (a storm of 500 checkouts: ~1,600 IPNs, the store at 100 % of a core).
 */
export const CHARGE_REFS = 'checkoutChargeRefs';

/** Buyer data Amazon serves for 30 days only, so it is stored (seeds 001/004). Set only by Amazon Pay activities. */
export interface AmazonSessionData {
  chargeId?: string | null;
  chargePermissionId?: string | null;
  chargeState?: ChargeState | null;
  statusDetails?: Record<string, unknown> | null;
  buyer?: Record<string, unknown> | null;
  billingAddress?: Record<string, unknown> | null;
  shippingAddress?: Record<string, unknown> | null;
  paymentDescriptor?: string | null;
}

export interface CheckoutSessionDoc extends AmazonSessionData {
  _id: string;
  seq: number;
  state: CheckoutState;
  reasonCode?: string | null;
  flow?: CheckoutFlow;
  chargePermissionType?: ChargePermissionType;
  paymentIntent?: PaymentIntent | null;
  chargeAmount?: StoredMoney | null;
  totalOrderAmount?: StoredMoney | null;
  merchantReferenceId?: string | null;
  deadline?: Date;
  workflowId: string;
  runId: string;
  createdAt: Date;
  updatedAt: Date;
  returnedAt?: Date;
  recoveredAt?: Date;
  finalizedAt?: Date;
  settledAt?: Date;
  closedAt?: Date;
  /** The latest merchant webhook's delivery (activities/webhooks), joined in by get() from its own collection. */
  webhook?: WebhookDelivery;
}

export interface TimelineDoc extends TimelineEvent {
  _id: string;
  checkoutSessionId: string;
  seq: number;
  at: Date;
}

const DATE_FIELDS = ['deadline', 'returnedAt', 'recoveredAt', 'finalizedAt', 'settledAt', 'closedAt'] as const;

function storedMoney(m: { amount: string; currencyCode: string } | null | undefined): StoredMoney | null | undefined {
  if (m === undefined || m === null) return m;
  return { amount: m.amount, currencyCode: m.currencyCode, minor: toMinorUnits(m) };
}

/** Turns workflow-side fields (ISO strings, decimal money) into stored ones (Dates, money with minor units). */
export function toStoredFields(set: SessionFields & AmazonSessionData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) continue;
    if ((DATE_FIELDS as readonly string[]).includes(k) && typeof v === 'string') out[k] = new Date(v);
    else if (k === 'chargeAmount' || k === 'totalOrderAmount') out[k] = storedMoney(v as StoredMoney | null);
    else out[k] = v;
  }
  return out;
}

const isDuplicateKey = (err: unknown) => err instanceof MongoServerError && err.code === 11000;

/** `n` of a webhook event ID `<checkoutSessionId>:<n>` (the workflow step that raised it); undefined without one. */
export function webhookEventSeq(eventId: string): number | undefined {
  const colon = eventId.lastIndexOf(':');
  const tail = eventId.slice(colon + 1);
  return colon >= 0 && /^\d{1,15}$/.test(tail) ? Number(tail) : undefined;
}

/**
 * How the `seq` guard is applied. On MongoDB the filter `{_id, seq: {$lt: step}}` is one atomic write. FerretDB
 * applies such a filter as read-then-write anyway (reference ferretdb-local-mongo §3), and only a filter of exactly
 * `{_id}` reaches SQLite: any other filter decodes the whole collection in Go, so every step cost O(sessions) and
 * the local store became the bottleneck (bench: 902 of 3,000 starts recorded after 5 minutes). There the guard is
 * read and the write made by `_id`: the semantics FerretDB gave the guarded filter, at O(1) (DESIGN.md "Records").
 */
export type SeqGuard = 'atomic' | 'read-then-write';

export class CheckoutRecords {
  readonly sessions: Collection<CheckoutSessionDoc>;
  readonly events: Collection<TimelineDoc>;
  readonly webhooks: Collection<{ _id: string; webhook: WebhookDelivery }>;
  readonly chargeRefs: Collection<{ _id: string; checkoutSessionId: string }>;
  #guard: Promise<SeqGuard> | undefined;

  /** `seqGuard` overrides the detection (tests exercise both ways on the local store). */
  constructor(
    private readonly db: Db,
    opts: { seqGuard?: SeqGuard } = {},
  ) {
    this.sessions = db.collection<CheckoutSessionDoc>(SESSIONS);
    this.events = db.collection<TimelineDoc>(EVENTS);
    this.webhooks = db.collection<{ _id: string; webhook: WebhookDelivery }>(WEBHOOKS);
    this.chargeRefs = db.collection<{ _id: string; checkoutSessionId: string }>(CHARGE_REFS);
    if (opts.seqGuard) this.#guard = Promise.resolve(opts.seqGuard);
  }

  /** FerretDB names itself in buildInfo (`ferretdbVersion`); MongoDB does not. */
  seqGuard(): Promise<SeqGuard> {
    this.#guard ??= this.db
      .admin()
      .command({ buildInfo: 1 })
      .then(
        (info): SeqGuard => ('ferretdbVersion' in info ? 'read-then-write' : 'atomic'),
        (err: unknown) => {
          this.#guard = undefined; // not cached: ask again on the next write
          throw err;
        },
      );
    return this.#guard;
  }

  /** One createIndex per index with an explicit name: the local store mishandles several in one call. */
  async ensureIndexes(): Promise<void> {
    await this.sessions.createIndex({ state: 1, updatedAt: -1 }, { name: 'state_updatedAt' });
    await this.sessions.createIndex({ merchantReferenceId: 1 }, { name: 'merchantReferenceId' });
    await this.sessions.createIndex({ deadline: 1 }, { name: 'deadline' });
    // IPNs name a charge or charge permission, not the session: the HTTP server finds the session by them.
    await this.sessions.createIndex({ chargeId: 1 }, { name: 'chargeId' });
    await this.sessions.createIndex({ chargePermissionId: 1 }, { name: 'chargePermissionId' });
    await this.events.createIndex({ checkoutSessionId: 1, seq: 1 }, { name: 'checkoutSessionId_seq' });
  }

  /**
   * Applies one workflow step: sets the session's fields (if this step is newer than the last applied one) and
   * appends the timeline event. Returns whether the session document changed.
   */
  /**
   * `signal`: the caller's attempt (an activity's cancellation, its timeout included). Where the guard is read then
   * written (FerretDB), a read made before the attempt was given up is not followed by its write: a retry, and maybe
   * a later step, went on meanwhile, and the stale write would take the session back.
   */
  async applyStep(req: RecordStepRequest, amazon: AmazonSessionData = {}, opts: { signal?: AbortSignal } = {}): Promise<{ applied: boolean }> {
    const { checkoutSessionId: id, step, event, set } = req;
    const at = new Date(step.at);
    const fields = { ...toStoredFields({ ...set, ...amazon }), seq: step.seq, workflowId: step.workflowId, runId: step.runId, updatedAt: at };
    await this.#refChargeIds(id, fields);
    const applied = (await this.seqGuard()) === 'atomic' ? await this.#setAtomic(id, fields, at) : await this.#setByIdAfterRead(id, fields, at, opts.signal);
    await this.appendEvent(id, step, event);
    return { applied };
  }

  /** The charge-ref documents for the IDs this step sets (before the session holds them: an IPN finds either). */
  async #refChargeIds(id: string, fields: Record<string, unknown>): Promise<void> {
    const refs = [
      typeof fields.chargeId === 'string' ? `charge:${fields.chargeId}` : undefined,
      typeof fields.chargePermissionId === 'string' ? `permission:${fields.chargePermissionId}` : undefined,
    ].filter((r): r is string => r !== undefined);
    await Promise.all(
      refs.map((_id) =>
        this.chargeRefs.insertOne({ _id, checkoutSessionId: id }).catch((err: unknown) => {
          if (!isDuplicateKey(err)) throw err; // written by an earlier step or attempt
        }),
      ),
    );
  }

  async #setAtomic(id: string, fields: Record<string, unknown> & { seq: number }, at: Date): Promise<boolean> {
    try {
      const r = await this.sessions.updateOne(
        { _id: id, seq: { $lt: fields.seq } },
        { $set: fields, $setOnInsert: { createdAt: at } },
        { upsert: true },
      );
      return r.modifiedCount + r.upsertedCount > 0;
    } catch (err) {
      // The upsert found a document whose seq is already ≥ this step: the step was applied before.
      if (!isDuplicateKey(err)) throw err;
      return false;
    }
  }

  async #setByIdAfterRead(id: string, fields: Record<string, unknown> & { seq: number }, at: Date, signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      const current = await this.sessions.findOne({ _id: id }, { projection: { seq: 1 } });
      if (current && current.seq >= fields.seq) return false; // applied before
      signal?.throwIfAborted();
      if (current) return (await this.sessions.updateOne({ _id: id }, { $set: fields })).modifiedCount > 0;
      try {
        await this.sessions.insertOne({ ...fields, _id: id, createdAt: at } as CheckoutSessionDoc);
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // inserted meanwhile: read it again
      }
    }
  }

  async appendEvent(id: string, step: StepContext, event: TimelineEvent): Promise<void> {
    try {
      await this.events.insertOne({ ...event, _id: `${id}:${step.seq}`, checkoutSessionId: id, seq: step.seq, at: new Date(step.at) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /**
   * Sets the session's webhook delivery state whole, in its own collection, by `_id` only (the filter the local store
   * pushes down). Not guarded by the step `seq` (a delivery is not a step), but an event older than the stored one is
   * not written over it: a session's deliveries are serialized by its workflow, so read-then-write is enough. Only
   * for a session that exists.
   */
  async setWebhookDelivery(id: string, webhook: WebhookDelivery): Promise<{ written: boolean; reason?: 'unknown-session' | 'older-event' }> {
    const [session, current] = await Promise.all([
      this.sessions.findOne({ _id: id }, { projection: { _id: 1 } }),
      this.webhooks.findOne({ _id: id }),
    ]);
    if (!session) return { written: false, reason: 'unknown-session' };
    const stored = current ? webhookEventSeq(current.webhook.lastEventId) : undefined;
    const incoming = webhookEventSeq(webhook.lastEventId);
    if (stored !== undefined && incoming !== undefined && incoming < stored) return { written: false, reason: 'older-event' };
    await this.webhooks.updateOne({ _id: id }, { $set: { webhook } }, { upsert: true });
    return { written: true };
  }

  /**
   * The session's record before its workflow starts (seq 0, AwaitingReturn), written by the starter so that every
   * started session has a record: the public return and cancel URLs answer an ID without one as never started, from
   * the store alone. With `created` (createdStep of the input) it is the whole Created step, the order's fields and
   * the timeline's `Created` entry, and the workflow is told not to write it (`startRecorded`). The workflow's later
   * steps (seq ≥ 1) write over it; a second reserve of the same ID changes nothing. Whether this call wrote it.
   */
  async reserve(id: string, workflowId: string, created?: { event: TimelineEvent; set: SessionFields }, at = new Date()): Promise<boolean> {
    let wrote = true;
    try {
      const fields = created ? toStoredFields(created.set) : {};
      await this.sessions.insertOne({ ...fields, _id: id, seq: 0, state: 'AwaitingReturn', workflowId, runId: '', createdAt: at, updatedAt: at } as CheckoutSessionDoc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      wrote = false;
    }
    // Also after a duplicate: a start retried after its first attempt failed between the two writes.
    if (created) await this.appendEvent(id, { seq: 0, workflowId, runId: '', at: at.toISOString() }, created.event);
    return wrote;
  }

  /** Whether the session has a record (reserved or written by its workflow); reads the `_id` only. */
  async exists(id: string): Promise<boolean> {
    return (await this.sessions.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
  }

  /** Only the buyer's data, for a webhook that carries it (MERCHANT_WEBHOOK_INCLUDE_BUYER). */
  buyerData(id: string): Promise<Pick<CheckoutSessionDoc, '_id' | 'buyer' | 'billingAddress' | 'shippingAddress'> | null> {
    return this.sessions.findOne({ _id: id }, { projection: { buyer: 1, billingAddress: 1, shippingAddress: 1 } });
  }

  /**
   * The session that holds a charge (an IPN names the charge, and sometimes its permission): through the charge refs
   * (by `_id`), by chargeId, else by chargePermissionId. On MongoDB, sessions recorded before the refs existed are
   * found by the indexed fields too; the local store is not searched by field (it would decode every session).
   */
  async findByCharge(chargeId: string, chargePermissionId?: string): Promise<Pick<CheckoutSessionDoc, '_id' | 'state'> | null> {
    const projection = { _id: 1, state: 1 } as const;
    const keys = [`charge:${chargeId}`, ...(chargePermissionId ? [`permission:${chargePermissionId}`] : [])];
    for (const _id of keys) {
      const ref = await this.chargeRefs.findOne({ _id });
      if (ref) return this.sessions.findOne({ _id: ref.checkoutSessionId }, { projection });
    }
    if ((await this.seqGuard()) !== 'atomic') return null;
    const byCharge = await this.sessions.findOne({ chargeId }, { projection });
    if (byCharge || !chargePermissionId) return byCharge;
    return this.sessions.findOne({ chargePermissionId }, { projection });
  }

  /** The session document, with its webhook delivery state (kept apart, see WEBHOOKS) as `webhook`. */
  async get(id: string): Promise<CheckoutSessionDoc | null> {
    const [doc, hook] = await Promise.all([this.sessions.findOne({ _id: id }), this.webhooks.findOne({ _id: id })]);
    return doc && hook ? { ...doc, webhook: hook.webhook } : doc;
  }

  timeline(id: string): Promise<TimelineDoc[]> {
    return this.events.find({ checkoutSessionId: id }).sort({ seq: 1 }).toArray();
  }

  list(filter: { state?: CheckoutState; limit?: number }): Promise<CheckoutSessionDoc[]> {
    return this.sessions
      .find(filter.state ? { state: filter.state } : {})
      .sort({ updatedAt: -1 })
      .limit(Math.min(filter.limit ?? 50, 500))
      .toArray();
  }
}
