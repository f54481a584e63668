// Amazon Pay IPNs (reference §8): SNS-signed, text/plain JSON. They carry no state, only IDs, so a verified CHARGE
// notification becomes chargeStateChanged for the session that holds the charge and the workflow re-reads Amazon.
// Duplicates and reordering are harmless; unknown objects are acknowledged so SNS stops retrying.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notifyChargeChanged } from '../../temporal/checkout';
import { isFinalState } from '../../../workflows/checkout-session';
import { parseSafeJson } from '../body';
import type { AppContext } from '../context';
import { rateLimitHook, TokenBuckets } from '../rate-limit';
import { HttpError } from '../errors';
import { SnsVerificationError, type SnsEnvelope } from '../sns';

const AmazonId = z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/);

/** Amazon's message; older pages spell the keys lowerCamel, so keys are matched case-insensitively. */
const IpnMessage = z.object({
  objecttype: z.string().max(40),
  objectid: AmazonId,
  chargepermissionid: AmazonId.optional(),
  notificationtype: z.string().max(40).optional(),
  notificationid: z.string().max(100).optional(),
});
type IpnMessage = z.infer<typeof IpnMessage>;

function parseMessage(text: string): IpnMessage | undefined {
  let raw: unknown;
  try {
    raw = parseSafeJson(text);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const lower = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v]));
  const r = IpnMessage.safeParse(lower);
  return r.success ? r.data : undefined;
}

type IpnResult = { action: 'signaled'; checkoutSessionId: string } | { action: 'ignored'; reason: string } | { action: 'confirmed' | 'logged' };

export function ipnRoutes(app: FastifyInstance, c: AppContext): void {
  const onNotification = async (e: SnsEnvelope): Promise<IpnResult> => {
    const m = parseMessage(e.Message);
    if (!m) return { action: 'ignored', reason: 'unreadable message' };
    if (m.objecttype.toUpperCase() !== 'CHARGE') return { action: 'ignored', reason: `object type ${m.objecttype}` };
    const doc = await c.records.findByCharge(m.objectid, m.chargepermissionid);
    if (!doc) return { action: 'ignored', reason: 'no session holds this charge' };
    if (isFinalState(doc.state)) return { action: 'ignored', reason: 'session already final' };
    const delivered = await notifyChargeChanged(c.client, doc._id, m.objectid, m.chargepermissionid);
    return delivered ? { action: 'signaled', checkoutSessionId: doc._id } : { action: 'ignored', reason: 'workflow closed' };
  };

  const onSubscription = async (e: SnsEnvelope): Promise<IpnResult> => {
    // Subscribing is an operator's decision for real SNS topics; only the local emulator is confirmed automatically.
    const prefix = c.config.IPN_TRUST_EMULATOR_CERT_URL_PREFIX;
    if (e.Type === 'SubscriptionConfirmation' && prefix && e.SubscribeURL?.startsWith(prefix)) {
      await fetch(e.SubscribeURL, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      return { action: 'confirmed' };
    }
    c.log.warn({ type: e.Type, topicArn: e.TopicArn, messageId: e.MessageId }, 'SNS subscription message: confirm it in the SNS console if expected');
    return { action: 'logged' };
  };

  // Forged messages are refused before any fetch (sns.ts); the rate per address bounds even that cheap work.
  const buckets = new TokenBuckets({ perSecond: c.config.IPN_RATE_LIMIT_PER_SEC, burst: c.config.IPN_RATE_LIMIT_BURST });
  const onRequest = rateLimitHook(buckets, () => c.metrics.rateLimited('/amazon-pay/ipn'));

  app.post('/amazon-pay/ipn', { onRequest }, async (req, reply) => {
    if (req.body === undefined) throw new HttpError(400, 'malformed', 'empty body');
    let e: SnsEnvelope;
    try {
      e = await c.sns.verify(req.body, { allowedTopicArns: c.config.IPN_ALLOWED_TOPIC_ARNS, maxAgeMs: c.config.IPN_MAX_AGE_MS });
    } catch (err) {
      c.metrics.ipnResult(err instanceof SnsVerificationError ? err.reason : 'error');
      throw err;
    }
    const headerType = req.headers['x-amz-sns-message-type'];
    if (typeof headerType === 'string' && headerType !== e.Type) {
      c.metrics.ipnResult('malformed');
      throw new HttpError(400, 'malformed', 'x-amz-sns-message-type does not match the message Type');
    }
    const r = e.Type === 'Notification' ? await onNotification(e) : await onSubscription(e);
    c.metrics.ipnResult(r.action);
    req.log.info({ messageId: e.MessageId, type: e.Type, ...r }, 'IPN handled');
    return reply.code(200).send({ ok: true, ...r });
  });
}
