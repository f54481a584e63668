import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorOptions } from './index';

/**
 * `npm run emulator -- --port <n> [--host <h>] [--tls] [--public-key <publicKeyId>=<pem file>]… [--ipn-url <url>]
 * [--latency-ms <n>] [--clock-skew-ms <n>]`. Prints one JSON line when ready; SIGINT/SIGTERM close it cleanly.
 */
const USAGE =
  'usage: emulator [--port <n>] [--host <h>] [--tls] [--public-key <publicKeyId>=<pem file>]... [--ipn-url <url>] [--latency-ms <n>] [--clock-skew-ms <n>]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): EmulatorOptions {
  const o: EmulatorOptions = {};
  const keys: Record<string, string> = {};
  const int = (name: string, v: string | undefined): number => {
    if (v === undefined || !/^\d+$/.test(v)) fail(`${name} needs a non-negative integer`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') && !arg.startsWith('--public-key=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : arg.startsWith('--public-key=')
          ? ['--public-key', arg.slice('--public-key='.length)]
          : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        o.port = int('--port', value());
        break;
      case '--host':
        o.host = value() ?? fail('--host needs a value');
        break;
      case '--tls':
        o.tls = true;
        break;
      case '--public-key': {
        const v = value() ?? fail('--public-key needs <publicKeyId>=<pem file>');
        const eq = v.indexOf('=');
        if (eq <= 0) fail('--public-key needs <publicKeyId>=<pem file>');
        try {
          keys[v.slice(0, eq)] = readFileSync(v.slice(eq + 1), 'utf8');
        } catch {
          fail(`cannot read ${v.slice(eq + 1)}`);
        }
        break;
      }
      case '--ipn-url':
        o.ipnUrl = value() ?? fail('--ipn-url needs a value');
        break;
      case '--latency-ms':
        o.latencyMs = int('--latency-ms', value());
        break;
      case '--clock-skew-ms':
        o.clockSkewMs = int('--clock-skew-ms', value());
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        fail(`unknown argument ${arg}`);
    }
  }
  if (Object.keys(keys).length > 0) o.publicKeys = keys;
  return o;
}

async function main(): Promise<void> {
  const emulator = await startEmulator(parseArgs(process.argv.slice(2)));
  let tempDir: string | undefined;
  let demoPrivateKeyPath: string | null = null;
  let tlsCaPemPath: string | null = null;
  if (emulator.demoKey || emulator.tlsCaPem) tempDir = mkdtempSync(join(tmpdir(), 'amazon-pay-emulator-'));
  if (emulator.demoKey && tempDir) {
    demoPrivateKeyPath = join(tempDir, 'demo-private-key.pem');
    writeFileSync(demoPrivateKeyPath, emulator.demoKey.privateKeyPem, { mode: 0o600 });
  }
  if (emulator.tlsCaPem && tempDir) {
    tlsCaPemPath = join(tempDir, 'tls-ca.pem');
    writeFileSync(tlsCaPemPath, emulator.tlsCaPem, { mode: 0o644 });
  }
  process.stdout.write(
    `${JSON.stringify({
      baseUrl: emulator.baseUrl,
      adminUrl: emulator.adminUrl,
      demoPrivateKeyPath,
      demoPublicKeyId: emulator.demoKey?.publicKeyId ?? null,
      tlsCaPemPath,
      ipnCertUrl: emulator.ipnCertUrl,
    })}\n`,
  );

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    emulator
      .close()
      .catch(() => undefined)
      .finally(() => {
        if (tempDir) rmSync(tempDir, { recursive: true, force: true });
        process.exit(0);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
