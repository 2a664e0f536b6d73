/** A real git repository for fetch tests: a bare repo of two commits, `first` no branch tip (reached alone only by commit id). */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, write } from './fixture.ts';

const gitEnv = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

export function gitRepo(): { dir: string; bare: string; first: string; second: string } {
  const dir = tempDir();
  const work = join(dir, 'work');
  const git = (...args: string[]) => execFileSync('git', ['-C', work, ...args], { encoding: 'utf8', env: { ...process.env, ...gitEnv } }).trim();
  mkdirSync(work);
  git('init', '-q', '-b', 'main');
  write(work, 'version.txt', 'one\n');
  git('add', '.');
  git('commit', '-qm', 'one');
  const first = git('rev-parse', 'HEAD');
  write(work, 'version.txt', 'two\n');
  git('commit', '-qam', 'two');
  const second = git('rev-parse', 'HEAD');
  const bare = join(dir, 'repo.git');
  execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  return { dir, bare, first, second };
}
