// The demo shop's /ops/metrics estimates quantiles from cumulative buckets as Prometheus's histogram_quantile does.
import { bucketQuantile } from '../../../dev/metrics-page';

it('interpolates inside the bucket that holds the rank, answers the highest finite bound for +Inf, NaN when empty', () => {
  const b = [
    { le: 0.1, count: 0 },
    { le: 0.5, count: 2 },
    { le: 1, count: 4 },
    { le: Infinity, count: 4 },
  ];
  expect(bucketQuantile(0.5, b)).toBeCloseTo(0.5); // rank 2: the top of (0.1, 0.5]
  expect(bucketQuantile(0.75, b)).toBeCloseTo(0.75); // rank 3: halfway through (0.5, 1]
  expect(bucketQuantile(0.25, b)).toBeCloseTo(0.3); // rank 1: halfway through (0.1, 0.5]
  expect(bucketQuantile(0.99, [{ le: 1, count: 1 }, { le: Infinity, count: 2 }])).toBe(1);
  expect(bucketQuantile(0.5, [{ le: Infinity, count: 0 }])).toBeNaN();
});
