// Resolves and builds the pinned local services (DESIGN.md, "The local stack and the embedded default").
// Binaries are built from Go modules into a per-user cache outside the repository, keyed by version (Temporal
// CLI) or by the content of dev/ferretdb (FerretDB), so only the first run pays for a build.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const FERRETDB_DIR = resolve(__dirname, 'ferretdb');
export const JAEGER_VERSION = 'v1.75.0';
export const JAEGER_MODULE = 'github.com/jaegertracing/jaeger/cmd/jaeger';
export const JAEGER_DIR = resolve(__dirname, 'jaeger');

export type Say = (line: string) => void;

export class ProvisionError extends Error {
  override name = 'ProvisionError';
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'checkout-orchestrator');
}

/** Finds an executable on PATH (no shell). */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Go on PATH, else Go's standard install location. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const onPath = which('go', env);
  if (onPath) return onPath;
  for (const candidate of ['/usr/local/go/bin/go', join(homedir(), 'go', 'bin', 'go'), join(homedir(), 'sdk', 'go', 'bin', 'go')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function noGoMessage(service: 'Temporal' | 'MongoDB' | 'Jaeger'): string {
  const fixes =
    service === 'Temporal'
      ? 'set TEMPORAL_ADDRESS to a running Temporal frontend (host:port), or put a `temporal` CLI on PATH, or install Go ≥ 1.25 (on PATH or in /usr/local/go) so the pinned CLI can be built'
      : service === 'Jaeger'
        ? 'start without --jaeger (and point OTEL_EXPORTER_OTLP_ENDPOINT at a tracing backend of your own), or install Go ≥ 1.24.6 (on PATH or in /usr/local/go) so the pinned Jaeger can be built'
        : 'set MONGODB_URI to a running MongoDB (or MongoDB-wire) server, or put `mongod` on PATH, or install Go ≥ 1.24 (on PATH or in /usr/local/go) so the bundled FerretDB can be built';
  return `No ${service} server could be found or built. To fix it, ${fixes}. The project builds its local services from Go modules because no package registry it can reach ships them.`;
}

/**
 * A cross-process lock: an exclusively created file holding the owner's pid. A lock left by a dead process is
 * taken over, so a killed build never blocks the next one.
 */
export async function withLock<T>(lockPath: string, say: Say, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockOwnerIsDead(lockPath)) {
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (!announced) {
        say(`waiting for another build to finish (lock ${lockPath})`);
        announced = true;
      }
      if (Date.now() - started > 20 * 60_000) throw new ProvisionError(`timed out waiting for lock ${lockPath}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

function lockOwnerIsDead(lockPath: string): boolean {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) {
      // Written but not yet filled: give the owner a moment before calling it stale.
      return Date.now() - statSync(lockPath).mtimeMs > 10_000;
    }
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH' || (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Runs `go args…` in `cwd`; its standard output. A failure shows the output's last lines and throws. */
async function runGo(go: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv, say: Say): Promise<string> {
  const tail: string[] = [];
  let stdout = '';
  const child = spawn(go, args, {
    cwd,
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) tail.push(line);
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    keep(chunk);
  });
  child.stderr.on('data', keep);
  const code = await new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', res);
  });
  if (code !== 0) {
    say(`go ${args.join(' ')} failed (exit ${code}):\n${tail.join('\n')}`);
    throw new ProvisionError(`go ${args[0]} failed with exit code ${code}; output above`);
  }
  return stdout;
}

async function buildOnce(opts: {
  what: string;
  binary: string;
  say: Say;
  build: (tmpBinary: string) => Promise<void>;
}): Promise<string> {
  if (existsSync(opts.binary)) return opts.binary;
  const dir = resolve(opts.binary, '..');
  mkdirSync(dir, { recursive: true });
  return withLock(`${dir}.lock`, opts.say, async () => {
    if (existsSync(opts.binary)) return opts.binary; // built by whoever held the lock
    const started = Date.now();
    opts.say(`building ${opts.what} (first run only; cached in ${dir})…`);
    const tmp = `${opts.binary}.tmp-${process.pid}`;
    try {
      await opts.build(tmp);
      renameSync(tmp, opts.binary); // atomic: a half-written binary is never visible under the final name
    } finally {
      rmSync(tmp, { force: true });
    }
    opts.say(`built ${opts.what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return opts.binary;
  });
}

/** The pinned Temporal CLI, built with `go install` into the cache. */
export async function ensureTemporalCli(say: Say, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const binDir = join(cacheRoot(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  const binary = join(binDir, 'temporal');
  if (existsSync(binary)) return binary;
  const go = findGo(env);
  if (!go) throw new ProvisionError(noGoMessage('Temporal'));
  return buildOnce({
    what: `Temporal CLI ${TEMPORAL_CLI_VERSION} (${TEMPORAL_CLI_MODULE})`,
    binary,
    say,
    build: async (tmp) => {
      const gobin = `${tmp}.d`;
      mkdirSync(gobin, { recursive: true });
      try {
        await runGo(go, ['install', '-trimpath', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], cacheRoot(env), { GOBIN: gobin }, say);
        renameSync(join(gobin, 'temporal'), tmp);
      } finally {
        rmSync(gobin, { recursive: true, force: true });
      }
    },
  });
}

/** Key for the FerretDB build: the program's own sources, so an edit rebuilds and nothing else does. */
export function ferretDbBuildKey(): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) h.update(f).update(readFileSync(join(FERRETDB_DIR, f)));
  h.update(JSON.stringify(FERRETDB_PATCHES));
  return h.digest('hex').slice(0, 12);
}

/** The embedded FerretDB program in dev/ferretdb, built into the cache. */
export async function ensureFerretDb(say: Say, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const binary = join(cacheRoot(env), `ferretdb-v1.24.2-${ferretDbBuildKey()}`, 'ferretdb-local');
  if (existsSync(binary)) return binary;
  const go = findGo(env);
  if (!go) throw new ProvisionError(noGoMessage('MongoDB'));
  return buildOnce({
    what: 'FerretDB v1.24.2 (embedded, SQLite) from dev/ferretdb',
    binary,
    say,
    build: async (tmp) => {
      const work = `${tmp}.src`;
      try {
        const program = await patchedFerretDbProgram(go, work, say);
        await runGo(go, ['build', '-trimpath', '-o', tmp, '.'], program, {}, say);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  });
}

/** Key for the Jaeger build: the module files in dev/jaeger that pin it and everything it depends on. */
export function jaegerBuildKey(): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum']) h.update(f).update(readFileSync(join(JAEGER_DIR, f)));
  return h.digest('hex').slice(0, 12);
}

/**
 * Jaeger v2 (the all-in-one binary: an OpenTelemetry Collector with Jaeger's storage and query), pinned by the
 * `tool` directive in dev/jaeger/go.mod (`go get -tool`, since `go install module@version` refuses its replace
 * directives) and built into the cache. Its Go module carries no UI assets: the binary serves the query HTTP API
 * (/api/traces, /api/v3) and a placeholder page where the UI would be.
 */
export async function ensureJaeger(say: Say, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const binary = join(cacheRoot(env), `jaeger-${JAEGER_VERSION}-${jaegerBuildKey()}`, 'jaeger');
  if (existsSync(binary)) return binary;
  const go = findGo(env);
  if (!go) throw new ProvisionError(noGoMessage('Jaeger'));
  return buildOnce({
    what: `Jaeger ${JAEGER_VERSION} (${JAEGER_MODULE}) from dev/jaeger`,
    binary,
    say,
    build: (tmp) => runGo(go, ['build', '-trimpath', '-o', tmp, JAEGER_MODULE], JAEGER_DIR, {}, say).then(() => undefined),
  });
}

/**
 * Our changes to FerretDB v1.24.2's sources, applied at build time to a copy of the module (the module cache is
 * untouched). Each replaces one exact line of one file; the build fails if the line is not there.
 *
 * SQLite `_id` lookups: the backend creates the `_id` index on `_ferretdb_sjson->"_id"` but queries, updates and
 * deletes by `_ferretdb_sjson->'$._id'`. Both name the same JSON field, yet SQLite matches index expressions by their
 * text, so no `_id` lookup used the index: every find/update/delete by `_id` scanned the whole collection (a miss, the
 * answer to a never-started session ID, always all of it; about 14 ms of store CPU at 2,000 sessions, growing with
 * the collection). `EXPLAIN QUERY PLAN` shows SCAN before and SEARCH … USING INDEX after. (FerretDB issue #4646 is
 * the same mismatch on PostgreSQL.)
 */
export const FERRETDB_PATCHES = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `\tIDColumn = DefaultColumn + "->'$._id'"`,
    to: `\tIDColumn = DefaultColumn + "->'_id'" // patched by checkout-orchestrator: the _id index's own expression`,
  },
] as const;

function writable(path: string): void {
  const s = statSync(path);
  chmodSync(path, s.isDirectory() ? 0o755 : 0o644);
  if (s.isDirectory()) for (const name of readdirSync(path)) writable(join(path, name));
}

/**
 * Copies dev/ferretdb and the FerretDB module into `dir`, applies FERRETDB_PATCHES to the module's copy and points the
 * program's go.mod at it (`replace`); the program's directory, ready for `go build`.
 */
async function patchedFerretDbProgram(go: string, dir: string, say: Say): Promise<string> {
  const module = 'github.com/FerretDB/FerretDB';
  // `go list -m` names no directory until the module is in the module cache: download it first (a fresh machine).
  await runGo(go, ['mod', 'download', module], FERRETDB_DIR, {}, say);
  const moduleDir = (await runGo(go, ['list', '-m', '-f', '{{.Dir}}', module], FERRETDB_DIR, {}, say)).trim();
  if (!moduleDir) throw new ProvisionError(`go list found no directory for ${module}`);
  const program = join(dir, 'program');
  const source = join(dir, 'ferretdb');
  cpSync(FERRETDB_DIR, program, { recursive: true });
  cpSync(moduleDir, source, { recursive: true });
  writable(source); // the module cache's files are read-only, and so are their copies (a non-root user could not remove them)
  for (const p of FERRETDB_PATCHES) {
    const file = join(source, p.file);
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.indexOf(p.from);
    if (at < 0) throw new ProvisionError(`FerretDB patch: ${p.file} no longer has the line ${JSON.stringify(p.from)}`);
    lines[at] = p.to;
    writeFileSync(file, lines.join('\n'));
  }
  await runGo(go, ['mod', 'edit', `-replace=${module}=${source}`], program, {}, say);
  return program;
}

export async function fileExists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
