// Which floor shape is the floor: the faster of the two (bench/floor-workflow.ts) by sustained throughput when
// that ran, else by return → outcome p50. The ratios the tables and the JSON report are taken against it.
import type { FloorName } from './impls';
import { latencyRatios, type LatencyResult } from './latency';
import { round2 } from './metrics';
import type { ThroughputResult } from './throughput';

export interface FloorChoice {
  floor: FloorName;
  other: FloorName;
  by: 'throughput' | 'latency p50' | 'default';
}

const FLOORS: readonly FloorName[] = ['floor-local', 'floor-mixed'];

export function chooseFloor(latency?: LatencyResult, throughput?: ThroughputResult): FloorChoice {
  const pick = (
    score: (f: FloorName) => number | undefined,
    better: (a: number, b: number) => boolean,
    by: FloorChoice['by'],
  ): FloorChoice | undefined => {
    const [a, b] = FLOORS.map(score);
    if (a === undefined || b === undefined) return undefined;
    const floor = better(b, a) ? FLOORS[1]! : FLOORS[0]!;
    return { floor, other: floor === FLOORS[0] ? FLOORS[1]! : FLOORS[0]!, by };
  };
  return (
    pick(
      (f) => throughput?.best[f]?.perSecond,
      (x, y) => x > y,
      'throughput',
    ) ??
    pick(
      (f) => latency?.byImpl[f]?.p50,
      (x, y) => x < y,
      'latency p50',
    ) ?? { floor: 'floor-local', other: 'floor-mixed', by: 'default' }
  );
}

/** Fills in the ratios against the chosen floor. */
export function applyFloorChoice(c: FloorChoice, latency?: LatencyResult, throughput?: ThroughputResult): void {
  if (latency) latency.ratios = latencyRatios(latency.byImpl, c.floor, c.other);
  if (throughput) {
    const s = throughput.best.service?.perSecond;
    const f = throughput.best[c.floor]?.perSecond;
    if (s !== undefined && f) throughput.ratioAtBest = round2(s / f);
  }
}
