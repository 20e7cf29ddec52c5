import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and memory of a process tree, read from Linux's /proc.
 *
 * CPU: for every live process of the tree, utime + stime (its own CPU) + cutime + cstime (CPU of
 * its children that exited and were reaped), in clock ticks. Summed over the tree this counts
 * every process once, including workers that started or exited in the window. The figure the
 * benchmark reports is the difference over the measured window divided by the requests answered
 * in it. Resolution: one tick (10 ms at CLK_TCK 100) per process, a few hundredths of a percent of
 * a 20 s window.
 *
 * Memory: resident set size (statm's second field, in pages) summed over the tree, sampled
 * periodically; the peak is the largest sum seen.
 */

export interface ProcStat {
  pid: number;
  ppid: number;
  /** Clock ticks in user mode. */
  utime: number;
  /** Clock ticks in kernel mode. */
  stime: number;
  /** Clock ticks of reaped children, user mode. */
  cutime: number;
  /** Clock ticks of reaped children, kernel mode. */
  cstime: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may hold spaces or
 * parentheses itself, so fields are counted from the last ')'.
 */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  const pid = Number(text.slice(0, open).trim());
  // After ')': state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10)
  // cminflt(11) majflt(12) cmajflt(13) utime(14) stime(15) cutime(16) cstime(17) ...
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number): number => {
    const v = Number(rest[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`stat field ${n} missing in: ${text.slice(0, 80)}`);
    return v;
  };
  return { pid, ppid: field(4), utime: field(14), stime: field(15), cutime: field(16), cstime: field(17) };
}

/** CPU ticks a process has used, itself and its reaped children. */
export function cpuTicksOf(stat: ProcStat): number {
  return stat.utime + stat.stime + stat.cutime + stat.cstime;
}

/** The root and every descendant of it, from a pid → parent pid map. */
export function descendants(parents: ReadonlyMap<number, number>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const queue = [root];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU milliseconds per request over a window; null when no request was answered. */
export function cpuMsPerRequest(ticksBefore: number, ticksAfter: number, clockTicksPerSecond: number, requests: number): number | null {
  if (requests <= 0) return null;
  return ((ticksAfter - ticksBefore) * 1000) / clockTicksPerSecond / requests;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // The process exited between listing and reading: it is simply no longer in the tree.
    return undefined;
  }
}

function getconf(name: string, fallback: number): number {
  try {
    const v = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(v) && v > 0 ? v : fallback;
  } catch {
    return fallback;
  }
}

/** Clock ticks per second of /proc's CPU times (CLK_TCK). */
export const CLOCK_TICKS_PER_SECOND = getconf('CLK_TCK', 100);
const PAGE_SIZE = getconf('PAGESIZE', 4096);

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = readText(`/proc/${entry}/stat`);
    if (text) stats.set(Number(entry), parseStat(text));
  }
  return stats;
}

/** The pids of a process tree (the root first). */
export function treePids(root: number): number[] {
  const stats = allStats();
  if (!stats.has(root)) return [];
  return descendants(new Map([...stats].map(([pid, s]) => [pid, s.ppid])), root);
}

/** CPU ticks used so far by a process tree (see the module comment). */
export function treeCpuTicks(root: number): number {
  const stats = allStats();
  if (!stats.has(root)) return 0;
  const pids = descendants(new Map([...stats].map(([pid, s]) => [pid, s.ppid])), root);
  return pids.reduce((sum, pid) => {
    const s = stats.get(pid);
    return s ? sum + cpuTicksOf(s) : sum;
  }, 0);
}

/** CPU ticks used so far by several trees together. */
export function treesCpuTicks(roots: readonly number[]): number {
  return roots.reduce((sum, pid) => sum + treeCpuTicks(pid), 0);
}

/** Resident bytes of a set of processes (statm, pages × page size). */
export function rssBytes(pids: readonly number[]): number {
  let pages = 0;
  for (const pid of pids) {
    const text = readText(`/proc/${pid}/statm`);
    const resident = text ? Number(text.split(' ')[1]) : 0;
    if (Number.isFinite(resident)) pages += resident;
  }
  return pages * PAGE_SIZE;
}

export interface RssSampler {
  /** Largest resident size of the whole tree seen so far, bytes. */
  peakBytes(): number;
  stop(): void;
}

/**
 * Samples a tree's resident size every `intervalMs` (the tree is re-listed every few samples, so
 * workers forked later are counted). Sampling /proc costs well under a millisecond.
 */
export function sampleTreeRss(root: number, intervalMs = 100): RssSampler {
  let peak = 0;
  let pids = treePids(root);
  let n = 0;
  const sample = () => {
    if (n++ % 10 === 0) pids = treePids(root);
    peak = Math.max(peak, rssBytes(pids));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    peakBytes: () => peak,
    stop: () => {
      sample();
      clearInterval(timer);
    },
  };
}
