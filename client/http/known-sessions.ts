// Which session IDs exist, as the public return and cancel URLs need to know before they touch Temporal. A record,
// once written, is never removed, so IDs seen to exist (started through this server, or found in the records) are
// remembered, bounded, oldest forgotten first: a buyer who asks again, or a second tab, costs nothing. An ID not
// remembered costs one records read; those reads share one budget per server (a token bucket), because garbage IDs
// from many addresses each pass the per-address limit and each read queues in the store beside the live checkouts'
// writes. Beyond the budget the answer is "busy, ask again shortly" (429 with Retry-After): a real buyer's browser asks
// again; the flood costs the store no more than the budget.
import type { CheckoutRecords } from '../../records/checkout-sessions';
import { TokenBuckets, type RateLimit } from './rate-limit';

export type Known = 'known' | 'unknown' | 'busy';

export class KnownSessions {
  readonly #ids = new Set<string>();
  readonly #reads: TokenBuckets;

  readonly #max: number;

  constructor(
    private readonly records: Pick<CheckoutRecords, 'exists'>,
    o: { max: number; lookups: RateLimit; now?: () => number },
  ) {
    this.#max = o.max;
    this.#reads = new TokenBuckets(o.lookups, 1, o.now);
  }

  get size(): number {
    return this.#ids.size;
  }

  /** Remembers `id` as existing (the starter calls this once the record is written). */
  add(id: string): void {
    if (this.#ids.has(id)) return;
    this.#ids.add(id);
    if (this.#ids.size > this.#max) this.#ids.delete(this.#ids.values().next().value!);
  }

  /**
   * Whether `id` exists: remembered, else one records read within the budget ("busy" beyond it). The store
   * unreachable: "known" (the caller asks Temporal, which answers for a session that does not exist) and `onStoreError`.
   */
  async check(id: string, onStoreError: (err: unknown) => void): Promise<Known> {
    if (this.#ids.has(id)) return 'known';
    if (this.#reads.take('records') !== 0) return 'busy';
    const exists = await this.records.exists(id).catch((err: unknown) => {
      onStoreError(err);
      return undefined;
    });
    if (exists === false) return 'unknown';
    if (exists) this.add(id);
    return 'known';
  }
}
