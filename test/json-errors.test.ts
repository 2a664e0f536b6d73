/** With --json an early error is still an event on stdout (CI parsers read only stdout), and plain text on stderr. */
import test from 'ava';
import { jsonEvents, runCli } from './helpers/cli.ts';
import { tempDir } from './helpers/fixture.ts';

for (const [what, args, code] of [
  ['not a project', ['build', 'busybox', '--project', '/nonexistent'], 'E_PROJECT'],
  ['an unknown machine', ['build', 'busybox', '--machine', 'no-such-board'], 'E_MACHINE_UNKNOWN'],
  ['an unknown option', ['build', 'busybox', '--no-such-option'], 'E_USAGE'],
] as const) {
  test(`--json: ${what} is one error event on stdout`, async (t) => {
    const result = await runCli([...args, '--json', '--build-dir', tempDir()]);
    t.is(result.code, 2, result.stderr);
    const events = jsonEvents(result.stdout);
    t.is(events.length, 1, result.stdout);
    const [event] = events as unknown as { event: string; code: string; message: string; hint?: string; exitCode: number }[];
    t.is(event!.event, 'error');
    t.is(event!.code, code);
    t.truthy(event!.message);
    t.is(event!.exitCode, 2);
    t.regex(result.stderr, new RegExp(`error ${code}:`));
  });
}
