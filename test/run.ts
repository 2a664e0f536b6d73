/**
 * The test command (`./jhbuild test`, `npm test` in CI): type-check, run ava, and end with the
 * line CI reads: "N passed, N failed, N skipped".
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

function run(file: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const tee = (stream: NodeJS.WriteStream) => (chunk: Buffer) => { output += chunk; stream.write(chunk); };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const typecheck = await run(bin('tsc'), ['-p', '.']);
if (typecheck.code !== 0) {
  process.stdout.write('type check failed\n0 passed, 1 failed\n');
  process.exit(1);
}
const ava = await run(bin('ava'), process.argv.slice(2));
// Counted from each test's own line (ava's closing lines omit the passed count once a test fails).
const titles = (marker: RegExp) => new Set([...ava.output.replace(/\x1b\[[0-9;]*m/g, '').matchAll(marker)].map((m) => m[1])).size;
const passed = titles(/^\s*✔ (?!\[expected fail\])(.+?)(?: \([\dm .]+s\))?$/gm);
const skipped = titles(/^\s*- \[skip\] (.+)$/gm);
const counted = titles(/^\s*✘ \[(?:fail|unexpected pass)\]: (.+)$/gm) + Number(/(\d+) uncaught exceptions?/.exec(ava.output)?.[1] ?? 0)
  + Number(/(\d+) unhandled rejections?/.exec(ava.output)?.[1] ?? 0);
// A run that failed without a counted test failure (a crash, a timeout) still counts as one.
const failed = counted + (ava.code !== 0 && counted === 0 ? 1 : 0);
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(ava.code);
