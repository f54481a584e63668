import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeKey } from '../../helpers/emulator-fixture';
import { rawRequest, signedRequest } from '../../helpers/emulator-signed-fetch';

const ROOT = join(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

interface Ready {
  baseUrl: string;
  adminUrl: string;
  demoPrivateKeyPath: string | null;
  demoPublicKeyId: string | null;
  tlsCaPemPath: string | null;
  ipnCertUrl: string;
}

/** `npm run emulator` = `tsx emulator/main.ts`: one JSON line when ready, clean exit on SIGTERM/SIGINT. */
function launch(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<Ready>;
  exited: Promise<number | null>;
} {
  const child = spawn(TSX, ['emulator/main.ts', ...args], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } });
  const lines = createInterface({ input: child.stdout });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<Ready>((resolve, reject) => {
    lines.once('line', (l) => resolve(JSON.parse(l) as Ready));
    void exited.then((code) => reject(new Error(`emulator exited (${code}) before ready: ${stderr}`)));
  });
  ready.catch(() => undefined); // observed by the tests that await it
  return { child, ready, exited };
}

describe('emulator: CLI', () => {
  it('prints one JSON line, writes the demo key 0600, serves signed calls, exits cleanly on SIGTERM', async () => {
    const { child, ready, exited } = launch(['--port', '0']);
    try {
      const r = await ready;
      expect(r.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(r.adminUrl).toBe(`${r.baseUrl}/_emulator`);
      expect(r.demoPublicKeyId).toBe('SANDBOX-EMULATORDEMOKEY');
      expect(statSync(r.demoPrivateKeyPath!).mode & 0o777).toBe(0o600);

      const created = await rawRequest({
        method: 'POST',
        url: `${r.adminUrl}/checkout-sessions`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chargeAmount: { amount: '1.00', currencyCode: 'USD' } }),
      });
      const id = created.json<{ checkoutSessionId: string }>().checkoutSessionId;
      const { readFileSync } = await import('node:fs');
      const got = await signedRequest({
        method: 'GET',
        url: `${r.baseUrl}/v2/checkoutSessions/${id}`,
        publicKeyId: r.demoPublicKeyId!,
        privateKeyPem: readFileSync(r.demoPrivateKeyPath!, 'utf8'),
        dateFormat: 'iso',
      });
      expect(got.status).toBe(200);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(r.demoPrivateKeyPath!)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('--tls --public-key --latency-ms: HTTPS with the printed CA, registered key, no demo key; SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-test-'));
    const key = makeKey('ACLIKEY');
    const pemPath = join(dir, 'public.pem');
    writeFileSync(pemPath, key.publicKeyPem);
    const { child, ready, exited } = launch([
      '--port',
      '0',
      '--tls',
      '--public-key',
      `${key.publicKeyId}=${pemPath}`,
      '--latency-ms',
      '0',
    ]);
    try {
      const r = await ready;
      expect(r.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(r.demoPrivateKeyPath).toBeNull();
      const { readFileSync } = await import('node:fs');
      const ca = readFileSync(r.tlsCaPemPath!, 'utf8');
      const missing = await signedRequest({
        method: 'GET',
        url: `${r.baseUrl}/sandbox/v2/checkoutSessions/00000000-0000-4000-8000-000000000000`,
        publicKeyId: key.publicKeyId,
        privateKeyPem: key.privateKeyPem,
        ca,
      });
      // Verified TLS (the CA pins the self-signed cert for 127.0.0.1) and a verified signature reaching the route.
      expect(missing.status).toBe(404);
      const viaLocalhost = await rawRequest({
        method: 'GET',
        url: `${r.adminUrl.replace('127.0.0.1', 'localhost')}/clock`,
        ca,
      });
      expect(viaLocalhost.status).toBe(200);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown arguments', async () => {
    const { exited } = launch(['--bogus']);
    expect(await exited).toBe(2);
  });
});
