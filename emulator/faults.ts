import { z } from 'zod';
import { ApiError } from './errors';

/**
 * Fault rules for the Amazon API routes (never the admin routes). Rules are checked in insertion order; every firing
 * `latency` rule adds its delay, the first firing non-latency rule decides the outcome. `rate` rolls a per-rule
 * seeded PRNG so a run is reproducible; `count` bounds how many times a rule fires (then it is removed).
 */
export const FaultSpecSchema = z.object({
  match: z
    .object({
      method: z.string().min(1).optional(),
      pathRegex: z.string().min(1).optional(),
    })
    .default({}),
  action: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('status'),
      status: z.number().int().min(100).max(599),
      reasonCode: z.string().min(1),
      message: z.string().optional(),
      retryAfterSeconds: z.number().int().nonnegative().optional(),
    }),
    z.object({ type: z.literal('latency'), ms: z.number().int().nonnegative() }),
    z.object({ type: z.literal('drop-after-commit') }),
    z.object({ type: z.literal('reset') }),
  ]),
  rate: z.number().min(0).max(1).optional(),
  count: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
});
export type FaultSpec = z.input<typeof FaultSpecSchema>;
export type FaultAction = z.output<typeof FaultSpecSchema>['action'];
export type TerminalFault = Exclude<FaultAction, { type: 'latency' }>;

interface Rule {
  id: string;
  method: string | undefined;
  path: RegExp | undefined;
  action: FaultAction;
  rate: number;
  remaining: number | undefined;
  random: () => number;
}

/** mulberry32: tiny, fast, good enough to make fault rates reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultDecision {
  latencyMs: number;
  terminal: (TerminalFault & { ruleId: string }) | undefined;
}

export interface FaultRuleView {
  id: string;
  match: { method?: string; pathRegex?: string };
  action: FaultAction;
  rate: number;
  remaining: number | null;
}

export class FaultRules {
  private rules: Rule[] = [];
  private nextId = 1;

  add(spec: unknown): { id: string } {
    const parsed = FaultSpecSchema.safeParse(spec);
    if (!parsed.success) throw new ApiError(400, 'InvalidRequest', z.prettifyError(parsed.error));
    const s = parsed.data;
    let path: RegExp | undefined;
    if (s.match.pathRegex !== undefined) {
      try {
        path = new RegExp(s.match.pathRegex);
      } catch {
        throw new ApiError(400, 'InvalidRequest', `pathRegex is not a valid regular expression.`);
      }
    }
    const id = `fault-${this.nextId++}`;
    this.rules.push({
      id,
      method: s.match.method?.toUpperCase(),
      path,
      action: s.action,
      rate: s.rate ?? 1,
      remaining: s.count,
      random: mulberry32(s.seed ?? this.nextId * 7919),
    });
    return { id };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRuleView[] {
    return this.rules.map((r) => ({
      id: r.id,
      match: { method: r.method, pathRegex: r.path?.source },
      action: r.action,
      rate: r.rate,
      remaining: r.remaining ?? null,
    }));
  }

  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, terminal: undefined };
    if (this.rules.length === 0) return decision;
    for (const rule of [...this.rules]) {
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.path !== undefined && !rule.path.test(path)) continue;
      if (rule.action.type !== 'latency' && decision.terminal !== undefined) continue;
      if (rule.rate < 1 && rule.random() >= rule.rate) continue;
      if (rule.action.type === 'latency') decision.latencyMs += rule.action.ms;
      else decision.terminal = { ...rule.action, ruleId: rule.id };
      if (rule.remaining !== undefined && --rule.remaining <= 0) this.remove(rule.id);
    }
    return decision;
  }
}
