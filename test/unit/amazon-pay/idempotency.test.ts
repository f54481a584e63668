import { describe, expect, it } from '@jest/globals';
import { idempotencyKey } from '../../../activities/amazon-pay/idempotency';

const SESSION = 'bd504926-f659-4ad7-a1a9-9a747aaf5275';

describe('idempotencyKey', () => {
  it('is at most 32 characters of [A-Za-z0-9_-] (amazon-pay-api-v2/idempotency.html)', () => {
    for (const op of ['complete', 'finalize', 'capture', 'x'.repeat(500), 'ünïcødé / with spaces']) {
      expect(idempotencyKey(SESSION, op)).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    }
  });

  it('is deterministic', () => {
    expect(idempotencyKey(SESSION, 'complete')).toBe(idempotencyKey(SESSION, 'complete'));
  });

  it('matches a pinned value, so keys survive restarts, other workers and releases (Amazon stores them forever)', () => {
    expect(idempotencyKey(SESSION, 'complete')).toBe('n8FggKz-1ZBkDdty-wjmnjEpdCsUI_3G');
  });

  it('differs per operation and per session, and cannot be confused by moving a separator', () => {
    const keys = new Set([
      idempotencyKey(SESSION, 'complete'),
      idempotencyKey(SESSION, 'finalize'),
      idempotencyKey(SESSION, 'capture'),
      idempotencyKey('bd504926-f659-4ad7-a1a9-9a747aaf5276', 'complete'),
      idempotencyKey('a:b', 'c'),
      idempotencyKey('a', 'b:c'),
    ]);
    expect(keys.size).toBe(6);
  });

  it('rejects empty inputs', () => {
    expect(() => idempotencyKey('', 'complete')).toThrow(TypeError);
    expect(() => idempotencyKey(SESSION, '')).toThrow(TypeError);
  });
});
