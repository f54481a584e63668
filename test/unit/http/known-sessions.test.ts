import { describe, expect, it } from '@jest/globals';
import { KnownSessions } from '../../../client/http/known-sessions';

/** A records store that knows `existing` and counts its reads. */
function store(existing: string[], fail = false) {
  const s = {
    reads: 0,
    exists: async (id: string) => {
      s.reads++;
      if (fail) throw new Error('store down');
      return existing.includes(id);
    },
  };
  return s;
}

describe('KnownSessions', () => {
  it('reads the records once per ID found to exist, then remembers it; an ID started here costs no read', async () => {
    const records = store(['s1']);
    const known = new KnownSessions(records, { max: 10, lookups: { perSecond: 0, burst: 0 } });
    expect(await known.check('s1', () => undefined)).toBe('known');
    expect(await known.check('s1', () => undefined)).toBe('known');
    known.add('s2');
    expect(await known.check('s2', () => undefined)).toBe('known');
    expect(records.reads).toBe(1);
    // A never-started ID is read each time: it may be started later (and is then remembered).
    expect(await known.check('nope', () => undefined)).toBe('unknown');
    expect(await known.check('nope', () => undefined)).toBe('unknown');
    expect(records.reads).toBe(3);
  });

  it('reads for IDs not remembered share one budget: beyond it "busy" with no read, remembered IDs still answered', async () => {
    const clock = { t: 0 };
    const records = store(['s1']);
    const known = new KnownSessions(records, { max: 10, lookups: { perSecond: 2, burst: 3 }, now: () => clock.t });
    known.add('s1');
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await known.check(`garbage-${i}`, () => undefined));
    expect(answers).toEqual(['unknown', 'unknown', 'unknown', 'busy', 'busy']);
    expect(records.reads).toBe(3);
    expect(await known.check('s1', () => undefined)).toBe('known');
    clock.t += 500; // one read back at 2/s
    expect(await known.check('garbage-9', () => undefined)).toBe('unknown');
    expect(await known.check('garbage-10', () => undefined)).toBe('busy');
  });

  it('forgets the oldest beyond max, and treats an unreachable store as "exists" (Temporal answers then)', async () => {
    const records = store([]);
    const known = new KnownSessions(records, { max: 2, lookups: { perSecond: 0, burst: 0 } });
    for (const id of ['a', 'b', 'c']) known.add(id);
    expect(known.size).toBe(2);
    expect(await known.check('a', () => undefined)).toBe('unknown');
    expect(await known.check('c', () => undefined)).toBe('known');
    const errors: unknown[] = [];
    const down = new KnownSessions(store([], true), { max: 2, lookups: { perSecond: 0, burst: 0 } });
    expect(await down.check('x', (err) => errors.push(err))).toBe('known');
    expect(errors).toHaveLength(1);
    expect(down.size).toBe(0); // not remembered: the store said nothing
  });
});
