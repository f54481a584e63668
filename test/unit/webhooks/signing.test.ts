import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from '../../../activities/webhooks/signing';

const CURRENT = 'whsec-current-0123456789';
const PREVIOUS = 'whsec-previous-0123456789';
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const body = JSON.stringify({ eventId: 'sess-1:7', type: 'checkout.completed', amount: '14.00' });

describe('Checkout-Signature', () => {
  it('is t=<unix seconds>,v1=<HMAC-SHA256 of "<t>.<body>"> and verifies with the same secret', () => {
    const header = signWebhook(body, [CURRENT], NOW);
    const t = Math.floor(NOW / 1000);
    const expected = createHmac('sha256', CURRENT).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(verifyWebhook(body, header, [CURRENT], { nowMs: NOW })).toEqual({ ok: true, timestamp: t });
    expect(verifyWebhook(Buffer.from(body), header, [CURRENT], { nowMs: NOW + 60_000 })).toEqual({ ok: true, timestamp: t });
  });

  it('signs with both secrets while rotating: a receiver holding either one accepts', () => {
    const header = signWebhook(body, [CURRENT, PREVIOUS], NOW);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifyWebhook(body, header, [PREVIOUS], { nowMs: NOW })).toMatchObject({ ok: true });
    expect(verifyWebhook(body, header, [CURRENT], { nowMs: NOW })).toMatchObject({ ok: true });
    // A receiver that already moved to the new secret and still accepts the old one, during its own rotation.
    expect(verifyWebhook(body, signWebhook(body, [PREVIOUS], NOW), [CURRENT, PREVIOUS], { nowMs: NOW })).toMatchObject({ ok: true });
    expect(verifyWebhook(body, signWebhook(body, [PREVIOUS], NOW), [CURRENT], { nowMs: NOW })).toEqual({
      ok: false,
      reason: 'no-matching-signature',
    });
  });

  it('refuses a tampered body, a changed timestamp and a wrong secret', () => {
    const header = signWebhook(body, [CURRENT], NOW);
    expect(verifyWebhook(body.replace('14.00', '1.00'), header, [CURRENT], { nowMs: NOW })).toEqual({ ok: false, reason: 'no-matching-signature' });
    const t = Math.floor(NOW / 1000);
    const shifted = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyWebhook(body, shifted, [CURRENT], { nowMs: NOW })).toEqual({ ok: false, reason: 'no-matching-signature' });
    expect(verifyWebhook(body, header, ['another-secret-0123456789'], { nowMs: NOW })).toEqual({ ok: false, reason: 'no-matching-signature' });
  });

  it('refuses a stale or future timestamp beyond the tolerance (default 300 s)', () => {
    const header = signWebhook(body, [CURRENT], NOW);
    expect(verifyWebhook(body, header, [CURRENT], { nowMs: NOW + 300_000 })).toMatchObject({ ok: true });
    expect(verifyWebhook(body, header, [CURRENT], { nowMs: NOW + 301_000 })).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(verifyWebhook(body, header, [CURRENT], { nowMs: NOW - 301_000 })).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(verifyWebhook(body, header, [CURRENT], { nowMs: NOW + 30_000, toleranceSec: 10 })).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it('refuses a missing or malformed header', () => {
    const v1 = `v1=${'a'.repeat(64)}`;
    expect(verifyWebhook(body, undefined, [CURRENT])).toEqual({ ok: false, reason: 'missing-header' });
    expect(verifyWebhook(body, '', [CURRENT])).toEqual({ ok: false, reason: 'missing-header' });
    for (const h of [v1, 't=1735732800', `t=abc,${v1}`, 't=1735732800,v1=xyz', 'garbage', `t=1,t=2,${v1}`]) {
      expect({ h, r: verifyWebhook(body, h, [CURRENT], { nowMs: NOW }) }).toEqual({ h, r: { ok: false, reason: 'malformed-header' } });
    }
  });

  it('skips unknown schemes, so a later v2 can be sent beside v1', () => {
    const header = `${signWebhook(body, [CURRENT], NOW)},v2=whatever`;
    expect(verifyWebhook(body, header, [CURRENT], { nowMs: NOW })).toMatchObject({ ok: true });
  });

  it('needs a secret to sign', () => {
    expect(() => signWebhook(body, [], NOW)).toThrow(/at least one secret/);
  });
});
