import { describe, expect, it } from '@jest/globals';
import { TokenBuckets } from '../../../client/http/rate-limit';

describe('TokenBuckets', () => {
  it('allows the burst, then one request per 1/perSecond, and says how long to wait', () => {
    const clock = { t: 0 };
    const b = new TokenBuckets({ perSecond: 2, burst: 3 }, 100, () => clock.t);
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0]);
    expect(b.take('a')).toBe(1);
    clock.t += 500; // half a second refills one token at 2/s
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBeGreaterThanOrEqual(1);
    expect(b.take('b')).toBe(0); // another address has its own bucket
  });

  it('a refused request takes no token: waiting the announced time is enough', () => {
    const clock = { t: 0 };
    const b = new TokenBuckets({ perSecond: 0.5, burst: 1 }, 100, () => clock.t);
    expect(b.take('a')).toBe(0);
    const wait = b.take('a');
    expect(wait).toBe(2);
    for (let i = 0; i < 10; i++) b.take('a');
    clock.t += wait * 1000;
    expect(b.take('a')).toBe(0);
  });

  it('keeps at most maxKeys addresses, dropping the least recently seen (which then starts with a full bucket)', () => {
    const clock = { t: 0 };
    const b = new TokenBuckets({ perSecond: 1, burst: 1 }, 3, () => clock.t);
    for (const k of ['a', 'b', 'c']) expect(b.take(k)).toBe(0);
    expect(b.take('a')).toBe(1); // a is now the most recent
    expect(b.take('d')).toBe(0); // evicts b
    expect(b.size).toBe(3);
    expect(b.take('b')).toBe(0); // b forgotten: full bucket again (evicts c)
    expect(b.take('a')).toBe(1); // a was kept
    for (let i = 0; i < 10_000; i++) b.take(`flood-${i}`);
    expect(b.size).toBe(3);
  });

  it('perSecond 0 means no limit', () => {
    const b = new TokenBuckets({ perSecond: 0, burst: 1 });
    for (let i = 0; i < 100; i++) expect(b.take('a')).toBe(0);
    expect(b.size).toBe(0);
  });
});
