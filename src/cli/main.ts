#!/usr/bin/env node
/** jhbuild's entry: parses argv, runs one command, maps errors to exit codes. The only place that exits. */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USER, formatError, isJhError, JhError } from '../errors.ts';
import { globalOptions, packageRoot, type Command, type OptionSpec } from './common.ts';

const commands: Record<string, () => Promise<Command>> = {
  build: async () => (await import('./commands/build.ts')).default,
  image: async () => (await import('./commands/image.ts')).default,
  run: async () => (await import('./commands/run.ts')).default,
  fetch: async () => (await import('./commands/fetch.ts')).default,
  graph: async () => (await import('./commands/graph.ts')).default,
  show: async () => (await import('./commands/show.ts')).default,
  explain: async () => (await import('./commands/explain.ts')).default,
  clean: async () => (await import('./commands/clean.ts')).default,
  doctor: async () => (await import('./commands/doctor.ts')).default,
  cells: async () => (await import('./commands/cells.ts')).default,
  cmdline: async () => (await import('./commands/cmdline.ts')).default,
  sbom: async () => (await import('./commands/sbom.ts')).default,
  publish: async () => (await import('./commands/publish.ts')).default,
  pull: async () => (await import('./commands/pull.ts')).default,
  machine: async () => (await import('./commands/machine.ts')).default,
};

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

function helpText(name: string, command: Command): string {
  const options = { ...command.options, ...globalOptions };
  const rows = Object.entries(options).map(([key, spec]: [string, OptionSpec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${key}${spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(30)} ${spec.description}`;
  });
  return `jhbuild ${name} — ${command.summary}\n\nusage: jhbuild ${command.usage}\n\noptions:\n${rows.join('\n')}\n`;
}

async function mainHelp(): Promise<string> {
  const lines = ['jhbuild — build, check and boot Jailhouse hypervisor systems', '', 'usage: jhbuild COMMAND [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${(await load()).summary}`);
  lines.push('', 'Run `jhbuild COMMAND --help` for its options. Global: --version, --help.');
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await mainHelp());
    return name === undefined ? EXIT_USER : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`jhbuild ${version()}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) throw new JhError('E_USAGE', `unknown command "${name}"`, { hint: `commands: ${Object.keys(commands).join(', ')}` });
  const command = await load();
  const options = { ...command.options, ...globalOptions };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: options as never, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw new JhError('E_USAGE', (error as Error).message, { hint: `see jhbuild ${name} --help` });
  }
  if (parsed.values.help) {
    process.stdout.write(helpText(name, command));
    return 0;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const code = await command.run(parsed.positionals, parsed.values as never, controller.signal);
    return controller.signal.aborted ? EXIT_INTERRUPTED : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `--json` asked for (before any `--`): CI parsers then get every outcome as an event on stdout, errors too. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

const argv = process.argv.slice(2);
main(argv).then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  const jh = isJhError(error) ? error : undefined;
  if (jh) process.stderr.write(`${formatError(jh)}\n`);
  else process.stderr.write(`jhbuild: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  if (wantsJson(argv)) {
    const event = jh
      ? { event: 'error', code: jh.code, message: jh.message, file: jh.file, details: jh.details, hint: jh.hint, exitCode: jh.exitCode }
      : { event: 'error', code: 'E_INTERNAL', message: (error as Error)?.message ?? String(error), exitCode: EXIT_INTERNAL };
    process.stdout.write(`${JSON.stringify(event)}\n`);
  }
  process.exitCode = jh ? jh.exitCode : EXIT_INTERNAL;
});
