// The Temporal server and its SQL schema tool for the production-shape stack, built with `go install` into the same
// per-user cache as the CLI (dev/provision.ts), keyed by version. v1.29.1 is the server the pinned CLI embeds.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, findGo, ProvisionError, withLock, type Say } from './provision';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 in the module as downloaded: temporal/versioned and visibility/versioned. */
  schemaDir: string;
}

export const noGoForServerMessage =
  'The production-shape stack needs the Temporal server and temporal-sql-tool, built from Go modules: install Go ≥ 1.25 ' +
  '(on PATH or in /usr/local/go) and run again. No package registry this project can reach ships them.';

async function goEnv(go: string, key: string): Promise<string> {
  return (await promisify(execFile)(go, ['env', key])).stdout.trim();
}

async function goInstall(go: string, pkgs: string[], gobin: string, cwd: string, say: Say): Promise<void> {
  const tail: string[] = [];
  const child = spawn(go, ['install', '-trimpath', ...pkgs], {
    cwd,
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOBIN: gobin },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => {
    for (const l of b.toString('utf8').split('\n')) if (l.trim()) tail.push(l);
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const code = await new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', res);
  });
  if (code !== 0) {
    say(`go install failed (exit ${code}):\n${tail.join('\n')}`);
    throw new ProvisionError(`go install of the Temporal server failed with exit code ${code}; output above`);
  }
}

/** Builds (first run only) and returns the server, the SQL tool and the module's PostgreSQL schema folder. */
export async function ensureTemporalServer(say: Say, env: NodeJS.ProcessEnv = process.env): Promise<TemporalServerBinaries> {
  const dir = join(cacheRoot(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const server = join(dir, 'temporal-server');
  const sqlTool = join(dir, 'temporal-sql-tool');
  const go = findGo(env);
  if (!existsSync(server) || !existsSync(sqlTool)) {
    if (!go) throw new ProvisionError(noGoForServerMessage);
    mkdirSync(dir, { recursive: true });
    await withLock(`${dir}.lock`, say, async () => {
      if (existsSync(server) && existsSync(sqlTool)) return;
      const started = Date.now();
      say(`building Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool (first run only; cached in ${dir})…`);
      const gobin = join(dir, `.build-${process.pid}`);
      mkdirSync(gobin, { recursive: true });
      try {
        await goInstall(go, [`${SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`], gobin, cacheRoot(env), say);
        // Atomic renames: a half-built binary is never visible under the final name.
        renameSync(join(gobin, 'sql'), sqlTool);
        renameSync(join(gobin, 'server'), server);
      } finally {
        rmSync(gobin, { recursive: true, force: true });
      }
      say(`built Temporal server ${TEMPORAL_SERVER_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  }
  // `go install pkg@version` leaves the whole module, schema files included, in the module cache.
  const modCache = go ? await goEnv(go, 'GOMODCACHE') : (env.GOMODCACHE ?? join(env.GOPATH ?? join(homedir(), 'go'), 'pkg', 'mod'));
  const schemaDir = join(modCache, `${SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (go && !existsSync(join(schemaDir, 'temporal', 'versioned'))) {
    // Binaries cached but the module cache was cleaned: download the module again (no build).
    await promisify(execFile)(go, ['mod', 'download', `${SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`], { cwd: cacheRoot(env), env: { ...process.env, GOFLAGS: '-mod=mod' } });
  }
  if (!existsSync(join(schemaDir, 'temporal', 'versioned'))) {
    throw new ProvisionError(`Temporal's PostgreSQL schema not found in ${schemaDir}${go ? '' : `; ${noGoForServerMessage}`}`);
  }
  return { server, sqlTool, schemaDir };
}
