// Per-client-address rate limits for the public routes (the buyer's return and cancel URLs, the IPN endpoint): a
// token bucket per address, `perSecond` sustained with `burst` at once. The table of addresses is bounded: the least
// recently seen address is dropped first, so a flood from many addresses costs a bounded amount of memory (a dropped
// address starts again with a full bucket, which is the safe side for real buyers).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export const MAX_TRACKED_ADDRESSES = 50_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly maxKeys = MAX_TRACKED_ADDRESSES,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token for `key`: 0 when allowed, else the seconds until one is available (at least 1). */
  take(key: string): number {
    if (this.limit.perSecond <= 0) return 0;
    const now = this.now();
    const b = this.buckets.get(key);
    let tokens = this.limit.burst;
    if (b) {
      tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
      this.buckets.delete(key); // re-inserted below: Map order is the recency order
    } else if (this.buckets.size >= this.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
    const allowed = tokens >= 1;
    this.buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, at: now });
    return allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.limit.perSecond));
  }
}

/**
 * An onRequest hook refusing a client over its limit with 429, a Retry-After and the usual JSON error, before any
 * work (no body parsed, no store or Temporal call). `onLimited` counts it.
 */
export function rateLimitHook(buckets: TokenBuckets, onLimited: (req: FastifyRequest) => void) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const wait = buckets.take(req.ip);
    if (wait === 0) return;
    onLimited(req);
    void reply.header('retry-after', String(wait));
    throw new HttpError(429, 'rate_limited', `too many requests from this address; retry after ${wait} s`);
  };
}
