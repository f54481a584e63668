// Child processes of the local stack: own process group, output to a log file, readiness with a timeout that
// reports the log's tail, and a parent-death signal so that a killed parent never leaves orphans behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { which } from './provision';

export class ServiceStartError extends Error {
  override name = 'ServiceStartError';
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  exited(): boolean;
  stop(graceMs?: number): Promise<void>;
  logTail(lines?: number): string;
}

const setpriv = process.platform === 'linux' ? which('setpriv') : undefined;

export function startProcess(opts: {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Keep stdin as a pipe: the child may watch it and exit on EOF when the parent goes away. */
  stdinPipe?: boolean;
  /** Also deliver stdout to this callback (it still goes to the log file). */
  onStdout?: (chunk: string) => void;
}): ManagedProcess {
  const fd = openSync(opts.logFile, 'a');
  // setpriv --pdeathsig: the kernel signals the child when this process dies, even by SIGKILL.
  const [command, args] = setpriv
    ? [setpriv, ['--pdeathsig', 'SIGKILL', '--', opts.command, ...opts.args]]
    : [opts.command, opts.args];
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true, // own process group: Ctrl-C reaches us first and we stop services in order
    stdio: [opts.stdinPipe ? 'pipe' : 'ignore', opts.onStdout ? 'pipe' : fd, fd],
  });
  closeSync(fd);
  if (opts.onStdout && child.stdout) {
    const logFd = openSync(opts.logFile, 'a');
    child.stdout.on('data', (b: Buffer) => {
      opts.onStdout?.(b.toString('utf8'));
      try {
        writeSync(logFd, b);
      } catch {
        // log file gone: nothing to do
      }
    });
    child.on('close', () => {
      try {
        closeSync(logFd);
      } catch {
        // already closed
      }
    });
  }
  let exitedFlag = false;
  const exitPromise = new Promise<void>((res) => child.once('exit', () => ((exitedFlag = true), res())));
  child.once('error', () => {
    exitedFlag = true;
  });
  if (child.pid === undefined) throw new ServiceStartError(`${opts.name}: could not spawn ${opts.command}`);
  const pid = child.pid;
  return {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    child,
    exited: () => exitedFlag,
    logTail: (lines = 30) => tailOf(opts.logFile, lines),
    async stop(graceMs = 10_000) {
      if (exitedFlag) return;
      signalGroup(pid, 'SIGTERM');
      child.stdin?.end();
      const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), graceMs).unref());
      if ((await Promise.race([exitPromise.then(() => 'exited' as const), timer])) === 'timeout') {
        signalGroup(pid, 'SIGKILL');
        await exitPromise;
      }
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits until `probe` resolves true, or fails with the service's log tail. */
export async function waitReady(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited()) {
      throw new ServiceStartError(`${what} exited before it was ready. Last lines of ${proc.logFile}:\n${proc.logTail()}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      await proc.stop(2_000);
      throw new ServiceStartError(
        `${what} was not ready within ${timeoutMs / 1000} s. Last lines of ${proc.logFile}:\n${proc.logTail()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

export function tcpOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((res) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      res(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
