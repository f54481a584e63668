import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AMOUNT, makeKey, startFixture, type Fixture } from '../../helpers/emulator-fixture';

const run = promisify(execFile);

interface Outcome {
  ok: boolean;
  status: number | null;
  data: Record<string, unknown> & { statusDetails?: { state: string } };
  error?: string;
}

/**
 * Interoperability: Amazon's official Node SDK (test-only peer, DESIGN.md) talks to the emulator over HTTPS and
 * succeeds; a body changed after signing is refused. The SDK runs in a child process (it disables TLS checks
 * process-wide when redirected).
 */
describe('emulator: @amazonpay/amazon-pay-api-sdk-nodejs interop', () => {
  let f: Fixture;
  beforeAll(async () => {
    // Not SANDBOX-/LIVE-prefixed, with sandbox:true: the SDK uses /sandbox/v2/... (reference §1).
    f = await startFixture({ tls: true }, makeKey('AEMUSDKPEERKEY'));
  });
  afterAll(() => f.close());

  it('getCheckoutSession and completeCheckoutSession succeed; a tampered body is refused with 403', async () => {
    expect(f.emu.baseUrl).toMatch(/^https:\/\//);
    const id = await f.approvedSession({ chargeAmount: AMOUNT });
    const { stdout } = await run(process.execPath, [join(__dirname, 'sdk-peer.js')], {
      env: {
        PATH: process.env.PATH,
        EMULATOR_HOSTPORT: new URL(f.emu.baseUrl).host,
        PUBLIC_KEY_ID: f.key.publicKeyId,
        PRIVATE_KEY_PEM: f.key.privateKeyPem,
        SESSION_ID: id,
      },
      timeout: 30_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, Outcome>;

    expect(out.getV2).toMatchObject({
      ok: true,
      status: 200,
      data: { checkoutSessionId: id, statusDetails: { state: 'Open' } },
    });
    expect(out.getV1).toMatchObject({ ok: true, status: 200 });
    expect(out.tampered).toMatchObject({ ok: false, status: 403, data: { reasonCode: 'InvalidRequestSignature' } });
    expect(out.complete).toMatchObject({ ok: true, status: 200, data: { statusDetails: { state: 'Completed' } } });
    expect(out.completeReplay).toMatchObject({ ok: true, status: 200, data: out.complete!.data });
    expect(out.completeAgainNoKey).toMatchObject({
      ok: false,
      status: 422,
      data: { reasonCode: 'InvalidCheckoutSessionStatus' },
    });
    expect(out.charge).toMatchObject({ ok: true, status: 200, data: { statusDetails: { state: 'Captured' } } });
    expect(out.chargePermission).toMatchObject({
      ok: true,
      status: 200,
      data: { statusDetails: { state: 'Chargeable' } },
    });

    expect(f.emu.state.counters(id)).toMatchObject({ getCalls: 2, completeCalls: 4, completeEffects: 1 });
    const paths = f.emu.state.log({ checkoutSessionId: id }).map((e) => `${e.method} ${e.path} ${e.status}`);
    expect(paths[0]).toBe(`GET /sandbox/v2/checkoutSessions/${id} 200`);
    expect(paths).toContain(`POST /sandbox/v2/checkoutSessions/${id}/complete 403`);
  });
});
