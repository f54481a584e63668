// Seeded randomness: a soak run is reproducible from its seed.
import { mulberry32 } from '../emulator/faults';

export type Random = () => number;
export { mulberry32 };

/** Picks one of the weighted choices. */
export function pick<T>(rnd: Random, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let r = rnd() * total;
  for (const [v, w] of choices) {
    r -= w;
    if (r < 0) return v;
  }
  return choices[choices.length - 1]![0];
}
