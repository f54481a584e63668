// Per-process CPU and memory from /proc (Linux), and the latency statistics the tables print.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Proc {
  name: string;
  pid: number;
}

/** Kernel clock ticks per second for utime/stime (almost always 100). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of the whole process (all threads), in seconds; NaN once the process is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size in MiB (VmRSS); NaN once the process is gone. */
export function rssMiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU use of each process over a window, as % of one core. */
export function cpuWindow(procs: readonly Proc[]): { stop(): Record<string, number> } {
  const t0 = performance.now();
  const start = procs.map((p) => cpuSeconds(p.pid));
  return {
    stop() {
      const wall = (performance.now() - t0) / 1000;
      return Object.fromEntries(procs.map((p, i) => [p.name, round1(((cpuSeconds(p.pid) - start[i]!) / wall) * 100)]));
    },
  };
}

export function rssOf(procs: readonly Proc[]): Record<string, number> {
  return Object.fromEntries(procs.map((p) => [p.name, Math.round(rssMiB(p.pid))]));
}

/** Samples the RSS of some processes every `everyMs` until stopped; reports the peak of each. */
export function rssPeaks(procs: readonly Proc[], everyMs = 500): { stop(): Record<string, number> } {
  const peak = rssOf(procs);
  const timer = setInterval(() => {
    for (const [name, v] of Object.entries(rssOf(procs))) peak[name] = Math.max(peak[name] ?? 0, v);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentiles of latencies in ms. */
export function summarize(ms: readonly number[]): LatencySummary {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => (s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!);
  const mean = s.length === 0 ? Number.NaN : s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, p50: round1(at(50)), p95: round1(at(95)), p99: round1(at(99)), mean: round1(mean), max: round1(s.at(-1) ?? Number.NaN) };
}

export const round1 = (v: number): number => Math.round(v * 10) / 10;
export const round2 = (v: number): number => Math.round(v * 100) / 100;
