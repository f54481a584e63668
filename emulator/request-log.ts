/** In-memory ring buffer of API requests (nothing is printed per request: the emulator runs in benchmarks). */
export interface LogEntry {
  seq: number;
  /** Emulator clock (ISO). */
  at: string;
  requestId: string;
  method: string;
  path: string;
  operation: string | null;
  checkoutSessionId: string | null;
  chargeId: string | null;
  chargePermissionId: string | null;
  publicKeyId: string | null;
  idempotencyKey: string | null;
  /** HTTP status sent, or null when the socket was destroyed (fault `reset` / `drop-after-commit`). */
  status: number | null;
  reasonCode: string | null;
  replayed: boolean;
  fault: string | null;
  durationMs: number;
}

export interface LogFilter {
  checkoutSessionId?: string;
  chargeId?: string;
  limit?: number;
}

export class RequestLog {
  private entries: LogEntry[] = [];
  private next = 0;
  private seq = 0;

  constructor(private readonly capacity = 5000) {}

  add(entry: Omit<LogEntry, 'seq'>): void {
    const e = { ...entry, seq: ++this.seq };
    if (this.entries.length < this.capacity) this.entries.push(e);
    else this.entries[this.next] = e;
    this.next = (this.next + 1) % this.capacity;
  }

  list(filter: LogFilter = {}): LogEntry[] {
    const ordered =
      this.entries.length < this.capacity
        ? this.entries
        : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    const out = ordered.filter(
      (e) =>
        (filter.checkoutSessionId === undefined || e.checkoutSessionId === filter.checkoutSessionId) &&
        (filter.chargeId === undefined || e.chargeId === filter.chargeId),
    );
    return filter.limit !== undefined ? out.slice(-filter.limit) : out;
  }

  clear(): void {
    this.entries = [];
    this.next = 0;
  }
}
