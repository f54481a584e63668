// A private PostgreSQL cluster for the production-shape stack (dev/cluster-stack.ts): initdb in a folder of its own,
// password authentication, TCP on 127.0.0.1 only, no Unix socket in a shared place. PostgreSQL refuses to run as
// root, so when we are root (CI) the cluster's folder belongs to the `postgres` system user and every PostgreSQL
// program runs as that user through setpriv.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { freePort, startProcess, waitReady, type ManagedProcess } from './process';
import { ProvisionError, which, type Say } from './provision';

const run = promisify(execFile);

export interface Postgres {
  host: string;
  port: number;
  user: string;
  password: string;
  proc: ManagedProcess;
  stop(): Promise<void>;
}

/** PostgreSQL's server programs: PATH, then the usual install places. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const initdb = which('initdb', env);
  if (initdb) return join(initdb, '..');
  for (const dir of ['/usr/local/pgsql/bin', '/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin']) {
    try {
      if (which('initdb', { PATH: dir })) return dir;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const noPostgresMessage =
  'PostgreSQL was not found: the production-shape stack (npm run cluster, --cluster, test/integration/cluster) needs ' +
  'PostgreSQL ≥ 12 server programs (initdb, postgres) on PATH or in /usr/lib/postgresql/<version>/bin. ' +
  'Install them (e.g. `apt-get install postgresql`) and run again.';

/** setpriv when we are root (PostgreSQL then runs as `postgres`), nothing when we are not. */
function runAs(): { setpriv: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const setpriv = which('setpriv');
  if (!setpriv) throw new ProvisionError('running as root, PostgreSQL must run as another user, and setpriv (util-linux) was not found');
  return { setpriv };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new ProvisionError(
      'running as root: PostgreSQL refuses root, and there is no `postgres` system user to run it as. Create one (useradd --system postgres) or run as a normal user.',
    );
  }
}

export async function startPostgres(o: { say: Say; readyTimeoutMs?: number; logFile: string }): Promise<Postgres> {
  const bin = findPostgresBin();
  if (!bin) throw new ProvisionError(noPostgresMessage);
  const asRoot = runAs();
  const ids = asRoot ? await postgresIds() : undefined;
  // The parent-death signal is set here again: the kernel clears it when the user changes, so the one startProcess
  // sets before this setpriv switches to `postgres` would be lost and a killed parent would leave PostgreSQL running.
  const wrap = (cmd: string, args: string[]): [string, string[]] =>
    ids ? [asRoot!.setpriv, [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', '--pdeathsig', 'SIGKILL', '--', cmd, ...args]] : [cmd, args];

  // Its own folder under the temporary directory, so the `postgres` user can reach it whatever our data folder's mode.
  const dir = mkdtempSync(join(tmpdir(), 'checkout-pg-'));
  const data = join(dir, 'data');
  const user = 'temporal';
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids) {
    chownSync(dir, ids.uid, ids.gid);
    chownSync(pwfile, ids.uid, ids.gid);
  }
  chmodSync(dir, 0o700);
  const started = Date.now();
  try {
    const [cmd, args] = wrap(join(bin, 'initdb'), ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync']);
    await run(cmd, args, { cwd: dir });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new ProvisionError(`initdb failed: ${e.stderr?.trim() || e.message}`);
  }
  rmSync(pwfile, { force: true });
  const port = await freePort();
  const sockDir = join(dir, 'sock');
  mkdirSync(sockDir);
  if (ids) chownSync(sockDir, ids.uid, ids.gid);
  const [cmd, args] = wrap(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${sockDir}`,
    '-c',
    'max_connections=200',
    '-c',
    'fsync=on',
    '-c',
    'synchronous_commit=on',
    '-c',
    'shared_buffers=128MB',
  ]);
  const proc = startProcess({ name: 'postgres', command: cmd, args, logFile: o.logFile, cwd: dir });
  // Accepting TCP is not yet accepting queries (startup): the server says when it is.
  await waitReady(proc, async () => proc.logTail(50).includes('ready to accept connections'), o.readyTimeoutMs ?? 60_000, 'PostgreSQL');
  o.say(`PostgreSQL: ${bin} on 127.0.0.1:${port}, cluster in ${data} (initdb + start ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    proc,
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
      if (!proc.exited()) {
        try {
          process.kill(-proc.pid, 'SIGINT');
        } catch {
          // gone
        }
      }
      await proc.stop(15_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
