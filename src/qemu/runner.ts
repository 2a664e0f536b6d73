/**
 * Runs QEMU. Interactive: the console is the user's terminal. Scripted: expectations matched in
 * order, failure patterns, a timeout; QEMU is always killed at the end, on timeout and on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RunScript {
  readonly expect: readonly RegExp[];
  readonly fail: readonly RegExp[];
  readonly timeoutSeconds: number;
  readonly log: string;
  readonly signal: AbortSignal;
  /** Echo the console to our stdout while matching. */
  readonly echo: boolean;
}

export type RunResult =
  | { ok: true; matched: string[] }
  | { ok: false; reason: string; matched: string[]; tail: string[] };

export function runInteractive(argv: readonly string[], signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    const kill = () => child.kill('SIGKILL');
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', reject);
    child.on('close', (code) => { signal.removeEventListener('abort', kill); resolve(code ?? 1); });
  });
}

export function runScripted(argv: readonly string[], script: RunScript): Promise<RunResult> {
  mkdirSync(dirname(script.log), { recursive: true });
  const log = createWriteStream(script.log);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    let from = 0;
    let failFrom = 0;
    let next = 0;
    const matched: string[] = [];
    let settled = false;
    let exited = false;
    const finish = (result: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      script.signal.removeEventListener('abort', onAbort);
      const done = () => log.end(() => resolve(result));
      // A QEMU that already exited emits no second 'close': waiting for one would never settle.
      if (exited) return done();
      child.once('close', done);
      child.kill('SIGKILL');
    };
    const tail = () => text.split('\n').slice(-25);
    const waitingFor = () => script.expect[next] && `/${script.expect[next]!.source}/`;
    const onAbort = () => finish({ ok: false, reason: 'interrupted', matched, tail: tail() });
    script.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      // Without expectations a run is a soak: lasting the whole time without a failure pattern is the pass.
      if (script.expect.length === 0) return finish({ ok: true, matched });
      finish({ ok: false, reason: `timeout after ${script.timeoutSeconds} s${waitingFor() ? ` waiting for ${waitingFor()}` : ''}`, matched, tail: tail() });
    }, script.timeoutSeconds * 1000);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (script.echo) process.stdout.write(chunk);
      text += chunk.toString('utf8').replace(/\r/g, '');
      // Console lines of several writers interleave mid-line: match markers anywhere, not whole lines.
      for (const pattern of script.fail) {
        const window = text.slice(Math.max(0, failFrom - 200));
        const m = pattern.exec(window);
        if (m) return finish({ ok: false, reason: `failure pattern /${pattern.source}/ matched: ${m[0]}`, matched, tail: tail() });
      }
      failFrom = text.length;
      while (next < script.expect.length) {
        const pattern = script.expect[next]!;
        const rest = text.slice(from);
        const m = pattern.exec(rest);
        if (!m) break;
        matched.push(m[0]);
        from += m.index + m[0].length;
        next++;
      }
      if (script.expect.length > 0 && next === script.expect.length) finish({ ok: true, matched });
      // Keep memory bounded on chatty inmates: drop what no pattern can still need.
      if (text.length > 4_000_000) { const cut = Math.min(from, failFrom) - 1000; if (cut > 0) { text = text.slice(cut); from -= cut; failFrom -= cut; } }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => { settled = true; clearTimeout(timer); log.end(); reject(error); });
    child.on('close', (code, signal) => {
      exited = true;
      const status = code !== null ? `with status ${code}` : `on signal ${signal}`;
      // Expectations met by the very last output still count: all output has been read by now.
      const allMet = script.expect.length > 0 ? next === script.expect.length : code === 0;
      if (allMet) return finish({ ok: true, matched });
      finish({ ok: false, reason: `QEMU exited ${status}${waitingFor() ? ` before ${waitingFor()} appeared` : ''}`, matched, tail: tail() });
    });
  });
}
