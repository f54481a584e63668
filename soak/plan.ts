// The seeded session mix: which flow each session takes and what its buyer does on Amazon's page.
import { pick, type Random } from './prng';

export type Flow = 'complete' | 'finalize' | 'wallet';
/** `lost`: approves on Amazon's page and never comes back (the return is lost); recovery must complete it. */
export type Buyer = 'approve' | 'decline' | 'pending-authorized' | 'pending-declined' | 'cancel' | 'never' | 'lost';

export interface Plan {
  index: number;
  id: string;
  flow: Flow;
  buyer: Buyer;
  duplicates: number;
  answers: unknown[];
  error?: string;
}

/** One plan per session, drawn from `rnd` in session order: the same seed gives the same mix. */
export function buildPlans(rnd: Random, sessions: number): Plan[] {
  return Array.from({ length: sessions }, (_, index) => {
    const flow = pick(rnd, [['complete', 5], ['finalize', 3], ['wallet', 2]] as const);
    const buyer: Buyer =
      flow === 'wallet'
        ? pick(rnd, [['approve', 6], ['decline', 1], ['cancel', 1], ['never', 1], ['lost', 1]] as const)
        : flow === 'finalize'
          ? pick(rnd, [['approve', 6], ['decline', 1], ['pending-authorized', 2], ['pending-declined', 1]] as const)
          : pick(rnd, [['approve', 5], ['decline', 1], ['pending-authorized', 2], ['pending-declined', 1], ['cancel', 1], ['never', 1], ['lost', 2]] as const);
    const returns = buyer !== 'cancel' && buyer !== 'never' && buyer !== 'lost';
    return { index, id: '', flow, buyer, duplicates: returns && rnd() < 0.3 ? 2 + Math.floor(rnd() * 3) : 1, answers: [] };
  });
}

/** The mix as the report counts it: `flow/buyer`, with `/dup` when the return is repeated. */
export function planMix(plans: Plan[]): Record<string, number> {
  const byPlan: Record<string, number> = {};
  for (const p of plans) {
    const key = `${p.flow}/${p.buyer}${p.duplicates > 1 ? '/dup' : ''}`;
    byPlan[key] = (byPlan[key] ?? 0) + 1;
  }
  return byPlan;
}
