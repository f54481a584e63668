/**
 * Time-driven transitions on the emulator clock (pending authorizations settling, authorization timeouts and
 * expiries). Due events run when the clock is advanced, before every API request, and from a real timer armed for the
 * next due instant (the emulator clock runs at wall-clock speed plus the admin offset).
 */
export interface ScheduledEvent {
  at: number;
  seq: number;
  run: () => void;
}

export class Scheduler {
  private heap: ScheduledEvent[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly now: () => number) {}

  schedule(at: number, run: () => void): void {
    this.push({ at, seq: ++this.seq, run });
    this.arm();
  }

  /** Runs every event due at the current emulator time, in time order; events may schedule more events. */
  runDue(): void {
    const now = this.now();
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      top.run();
    }
    this.arm();
  }

  clear(): void {
    this.heap = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  get size(): number {
    return this.heap.length;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const top = this.heap[0];
    if (!top || this.closed) return;
    // A frozen injected clock never reaches `at`; the floor keeps that from becoming a busy loop.
    const delay = Math.min(Math.max(top.at - this.now(), 10), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.runDue(), delay);
    this.timer.unref();
  }

  private less(a: ScheduledEvent, b: ScheduledEvent): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: ScheduledEvent): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
