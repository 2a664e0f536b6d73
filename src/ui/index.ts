/** Renders build events: listr2 task tree on a TTY, one line per event without, JSON lines with --json. */
import type { BuildEvent, PlannedTask } from '../engine/run.ts';
import type { Ui } from './types.ts';

export type { Ui } from './types.ts';
export type UiMode = 'json' | 'lines' | 'tty';

export function chooseUiMode(json: boolean, stream: NodeJS.WriteStream = process.stderr): UiMode {
  if (json) return 'json';
  return stream.isTTY && !process.env.CI ? 'tty' : 'lines';
}

export async function createUi(mode: UiMode, plan: readonly PlannedTask[]): Promise<Ui> {
  if (mode === 'json') return { emit: (e) => process.stdout.write(`${JSON.stringify(jsonEvent(e))}\n`), close: async () => {} };
  if (mode === 'lines') return linesUi();
  const { listrUi } = await import('./listr.ts');
  return listrUi(plan);
}

function jsonEvent(event: BuildEvent): object {
  if (event.event === 'task:fail') {
    const { message, log, tail, ...rest } = event;
    return { ...rest, log, message, tail };
  }
  return event;
}

const noColor = () => Boolean(process.env.NO_COLOR) || !process.stderr.isTTY;
const paint = (code: number, text: string) => (noColor() ? text : `\x1b[${code}m${text}\x1b[0m`);

function linesUi(): Ui {
  const out = (line: string) => process.stderr.write(`${line}\n`);
  // Cached tasks are counted in the closing line, not listed one by one.
  return {
    emit(event) {
      switch (event.event) {
        case 'task:start': out(`start   ${event.task}`); break;
        case 'task:done': if (!event.cached) out(`done    ${event.task} (${(event.ms / 1000).toFixed(1)} s)`); break;
        case 'task:progress': out(`        ${event.task}: ${event.message}`); break;
        case 'task:fail': out(paint(31, `FAILED  ${event.task}: ${event.message}`)); break;
        case 'cache:restore': out(`remote  ${event.task} (${(event.bytes / 1048576).toFixed(1)} MiB, ${(event.ms / 1000).toFixed(1)} s)`); break;
        case 'cache:store': out(`shared  ${event.task} (${(event.bytes / 1048576).toFixed(1)} MiB)`); break;
        case 'cache:warn': out(paint(33, `warning ${event.message}`)); break;
        case 'build:done': out(`${event.ran} ran, ${event.cached} cached, ${event.failed} failed`); break;
      }
    },
    close: async () => {},
  };
}

/** The failure report every mode prints: the log's path and its last lines. */
export function reportFailures(events: readonly BuildEvent[]): string {
  const lines: string[] = [];
  for (const e of events) {
    if (e.event !== 'task:fail') continue;
    lines.push(paint(31, `${e.task} failed: ${e.message}`), `  log: ${e.log}`, '  last lines:', ...e.tail.map((l) => `  | ${l}`));
  }
  return lines.join('\n');
}
