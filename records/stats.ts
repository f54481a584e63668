// Aggregates over the records for the metrics' sampled gauges: sessions by state (one $group), the oldest pending
// authorization, open sessions past their deadline, undelivered webhooks: four queries. On MongoDB the state filters
// use the state_updatedAt index; on the local store each decodes the collection (see checkout-sessions.ts), so the
// caller caches the result (worker/metrics.ts) and a scrape costs at most one round every few seconds.
import type { Db } from 'mongodb';
import { CheckoutState, FINAL_STATES } from '../domain/checkout';
import { SESSIONS, WEBHOOKS } from './checkout-sessions';

export interface RecordStats {
  byState: Record<CheckoutState, number>;
  /** Age in seconds of the oldest session in AuthorizationPending (since its last step); 0 when none. */
  oldestPendingSeconds: number;
  /** Sessions not in a final state whose deadline has passed (the workflow should have ended them). */
  pastDeadline: number;
  /** Sessions whose latest merchant webhook is still being retried. */
  webhooksRetrying: number;
}

export async function recordStats(db: Db, now = new Date()): Promise<RecordStats> {
  const sessions = db.collection<{ _id: string; state: CheckoutState; updatedAt: Date; deadline?: Date }>(SESSIONS);
  const states = CheckoutState.options;
  const grouped = await sessions.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$state', n: { $sum: 1 } } }]).toArray();
  const byState = Object.fromEntries(states.map((s) => [s, grouped.find((g) => g._id === s)?.n ?? 0])) as Record<CheckoutState, number>;
  const open = states.filter((s) => !FINAL_STATES.includes(s));
  const [oldest, pastDeadline, webhooksRetrying] = await Promise.all([
    sessions.find({ state: 'AuthorizationPending' }, { projection: { updatedAt: 1 } }).sort({ updatedAt: 1 }).limit(1).next(),
    sessions.countDocuments({ state: { $in: open }, deadline: { $lt: now } }),
    db.collection(WEBHOOKS).countDocuments({ 'webhook.state': 'retrying' }),
  ]);
  const oldestPendingSeconds = oldest?.updatedAt ? Math.max(0, (now.getTime() - oldest.updatedAt.getTime()) / 1000) : 0;
  return { byState, oldestPendingSeconds, pastDeadline, webhooksRetrying };
}
