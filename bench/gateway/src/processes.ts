import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Processes the harness starts: each in its own process group (so a gateway's workers stop with
 * it), output to .run/logs/<name>.log, stopped by its own id. Everything still running is stopped
 * when the harness exits, however it exits.
 */

export interface Started {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves when it has exited (code, or signal name). */
  exited: Promise<string>;
  /** SIGTERM to its group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Started>();

export interface StartOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logDir: string;
}

export function startProcess(opts: StartOptions): Started {
  mkdirSync(opts.logDir, { recursive: true });
  const logFile = join(opts.logDir, `${opts.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n--- ${new Date().toISOString()} ${opts.command} ${opts.args.join(' ')}\n`);
  const child = spawn(opts.command, [...opts.args], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${opts.name}: ${opts.command}`);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
    child.once('error', (err) => resolve(`error: ${err.message}`));
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  const started: Started = {
    name: opts.name,
    pid,
    logFile,
    exited,
    async stop(graceMs = 8_000) {
      killGroup('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      // The group too: workers that outlive their primary.
      killGroup(done ? 'SIGTERM' : 'SIGKILL');
      await exited;
      running.delete(started);
      log.end();
    },
  };
  void exited.then(() => running.delete(started));
  running.add(started);
  return started;
}

/** Stops everything still running, last started first. */
export async function stopAll(): Promise<void> {
  for (const p of [...running].reverse()) await p.stop(3_000);
}

function killAllNow(): void {
  for (const p of running) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
/** Makes the harness stop what it started when it exits or is interrupted. Call once, at start. */
export function installCleanup(): void {
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/**
 * Waits until `check` resolves true (polling every 250 ms), or fails after `timeoutMs`, or as soon
 * as the process it waits for has exited.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: Started): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: string | undefined;
  void proc?.exited.then((how) => {
    exitedWith = how;
  });
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`${what}: the process exited (${exitedWith}); see ${proc?.logFile}`);
    try {
      if (await check()) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms${proc ? `; see ${proc.logFile}` : ''}`);
    await sleep(250);
  }
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One POST, for checks and seeding (not for load). */
export async function post(url: string, body: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: await res.text() };
}
